package io.github.multilevelcache.write;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.multilevelcache.CacheSettings;

/**
 * Write-behind (G9, G10): puts and evicts of the cache are queued, one pending write per key (a newer write
 * replaces the older one; an evict becomes a delete), and one flusher thread hands them to the writer in
 * batches every flush interval or as soon as {@code batch-size} keys wait. Failed batches are retried with
 * exponential backoff, skipping keys that got a newer write meanwhile, then go to the dead-letter handler.
 * The queue is bounded: a put into a full queue waits up to {@code offer-timeout}, then writes through
 * synchronously; nothing is dropped. Writer calls never overlap, so per key the writer sees writes in
 * acceptance order. {@link #close()} flushes everything accepted before it.
 */
final class WriteBehind implements WriteStrategyHandler {

	private static final Log logger = LogFactory.getLog(WriteBehind.class);

	private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

	private final String cacheName;

	private final CacheWriter<Object, Object> writer;

	private final CacheSettings.WriteBehind settings;

	private final DeadLetterHandler deadLetters;

	private final WriteBehindStatistics statistics;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition notFull = this.lock.newCondition();

	private final Condition changed = this.lock.newCondition();

	/** Serializes every writer call: the flusher's batches and synchronous fallbacks. */
	private final ReentrantLock writerLock = new ReentrantLock();

	private final LinkedHashMap<Object, PendingWrite> pending = new LinkedHashMap<>();

	private final Thread flusher;

	private long versions;

	/** Journal ids of the batch in flight (flusher thread only). */
	private final List<String> batchJournalIds = new ArrayList<>();

	private boolean flushing;

	private boolean flushRequested;

	private volatile boolean running = true;

	private final @Nullable WriteJournal journal;

	private final ToLongFunction<Object> cachedWriteTime;

	/** Journal entry ids of the pending write of each key (all of them: coalesced ones too). */
	private final Map<Object, List<String>> journalIds = new LinkedHashMap<>();

	private @Nullable Thread keeper;

	WriteBehind(String cacheName, CacheWriter<Object, Object> writer, CacheSettings.WriteBehind settings,
			DeadLetterHandler deadLetters, WriteBehindStatistics statistics, @Nullable WriteJournal journal,
			ToLongFunction<Object> cachedWriteTime) {
		this.cacheName = cacheName;
		this.writer = writer;
		this.settings = settings;
		this.deadLetters = deadLetters;
		this.statistics = statistics;
		this.journal = journal;
		this.cachedWriteTime = cachedWriteTime;
		this.flusher = new Thread(this::run, "multilevel-cache-write-behind-" + cacheName);
		this.flusher.setDaemon(true);
		this.flusher.start();
		if (journal != null) {
			Thread keeper = new Thread(this::keepJournal, "multilevel-cache-write-journal-" + cacheName);
			keeper.setDaemon(true);
			keeper.start();
			this.keeper = keeper;
		}
	}

