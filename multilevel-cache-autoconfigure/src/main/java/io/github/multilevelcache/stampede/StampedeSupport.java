package io.github.multilevelcache.stampede;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.multilevelcache.l2.Envelope;
import io.github.multilevelcache.l2.RedisL2;

/**
 * What the caches of one manager share for stampede protection and freshness: the instance id that prefixes
 * every lease token, a watchdog that renews leases while slow loaders run, a bounded executor for
 * refresh-ahead reloads, and the random source of probabilistic early expiration. Threads are daemons and are
 * created on first use; {@link #close()} stops them.
 */
public final class StampedeSupport implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(StampedeSupport.class);

	private static final int REFRESH_THREADS = 2;

	private static final int REFRESH_QUEUE = 1_000;

	private final String instanceId;

	private final AtomicLong tokens = new AtomicLong();

	private final DoubleSupplier random;

	private final Object monitor = new Object();

	private @Nullable ScheduledExecutorService watchdog;

	private @Nullable ThreadPoolExecutor refreshExecutor;

	private volatile boolean watchdogEnabled = true;

	/**
	 * Creates the support of one manager.
	 * @param random source of uniform random numbers in (0, 1] for early expiration
	 */
	public StampedeSupport(DoubleSupplier random) {
		this.instanceId = UUID.randomUUID().toString();
		this.random = random;
	}

	/**
	 * The id that prefixes this instance's lease tokens.
	 * @return the instance id
	 */
	public String instanceId() {
		return this.instanceId;
	}

	/**
	 * A uniform random number in (0, 1].
	 * @return the number
	 */
	public double random() {
		double value = this.random.getAsDouble();
		return (value <= 0) ? Double.MIN_VALUE : Math.min(1, value);
	}

	/**
	 * Diagnostics and tests: whether leases are renewed while loaders run (default {@code true}).
	 * @param enabled the flag
	 */
	public void setWatchdogEnabled(boolean enabled) {
		this.watchdogEnabled = enabled;
	}

	/**
	 * Tries to take the lease of a missing key.
	 * @param l2 Redis access
	 * @param key the full key
	 * @param leaseTime lease duration
	 * @return the lease, or {@code null} when another loader holds it or a value appeared
	 */
	public @Nullable Lease tryAcquire(RedisL2 l2, byte[] key, Duration leaseTime) {
		long now = System.currentTimeMillis();
		String token = this.instanceId + ":" + this.tokens.incrementAndGet();
		byte[] bytes = Envelope.lease(token, now, now + leaseTime.toMillis()).encode();
		return l2.acquireLease(key, bytes, leaseTime) ? new Lease(l2, key, bytes, leaseTime) : null;
	}

	/**
	 * A unique marker value for refresh locks.
	 * @return the token bytes
	 */
	public byte[] newToken() {
		return (this.instanceId + ":" + this.tokens.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * The bounded executor of refresh-ahead reloads: it rejects work rather than queue without bound.
	 * @return the executor
	 */
	public Executor refreshExecutor() {
		synchronized (this.monitor) {
			if (this.refreshExecutor == null) {
				AtomicInteger count = new AtomicInteger();
				ThreadPoolExecutor executor = new ThreadPoolExecutor(REFRESH_THREADS, REFRESH_THREADS, 30,
						TimeUnit.SECONDS, new ArrayBlockingQueue<>(REFRESH_QUEUE), (runnable) -> {
							Thread thread = new Thread(runnable, "multilevel-cache-refresh-" + count.incrementAndGet());
							thread.setDaemon(true);
							return thread;
						}, new ThreadPoolExecutor.AbortPolicy());
				executor.allowCoreThreadTimeOut(true);
				this.refreshExecutor = executor;
			}
			return this.refreshExecutor;
		}
	}

	/**
	 * Runs a task every {@code period} on the support's daemon scheduler until {@link #close()}.
	 * @param task the task
	 * @param period the period
	 */
	public void schedule(Runnable task, Duration period) {
		watchdog().scheduleWithFixedDelay(() -> {
			try {
				task.run();
			}
			catch (RuntimeException ex) {
				logger.debug("Periodic cache task failed", ex);
			}
		}, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
	}

	private ScheduledExecutorService watchdog() {
		synchronized (this.monitor) {
			if (this.watchdog == null) {
				this.watchdog = Executors.newSingleThreadScheduledExecutor((runnable) -> {
					Thread thread = new Thread(runnable, "multilevel-cache-lease-watchdog");
					thread.setDaemon(true);
					return thread;
				});
			}
			return this.watchdog;
		}
	}

	@Override
	public void close() {
		synchronized (this.monitor) {
			if (this.watchdog != null) {
				this.watchdog.shutdownNow();
			}
			if (this.refreshExecutor != null) {
				this.refreshExecutor.shutdownNow();
			}
		}
	}

	/**
	 * A lease held by this instance on one key: while it is held, the holder alone may store the key's value,
	 * and only if nobody evicted or overwrote the key meanwhile.
	 */
	public final class Lease implements AutoCloseable {

		private final RedisL2 l2;

		private final byte[] key;

		private final byte[] bytes;

		private final Duration leaseTime;

		private @Nullable ScheduledFuture<?> renewal;

		Lease(RedisL2 l2, byte[] key, byte[] bytes, Duration leaseTime) {
			this.l2 = l2;
			this.key = key;
			this.bytes = bytes;
			this.leaseTime = leaseTime;
		}

		/**
		 * Renews the lease every third of its duration until {@link #close()}.
		 */
		public void startWatchdog() {
			if (!StampedeSupport.this.watchdogEnabled) {
				return;
			}
			long period = Math.max(1, this.leaseTime.toMillis() / 3);
			this.renewal = watchdog().scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
		}

		private void renew() {
			try {
				if (!this.l2.renewLease(this.key, this.bytes, this.leaseTime) && this.renewal != null) {
					this.renewal.cancel(false);
				}
			}
			catch (RuntimeException ex) {
				logger.debug("Could not renew a lease", ex);
			}
		}

		/**
		 * Stores the loaded value only if the key still holds this lease.
		 * @param value the encoded value envelope
		 * @param ttl its time to live
		 * @return whether it was stored
		 */
		public boolean store(byte[] value, @Nullable Duration ttl) {
			return this.l2.replaceIfEquals(this.key, this.bytes, value, ttl);
		}

		/**
		 * Gives the lease up (after a failed load) so waiters can take it at once.
		 */
		public void release() {
			try {
				this.l2.deleteIfEquals(this.key, this.bytes);
			}
			catch (RuntimeException ex) {
				logger.debug("Could not release a lease; it expires by itself", ex);
			}
		}

		@Override
		public void close() {
			if (this.renewal != null) {
				this.renewal.cancel(false);
			}
		}

	}

}
