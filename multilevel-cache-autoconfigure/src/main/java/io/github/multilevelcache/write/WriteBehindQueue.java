package io.github.multilevelcache.write;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * The pending writes of one write-behind cache: at most one per key (a newer write
 * replaces the older one, an evict becomes a delete) in acceptance order, bounded by the
 * queue capacity, with the journal entry ids each pending write stands for. Waiting
 * happens here and nowhere else: producers wait for room, the flusher waits for a batch,
 * {@link #awaitDrained} waits for the queue to empty, and nobody holds the writer's lock
 * while waiting. Thread-safe.
 * <p>
 * Once {@link #stop() stopped} the flusher takes what is left; once it found the queue
 * empty the queue is <em>drained</em> for good and {@link #offer} refuses every later
 * write (returns {@code -1}), so a write accepted after the final flush (a request still
 * running while the context closes) is written through synchronously by the caller
 * instead of waiting in a queue nobody flushes any more.
 */
final class WriteBehindQueue {

	private final int capacity;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition notFull = this.lock.newCondition();

	private final Condition changed = this.lock.newCondition();

	private final LinkedHashMap<Object, PendingWrite> pending = new LinkedHashMap<>();

	private final Map<Object, List<String>> journalIds = new LinkedHashMap<>();

	private long versions;

	private boolean flushRequested;

	private boolean flushing;

	private boolean running = true;

	/**
	 * Stopped, and the flusher found nothing left: no write queued now would ever be
	 * flushed.
	 */
	private boolean drained;

	WriteBehindQueue(int capacity) {
		this.capacity = capacity;
	}

	/**
	 * Queues a write, coalescing it with a pending write of the same key; waits up to
	 * {@code offerTimeout} for room.
	 * @return the queued write's version, or {@code -1} when the queue stayed full or is
	 * {@link #drained} after its final flush (the caller writes through)
	 */
	long offer(Object key, @Nullable Object value, boolean delete, @Nullable String journalId, Duration offerTimeout,
			WriteBehindStatistics statistics) throws InterruptedException {
		this.lock.lock();
		try {
			if (this.drained) {
				return -1;
			}
			long deadline = System.nanoTime() + offerTimeout.toNanos();
			while (!this.pending.containsKey(key) && this.pending.size() >= this.capacity && this.running) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return -1;
				}
				this.notFull.awaitNanos(remaining);
			}
			if (!this.pending.containsKey(key) && this.pending.size() >= this.capacity) {
				return -1;
			}
			long version = ++this.versions;
			if (this.pending.put(key, new PendingWrite(key, value, delete, version)) != null) {
				statistics.coalesced.increment();
			}
			if (journalId != null) {
				this.journalIds.computeIfAbsent(key, (k) -> new ArrayList<>()).add(journalId);
			}
			statistics.queueSize = this.pending.size();
			this.changed.signalAll();
			return version;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Waits for a flush interval, a full batch, a flush request or {@link #stop()}, and
	 * takes up to a batch.
	 * @return the batch (empty when nothing waited), or {@code null} once stopped and
	 * empty
	 */
	@Nullable Batch next(Duration flushInterval, int batchSize, WriteBehindStatistics statistics) throws InterruptedException {
		this.lock.lock();
		try {
			long deadline = System.nanoTime() + flushInterval.toNanos();
			while (this.running && !this.flushRequested && this.pending.size() < batchSize) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					break;
				}
				this.changed.awaitNanos(remaining);
			}
			if (this.pending.isEmpty()) {
				this.flushRequested = false;
				this.changed.signalAll();
				if (this.running) {
					return Batch.EMPTY;
				}
				this.drained = true;
				return null;
			}
			List<PendingWrite> writes = new ArrayList<>(Math.min(this.pending.size(), batchSize));
			List<String> ids = new ArrayList<>();
			Iterator<PendingWrite> iterator = this.pending.values().iterator();
			while (iterator.hasNext() && writes.size() < batchSize) {
				PendingWrite write = iterator.next();
				writes.add(write);
				iterator.remove();
				List<String> journaled = this.journalIds.remove(write.key());
				if (journaled != null) {
					ids.addAll(journaled);
				}
			}
			this.flushing = true;
			statistics.queueSize = this.pending.size();
			this.notFull.signalAll();
			return new Batch(writes, ids);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The batch taken by {@link #next} was written (or dead-lettered).
	 */
	void done() {
		this.lock.lock();
		try {
			this.flushing = false;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The writes of a retried batch whose key got no newer write meanwhile: a newer one
	 * is flushed next, so retrying the older value could only write it after (and over)
	 * the newer one's place in order.
	 */
	List<PendingWrite> withoutSuperseded(List<PendingWrite> batch) {
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

	/**
	 * Asks the flusher to write everything now and waits until nothing is pending or in
	 * flight.
	 * @return whether the queue drained within the timeout (always {@code true} when
	 * nobody flushes)
	 */
	boolean awaitDrained(Duration timeout, boolean flusherAlive) throws InterruptedException {
		this.lock.lock();
		try {
			long deadline = System.nanoTime() + timeout.toNanos();
			while ((!this.pending.isEmpty() || this.flushing) && flusherAlive) {
				this.flushRequested = true;
				this.changed.signalAll();
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				this.changed.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(50)));
			}
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stops accepting waits: the flusher drains what is left and ends.
	 */
	void stop() {
		this.lock.lock();
		try {
			this.running = false;
			this.changed.signalAll();
			this.notFull.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	int size() {
		this.lock.lock();
		try {
			return this.pending.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Writes taken together, with the journal entries they stand for.
	 *
	 * @param writes the writes, in acceptance order
	 * @param journalIds journal entry ids to delete once the writer committed them
	 */
	record Batch(List<PendingWrite> writes, List<String> journalIds) {

		static final Batch EMPTY = new Batch(List.of(), List.of());

	}

}
