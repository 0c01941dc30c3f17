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

	void l2Hit() {
		this.l2Hits.increment();
	}

	void l2Miss() {
		this.l2Misses.increment();
	}

	void load(long nanos, boolean success) {
		(success ? this.loads : this.loadFailures).increment();
		this.loadNanos.add(nanos);
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

}
