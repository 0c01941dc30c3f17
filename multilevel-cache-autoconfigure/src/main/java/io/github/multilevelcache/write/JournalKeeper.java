package io.github.multilevelcache.write;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Keeps one durable write-behind journal owned and replays the journals of crashed
 * instances, on two threads of its own so that a slow replay (it calls the writer) can
 * never delay the renewal of this instance's owner key: the owner key is renewed every
 * {@link WriteJournal#RENEWAL}, whatever the flush interval, and other journals are
 * checked every {@link WriteJournal#ORPHAN_CHECK}. Started by {@link #start()}, never by
 * its constructor.
 */
final class JournalKeeper {

	private static final Log logger = LogFactory.getLog(JournalKeeper.class);

	private final String cacheName;

	private final WriteJournal journal;

	private final Function<List<PendingWrite>, Boolean> replay;

	private final ToLongFunction<Object> cachedWriteTime;

	private @Nullable ScheduledExecutorService executor;

	JournalKeeper(String cacheName, WriteJournal journal, Function<List<PendingWrite>, Boolean> replay,
			ToLongFunction<Object> cachedWriteTime) {
		this.cacheName = cacheName;
		this.journal = journal;
		this.replay = replay;
		this.cachedWriteTime = cachedWriteTime;
	}

	synchronized void start() {
		if (this.executor != null) {
			return;
		}
		AtomicInteger count = new AtomicInteger();
		ScheduledExecutorService executor = Executors.newScheduledThreadPool(2, (runnable) -> {
			Thread thread = new Thread(runnable,
					"multilevel-cache-write-journal-" + this.cacheName + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleAtFixedRate(() -> quietly("renewal of the owner key", this.journal::heartbeat), 0,
				WriteJournal.RENEWAL.toMillis(), TimeUnit.MILLISECONDS);
		executor.scheduleWithFixedDelay(
				() -> quietly("replay of crashed instances' journals",
						() -> this.journal.replayOrphans(this.replay, this.cachedWriteTime)),
				WriteJournal.ORPHAN_CHECK.toMillis(), WriteJournal.ORPHAN_CHECK.toMillis(), TimeUnit.MILLISECONDS);
		this.executor = executor;
	}

	private void quietly(String what, Runnable task) {
		try {
			task.run();
		}
		catch (RuntimeException ex) {
			logger.debug("Write-behind journal " + what + " of cache '" + this.cacheName + "' failed; retrying", ex);
		}
	}

	synchronized void stop() {
		if (this.executor != null) {
			this.executor.shutdownNow();
		}
	}

}
