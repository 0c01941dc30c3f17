package io.github.multilevelcache;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The background threads of one manager: one scheduler (lease renewal, recovery after an
 * outage, the probe that replays writes Redis missed) and a small bounded pool for
 * refresh-ahead reloads, which rejects work rather than queue it without bound. Threads
 * are daemons, created on first use, never in a constructor; {@link #close()} stops them.
 */
final class CacheTasks implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(CacheTasks.class);

	private static final int REFRESH_THREADS = 2;

	private static final int REFRESH_QUEUE = 1_000;

	private final Object monitor = new Object();

	private @Nullable ScheduledExecutorService scheduler;

	private @Nullable ThreadPoolExecutor refreshes;

	private boolean closed;

	/**
	 * Runs a task once, soon, on the scheduler thread.
	 */
	void execute(Runnable task) {
		scheduler().execute(() -> runQuietly(task));
	}

	/**
	 * Runs a task every {@code period} until it is cancelled or the tasks are closed.
	 */
	ScheduledFuture<?> every(Duration period, Runnable task) {
		long millis = Math.max(1, period.toMillis());
		return scheduler().scheduleWithFixedDelay(() -> runQuietly(task), millis, millis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Runs a task at a fixed rate until it is cancelled (lease renewal).
	 */
	ScheduledFuture<?> atRate(Duration period, Runnable task) {
		long millis = Math.max(1, period.toMillis());
		return scheduler().scheduleAtFixedRate(() -> runQuietly(task), millis, millis, TimeUnit.MILLISECONDS);
	}

	/**
	 * The executor of refresh-ahead reloads; it throws
	 * {@link java.util.concurrent.RejectedExecutionException} when full.
	 */
	Executor refreshes() {
		synchronized (this.monitor) {
			if (this.refreshes == null) {
				AtomicInteger count = new AtomicInteger();
				ThreadPoolExecutor executor = new ThreadPoolExecutor(REFRESH_THREADS, REFRESH_THREADS, 30,
						TimeUnit.SECONDS, new ArrayBlockingQueue<>(REFRESH_QUEUE),
						(runnable) -> daemon(runnable, "multilevel-cache-refresh-" + count.incrementAndGet()),
						new ThreadPoolExecutor.AbortPolicy());
				executor.allowCoreThreadTimeOut(true);
				if (this.closed) {
					executor.shutdown();
				}
				this.refreshes = executor;
			}
			return this.refreshes;
		}
	}

	private ScheduledExecutorService scheduler() {
		synchronized (this.monitor) {
			if (this.scheduler == null) {
				this.scheduler = Executors
					.newSingleThreadScheduledExecutor((runnable) -> daemon(runnable, "multilevel-cache-tasks"));
				if (this.closed) {
					this.scheduler.shutdown();
				}
			}
			return this.scheduler;
		}
	}

	private static Thread daemon(Runnable runnable, String name) {
		Thread thread = new Thread(runnable, name);
		thread.setDaemon(true);
		return thread;
	}

	private static void runQuietly(Runnable task) {
		try {
			task.run();
		}
		catch (RuntimeException ex) {
			logger.debug("Background cache task failed", ex);
		}
	}

	@Override
	public void close() {
		synchronized (this.monitor) {
			this.closed = true;
			if (this.scheduler != null) {
				this.scheduler.shutdownNow();
			}
			if (this.refreshes != null) {
				this.refreshes.shutdownNow();
			}
		}
	}

}
