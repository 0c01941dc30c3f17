package io.github.multilevelcache.write;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one write-behind cache. All counters only grow, except the queue size.
 */
public final class WriteBehindStatistics {

	final LongAdder accepted = new LongAdder();

	final LongAdder coalesced = new LongAdder();

	final LongAdder flushed = new LongAdder();

	final LongAdder batches = new LongAdder();

	final LongAdder retries = new LongAdder();

	final LongAdder deadLettered = new LongAdder();

	final LongAdder writtenThrough = new LongAdder();

	volatile int queueSize;

	/**
	 * @return writes and deletes accepted
	 */
	public long accepted() {
		return this.accepted.sum();
	}

	/**
	 * @return accepted writes that replaced a pending write of the same key
	 */
	public long coalesced() {
		return this.coalesced.sum();
	}

	/**
	 * @return entries the writer applied
	 */
	public long flushed() {
		return this.flushed.sum();
	}

	/**
	 * @return writer batches that succeeded
	 */
	public long batches() {
		return this.batches.sum();
	}

	/**
	 * @return retried batches
	 */
	public long retries() {
		return this.retries.sum();
	}

	/**
	 * @return entries handed to the dead-letter handler
	 */
	public long deadLettered() {
		return this.deadLettered.sum();
	}

	/**
	 * @return writes applied synchronously because the queue stayed full
	 */
	public long writtenThrough() {
		return this.writtenThrough.sum();
	}

	/**
	 * @return keys waiting now
	 */
	public int queueSize() {
		return this.queueSize;
	}

}
