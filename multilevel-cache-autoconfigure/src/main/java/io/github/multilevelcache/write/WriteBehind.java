package io.github.multilevelcache.write;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

import io.github.multilevelcache.CacheSettings;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Write-behind (G9, G10): puts and evicts of the cache are queued
 * ({@link WriteBehindQueue}: one pending write per key, bounded), and one flusher thread
 * hands them to the writer in batches every flush interval or as soon as
 * {@code batch-size} keys wait ({@link BatchWriter}: retries with backoff, then the
 * dead-letter handler). A put into a queue that stays full for {@code offer-timeout}
 * writes through synchronously; nothing is dropped. Writer calls never overlap (one lock,
 * held only while the writer runs), so per key the writer sees writes in acceptance
 * order. With a durable journal each write is journaled before {@code put} returns and
 * the journal is kept by a {@link JournalKeeper}; a write the journal cannot take writes
 * through. {@link #close()} flushes everything accepted before it; a write accepted after
 * that final flush (the queue is drained, see {@link WriteBehindQueue}) is written
 * through synchronously on the caller's thread, so it is never left in a queue nobody
 * flushes.
 */
final class WriteBehind implements WriteStrategyHandler {

	private static final Log logger = LogFactory.getLog(WriteBehind.class);

	private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

	private final String cacheName;

	private final CacheSettings.WriteBehind settings;

	private final WriteBehindStatistics statistics;

	private final WriteBehindQueue queue;

	private final BatchWriter batches;

	/**
	 * Serializes every writer call: the flusher's batches, synchronous fallbacks and
	 * journal replays.
	 */
	private final ReentrantLock writerLock = new ReentrantLock();

	private final @Nullable WriteJournal journal;

	private final @Nullable JournalKeeper keeper;

	private @Nullable Thread flusher;

	WriteBehind(String cacheName, CacheWriter<Object, Object> writer, CacheSettings.WriteBehind settings,
			DeadLetterHandler deadLetters, WriteBehindStatistics statistics, @Nullable WriteJournal journal,
			ToLongFunction<Object> cachedWriteTime) {
		this.cacheName = cacheName;
		this.settings = settings;
		this.statistics = statistics;
		this.queue = new WriteBehindQueue(settings.queueCapacity());
		this.batches = new BatchWriter(cacheName, writer, settings, deadLetters, statistics);
		this.journal = journal;
		this.keeper = (journal != null) ? new JournalKeeper(cacheName, journal, this::applyReplay, cachedWriteTime)
				: null;
	}

	@Override
	public synchronized void start() {
		if (this.flusher != null) {
			return;
		}
		Thread thread = new Thread(this::run, "multilevel-cache-write-behind-" + this.cacheName);
		thread.setDaemon(true);
		thread.start();
		this.flusher = thread;
		if (this.keeper != null) {
			this.keeper.start();
		}
	}

	@Override
	public void afterPut(Object key, @Nullable Object value) {
		accept(key, value, false);
	}

	@Override
	public void afterEvict(Object key) {
		accept(key, null, true);
	}

	private void accept(Object key, @Nullable Object value, boolean delete) {
		String journalId = null;
		if (this.journal != null) {
			try {
				journalId = this.journal.append(key, value, delete);
			}
			catch (IllegalStateException ex) {
				logger.debug("Write-behind journal of cache '" + this.cacheName + "' unavailable; writing through", ex);
				writeThroughNow(key, value, delete);
				return;
			}
		}
		this.statistics.accepted.increment();
		long version;
		try {
			version = this.queue.offer(key, value, delete, journalId, this.settings.offerTimeout(), this.statistics);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			version = -1;
		}
		if (version < 0 || this.flusher == null) {
			writeThroughNow(key, value, delete);
			if (journalId != null && this.journal != null) {
				this.journal.committed(List.of(journalId));
			}
		}
	}

	/**
	 * The queue stayed full: apply this write synchronously, after any batch in flight,
	 * so order holds.
	 */
	private void writeThroughNow(Object key, @Nullable Object value, boolean delete) {
		this.writerLock.lock();
		try {
			this.batches.writeNow(key, value, delete);
		}
		finally {
			this.writerLock.unlock();
		}
	}

	private boolean applyReplay(List<PendingWrite> writes) {
		this.writerLock.lock();
		try {
			this.batches.write(writes);
			this.statistics.flushed.add(writes.size());
			return true;
		}
		catch (RuntimeException ex) {
			logger.warn("Replay of a crashed instance's write-behind journal failed; retrying later", ex);
			return false;
		}
		finally {
			this.writerLock.unlock();
		}
	}

	private void run() {
		while (true) {
			WriteBehindQueue.Batch batch;
			try {
				batch = this.queue.next(this.settings.flushInterval(), this.settings.batchSize(), this.statistics);
			}
			catch (InterruptedException ex) {
				continue;
			}
			if (batch == null) {
				return;
			}
			if (batch.writes().isEmpty()) {
				continue;
			}
			boolean applied = false;
			this.writerLock.lock();
			try {
				this.batches.apply(batch.writes(), this.queue::withoutSuperseded);
				applied = true;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (RuntimeException ex) {
				logger.error("Write-behind flusher of cache '" + this.cacheName + "' failed; continuing", ex);
			}
			finally {
				this.writerLock.unlock();
			}
			try {
				// outside the writer lock: a caller writing through while Redis is
				// down must not wait for this Redis call
				if (applied && this.journal != null) {
					this.journal.committed(batch.journalIds());
				}
			}
			finally {
				this.queue.done();
			}
		}
	}

	@Override
	public void flush() {
		Thread flusher = this.flusher;
		try {
			if (!this.queue.awaitDrained(CLOSE_TIMEOUT, flusher != null && flusher.isAlive())) {
				logger.warn("Write-behind flush of cache '" + this.cacheName + "' timed out with " + this.queue.size()
						+ " writes waiting");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		flush();
		this.queue.stop();
		if (this.keeper != null) {
			this.keeper.stop();
		}
		Thread flusher = this.flusher;
		if (flusher != null) {
			try {
				flusher.join(CLOSE_TIMEOUT.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
