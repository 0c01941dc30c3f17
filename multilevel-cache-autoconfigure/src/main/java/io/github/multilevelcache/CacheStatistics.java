package io.github.multilevelcache;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one {@link MultiLevelCache} for the levels that Caffeine's own statistics do not cover. All
 * counters only grow; they are safe to read from any thread.
 */
public final class CacheStatistics {

	private final LongAdder l2Hits = new LongAdder();

	private final LongAdder l2Misses = new LongAdder();

	private final LongAdder loads = new LongAdder();

	private final LongAdder loadFailures = new LongAdder();

	private final LongAdder loadNanos = new LongAdder();

	private final LongAdder puts = new LongAdder();

	private final LongAdder evictions = new LongAdder();

	private final LongAdder corruptValues = new LongAdder();

	private final LongAdder l2Errors = new LongAdder();

	private final LongAdder lockAcquired = new LongAdder();

	private final LongAdder lockWaits = new LongAdder();

	private final LongAdder lockWaitTimeouts = new LongAdder();

	private final LongAdder lockWaitNanos = new LongAdder();

	private final LongAdder leaseLost = new LongAdder();

	private final LongAdder refreshScheduled = new LongAdder();

	private final LongAdder refreshRejected = new LongAdder();

	private final LongAdder refreshFailed = new LongAdder();

	private final LongAdder refreshed = new LongAdder();

	private final LongAdder earlyRecomputes = new LongAdder();

	void l2Hit() {
		this.l2Hits.increment();
	}

	void l2Miss() {
		this.l2Misses.increment();
	}

	private volatile java.util.function.@org.jspecify.annotations.Nullable LongConsumer loadListener;

	void load(long nanos, boolean success) {
		(success ? this.loads : this.loadFailures).increment();
		this.loadNanos.add(nanos);
		java.util.function.LongConsumer listener = this.loadListener;
		if (listener != null) {
			listener.accept(nanos);
		}
	}

	/**
	 * Registers a consumer of every loader call's duration in nanoseconds (metrics record it into a timer).
	 * @param listener the consumer, {@code null} to remove it
	 */
	public void onLoad(java.util.function.@org.jspecify.annotations.Nullable LongConsumer listener) {
		this.loadListener = listener;
	}

	void put() {
		this.puts.increment();
	}

	void eviction() {
		this.evictions.increment();
	}

	void corruptValue() {
		this.corruptValues.increment();
	}

	void l2Error() {
		this.l2Errors.increment();
	}

	void countLockAcquired() {
		this.lockAcquired.increment();
	}

	void countLockWaits() {
		this.lockWaits.increment();
	}

	void countLockWaitTimeouts() {
		this.lockWaitTimeouts.increment();
	}

	void lockWaited(long nanos) {
		this.lockWaitNanos.add(nanos);
	}

	void countLeaseLost() {
		this.leaseLost.increment();
	}

	void countRefreshScheduled() {
		this.refreshScheduled.increment();
	}

	void countRefreshRejected() {
		this.refreshRejected.increment();
	}

	void countRefreshFailed() {
		this.refreshFailed.increment();
	}

	void countRefreshed() {
		this.refreshed.increment();
	}

	void countEarlyRecomputes() {
		this.earlyRecomputes.increment();
	}

	/** @return lookups answered by Redis */
	public long l2Hits() {
		return this.l2Hits.sum();
	}

	/** @return lookups Redis could not answer */
	public long l2Misses() {
		return this.l2Misses.sum();
	}

	/** @return successful loader calls */
	public long loads() {
		return this.loads.sum();
	}

	/** @return loader calls that threw */
	public long loadFailures() {
		return this.loadFailures.sum();
	}

	/** @return total time spent in loaders, in nanoseconds */
	public long loadNanos() {
		return this.loadNanos.sum();
	}

	/** @return values written by {@code put}, {@code putIfAbsent} or a load */
	public long puts() {
		return this.puts.sum();
	}

	/** @return keys removed by {@code evict}/{@code evictIfPresent} */
	public long evictions() {
		return this.evictions.sum();
	}

	/** @return undecodable or disallowed values found in Redis (each treated as a miss and deleted) */
	public long corruptValues() {
		return this.corruptValues.sum();
	}

	/** @return Redis calls that failed (each answered from L1 or the loader instead) */
	public long l2Errors() {
		return this.l2Errors.sum();
	}

	/** @return leases taken by this instance on an L2 miss */
	public long lockAcquired() {
		return this.lockAcquired.sum();
	}

	/** @return misses that waited for another instance's lease holder */
	public long lockWaits() {
		return this.lockWaits.sum();
	}

	/** @return waits that gave up after stampede.wait-timeout and loaded themselves */
	public long lockWaitTimeouts() {
		return this.lockWaitTimeouts.sum();
	}

	/** @return total time spent waiting for lease holders, in nanoseconds */
	public long lockWaitNanos() {
		return this.lockWaitNanos.sum();
	}

	/** @return loaded values not stored because an evict or put ended the lease meanwhile */
	public long leaseLost() {
		return this.leaseLost.sum();
	}

	/** @return refresh-ahead reloads scheduled */
	public long refreshScheduled() {
		return this.refreshScheduled.sum();
	}

	/** @return refresh-ahead reloads rejected by the full executor */
	public long refreshRejected() {
		return this.refreshRejected.sum();
	}

	/** @return refresh-ahead or early recomputations whose loader failed (the old value stays) */
	public long refreshFailed() {
		return this.refreshFailed.sum();
	}

	/** @return values replaced by refresh-ahead or early recomputation */
	public long refreshed() {
		return this.refreshed.sum();
	}

	/** @return probabilistic early recomputations (XFetch) started */
	public long earlyRecomputes() {
		return this.earlyRecomputes.sum();
	}

}