	/**
	 * Keeps this instance's journal owned and replays the journals of crashed instances.
	 */
	private void keepJournal() {
		WriteJournal journal = this.journal;
		long nextReplay = 0;
		while (this.running && journal != null) {
			try {
				journal.heartbeat();
				if (System.nanoTime() - nextReplay >= 0) {
					journal.replayOrphans(this::applyReplay, this.cachedWriteTime);
					nextReplay = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
				}
			}
			catch (RuntimeException ex) {
				logger.debug("Write-behind journal upkeep of cache '" + this.cacheName + "' failed; retrying", ex);
			}
			try {
				Thread.sleep(WriteJournal.OWNER_TTL.toMillis() / 5);
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private boolean applyReplay(List<PendingWrite> writes) {
		this.writerLock.lock();
		try {
			write(writes);
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

	@Override
	public void afterPut(Object key, @Nullable Object value) {
		accept(key, value, false);
	}

	@Override
	public void afterEvict(Object key) {
		accept(key, null, true);
	}

	private void accept(Object key, @Nullable Object value, boolean delete) {
		String journalId = (this.journal != null) ? this.journal.append(key, value, delete) : null;
		this.lock.lock();
		try {
			long deadline = System.nanoTime() + this.settings.offerTimeout().toNanos();
			while (!this.pending.containsKey(key) && this.pending.size() >= this.settings.queueCapacity()) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0 || !this.running) {
					break;
				}
				this.notFull.awaitNanos(remaining);
			}
			PendingWrite write = new PendingWrite(key, value, delete, ++this.versions);
			this.statistics.accepted.increment();
			if (this.pending.containsKey(key) || this.pending.size() < this.settings.queueCapacity()) {
				if (this.pending.put(key, write) != null) {
					this.statistics.coalesced.increment();
				}
				if (journalId != null) {
					this.journalIds.computeIfAbsent(key, (k) -> new ArrayList<>()).add(journalId);
				}
				this.statistics.queueSize = this.pending.size();
				if (this.pending.size() >= this.settings.batchSize()) {
					this.changed.signalAll();
				}
				return;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			if (this.lock.isHeldByCurrentThread()) {
				this.lock.unlock();
			}
		}
		writeThroughNow(key, value, delete);
		if (journalId != null && this.journal != null) {
			this.journal.committed(List.of(journalId));
		}
	}

	/**
	 * The queue stayed full: apply this write synchronously, after any batch in flight, so order holds.
	 */
	private void writeThroughNow(Object key, @Nullable Object value, boolean delete) {
		this.writerLock.lock();
		try {
			if (delete) {
				this.writer.delete(key);
			}
			else {
				this.writer.write(key, value);
			}
			this.statistics.writtenThrough.increment();
		}
		finally {
			this.writerLock.unlock();
		}
	}

	private void run() {
		while (true) {
			List<PendingWrite> batch;
			this.writerLock.lock();
			try {
				batch = nextBatch();
				if (batch == null) {
					return;
				}
				if (!batch.isEmpty()) {
					apply(batch);
					if (this.journal != null) {
						this.journal.committed(List.copyOf(this.batchJournalIds));
					}
					this.batchJournalIds.clear();
				}
			}
			catch (InterruptedException ex) {
				if (!this.running) {
					return;
				}
			}
			catch (RuntimeException ex) {
				logger.error("Write-behind flusher of cache '" + this.cacheName + "' failed; continuing", ex);
			}
			finally {
				this.writerLock.unlock();
				this.lock.lock();
				try {
					this.flushing = false;
					this.changed.signalAll();
				}
				finally {
					this.lock.unlock();
				}
			}
		}
	}

	/**
	 * Waits for a flush interval, a full batch, a flush request or shutdown, and takes up to a batch.
	 * @return the batch, or {@code null} when stopped with nothing left
	 */
	private @Nullable List<PendingWrite> nextBatch() throws InterruptedException {
		this.lock.lock();
		try {
			long deadline = System.nanoTime() + this.settings.flushInterval().toNanos();
			while (this.running && !this.flushRequested && this.pending.size() < this.settings.batchSize()) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					break;
				}
				this.changed.awaitNanos(remaining);
			}
			if (this.pending.isEmpty()) {
				this.flushRequested = false;
				return this.running ? List.of() : null;
			}
			List<PendingWrite> batch = new ArrayList<>(Math.min(this.pending.size(), this.settings.batchSize()));
			var iterator = this.pending.values().iterator();
			while (iterator.hasNext() && batch.size() < this.settings.batchSize()) {
				PendingWrite write = iterator.next();
				batch.add(write);
				iterator.remove();
				List<String> ids = this.journalIds.remove(write.key());
				if (ids != null) {
					this.batchJournalIds.addAll(ids);
				}
			}
			this.flushing = true;
			this.statistics.queueSize = this.pending.size();
			this.notFull.signalAll();
			return batch;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void apply(List<PendingWrite> batch) throws InterruptedException {
		List<PendingWrite> remaining = batch;
		RuntimeException failure = null;
		for (int attempt = 0; attempt <= this.settings.maxRetries(); attempt++) {
			if (attempt > 0) {
				this.statistics.retries.increment();
				long backoff = this.settings.retryBackoff().toMillis() << Math.min(20, attempt - 1);
				Thread.sleep(backoff);
				remaining = withoutSuperseded(remaining);
				if (remaining.isEmpty()) {
					return;
				}
			}
			try {
				write(remaining);
				this.statistics.batches.increment();
				this.statistics.flushed.add(remaining.size());
				return;
			}
			catch (RuntimeException ex) {
				failure = ex;
				logger.debug("Write-behind batch of cache '" + this.cacheName + "' failed (attempt " + (attempt + 1) + ")",
						ex);
			}
		}
		this.statistics.deadLettered.add(remaining.size());
		this.deadLetters.deadLetter(this.cacheName, List.copyOf(remaining), failure);
	}

	private void write(List<PendingWrite> batch) {
		Map<Object, @Nullable Object> writes = new LinkedHashMap<>();
		List<Object> deletes = new ArrayList<>();
		for (PendingWrite write : batch) {
			if (write.delete()) {
				deletes.add(write.key());
			}
			else {
				writes.put(write.key(), write.value());
			}
		}
		if (!writes.isEmpty()) {
			this.writer.writeAll(writes);
		}
		if (!deletes.isEmpty()) {
			this.writer.deleteAll(deletes);
		}
	}

	/**
	 * Drops from a retried batch the keys that got a newer write meanwhile: that one will be flushed next, so
	 * retrying the older value could only write it after (and over) the newer one's place in order.
	 */
	private List<PendingWrite> withoutSuperseded(List<PendingWrite> batch) {
		this.lock.lock();
		try {
			List<PendingWrite> current = new ArrayList<>(batch.size());
			for (PendingWrite write : batch) {
				if (!this.pending.containsKey(write.key())) {
					current.add(write);
				}
			}
			return current;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void flush() {
		this.lock.lock();
		try {
			long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
			while ((!this.pending.isEmpty() || this.flushing) && this.flusher.isAlive()) {
				this.flushRequested = true;
				this.changed.signalAll();
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					logger.warn("Write-behind flush of cache '" + this.cacheName + "' timed out with "
							+ this.pending.size() + " writes waiting");
					return;
				}
				this.changed.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(50)));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void close() {
		flush();
		this.lock.lock();
		try {
			this.running = false;
			this.changed.signalAll();
			this.notFull.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		if (this.keeper != null) {
			this.keeper.interrupt();
		}
		try {
			this.flusher.join(CLOSE_TIMEOUT.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
