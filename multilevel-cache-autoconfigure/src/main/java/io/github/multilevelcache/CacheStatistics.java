package io.github.multilevelcache;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

import org.jspecify.annotations.Nullable;

/**
 * Counters of one {@link MultiLevelCache}, per level. All counters only grow (the L1 size
 * excepted); they are safe to read from any thread and cost a {@link LongAdder} increment
 * to keep.
 */
public final class CacheStatistics {

	private final LocalLevel l1;

	private final LongAdder l2Hits = new LongAdder();

	private final LongAdder l2Misses = new LongAdder();

	private final LongAdder loads = new LongAdder();

	private final LongAdder loadFailures = new LongAdder();

	private final LongAdder loadNanos = new LongAdder();

	private final LoadTimeHistogram loadTimes = new LoadTimeHistogram();

	private final RecentLoadTime recentLoadTime = new RecentLoadTime();

	private final LongAdder puts = new LongAdder();

	private final LongAdder fills = new LongAdder();

	private final LongAdder fillsLost = new LongAdder();

	private final LongAdder evictions = new LongAdder();

	private final LongAdder corruptValues = new LongAdder();

	private final LongAdder unstorableValues = new LongAdder();

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

	private final LongAdder rememberedWrites = new LongAdder();

	private volatile @Nullable LongConsumer loadListener;

	CacheStatistics(LocalLevel l1) {
		this.l1 = l1;
	}

	void countL2Hit() {
		this.l2Hits.increment();
	}

	void countL2Miss() {
		this.l2Misses.increment();
	}

	void countLoad(long nanos, boolean success) {
		(success ? this.loads : this.loadFailures).increment();
		this.loadNanos.add(nanos);
		this.loadTimes.record(nanos);
		this.recentLoadTime.record(nanos);
		LongConsumer listener = this.loadListener;
		if (listener != null) {
			listener.accept(nanos);
		}
	}

	/**
	 * Registers a consumer of every loader call's duration in nanoseconds (metrics record
	 * it into a timer).
	 * @param listener the consumer, {@code null} to remove it
	 */
	public void onLoad(@Nullable LongConsumer listener) {
		this.loadListener = listener;
	}

	void countFillTime(long nanos) {
		this.loadTimes.record(nanos);
		this.recentLoadTime.record(nanos);
	}

	/**
	 * The recent duration of this instance's loads of the cache (see
	 * {@link RecentLoadTime}): loader calls of {@code get(key, loader)} and refreshes,
	 * successful or not, and plain {@code @Cacheable} fills (miss to put).
	 * @return nanoseconds, or {@code -1} before the first load
	 */
	long recentLoadNanos() {
		return this.recentLoadTime.nanos();
	}

	void countPut() {
		this.puts.increment();
	}

	void countFill(boolean stored) {
		(stored ? this.fills : this.fillsLost).increment();
	}

	void countEviction() {
		this.evictions.increment();
	}

	void countCorrupt() {
		this.corruptValues.increment();
	}

	void countUnstorable() {
		this.unstorableValues.increment();
	}

	void countL2Error() {
		this.l2Errors.increment();
	}

	void countLockAcquired() {
		this.lockAcquired.increment();
	}

	void countLockWait(long nanos, boolean timedOut) {
		this.lockWaits.increment();
		this.lockWaitNanos.add(nanos);
		if (timedOut) {
			this.lockWaitTimeouts.increment();
		}
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

	void countEarlyRecompute() {
		this.earlyRecomputes.increment();
	}

	void countRemembered() {
		this.rememberedWrites.increment();
	}

	/**
	 * @return lookups answered by L1
	 */
	public long l1Hits() {
		return this.l1.hits();
	}

	/**
	 * @return lookups L1 could not answer
	 */
	public long l1Misses() {
		return this.l1.misses();
	}

	/**
	 * @return the approximate number of L1 entries
	 */
	public long l1Size() {
		return this.l1.estimatedSize();
	}

	/**
	 * @return the L1 entries evicted by size or expiry
	 */
	public long l1Evictions() {
		return this.l1.evictions();
	}

	/**
	 * @return lookups answered by Redis
	 */
	public long l2Hits() {
		return this.l2Hits.sum();
	}

	/**
	 * @return lookups Redis could not answer (a miss in both levels)
	 */
	public long l2Misses() {
		return this.l2Misses.sum();
	}

	/**
	 * @return successful loader calls ({@code get(key, loader)} and refreshes)
	 */
	public long loads() {
		return this.loads.sum();
	}

	/**
	 * @return loader calls that threw
	 */
	public long loadFailures() {
		return this.loadFailures.sum();
	}

	/**
	 * @return total time spent in loaders, in nanoseconds
	 */
	public long loadNanos() {
		return this.loadNanos.sum();
	}

	/**
	 * Load durations per bucket since start-up: every loader call of
	 * {@code get(key, loader)} (successful or not) and, for a plain {@code @Cacheable}
	 * miss, the time from the miss to the put of its result (the method's run). Two
	 * snapshots give the distribution of the loads between them.
	 * @return a new array, one count per bound of {@link #loadTimeBoundsMicros()}
	 */
	public long[] loadTimeCounts() {
		return this.loadTimes.counts();
	}

	/**
	 * The upper bounds of {@link #loadTimeCounts()}'s buckets: powers of two from 1 µs to
	 * about 67 s, the last bucket also counting anything longer.
	 * @return a new array of bounds in microseconds
	 */
	public static long[] loadTimeBoundsMicros() {
		return LoadTimeHistogram.upperBoundsMicros();
	}

	/**
	 * @return values written by {@code put}, {@code putIfAbsent} or a load
	 */
	public long puts() {
		return this.puts.sum();
	}

	/**
	 * @return fills (a {@code put} that follows a miss of the key, as plain
	 * {@code @Cacheable} does) stored
	 */
	public long fills() {
		return this.fills.sum();
	}

	/**
	 * @return fills not stored because the key was written, evicted or filled by someone
	 * else since the miss (the value that was there instead, if any, went to L1)
	 */
	public long fillsLost() {
		return this.fillsLost.sum();
	}

	/**
	 * @return {@code evict}/{@code evictIfPresent} calls
	 */
	public long evictions() {
		return this.evictions.sum();
	}

	/**
	 * @return undecodable or disallowed values found in Redis (each treated as a miss)
	 */
	public long corruptValues() {
		return this.corruptValues.sum();
	}

	/**
	 * @return values whose type the serializer refused: kept in L1 only
	 */
	public long unstorableValues() {
		return this.unstorableValues.sum();
	}

	/**
	 * @return the Redis calls that failed, timed out or were refused (each answered from
	 * L1 or the loader)
	 */
	public long l2Errors() {
		return this.l2Errors.sum();
	}

	/**
	 * @return the writes that could not reach Redis and were remembered, to be evicted
	 * everywhere on recovery
	 */
	public long rememberedWrites() {
		return this.rememberedWrites.sum();
	}

	/**
	 * @return leases taken by this instance on a Redis miss of {@code get(key, loader)}
	 */
	public long lockAcquired() {
		return this.lockAcquired.sum();
	}

	/**
	 * @return misses that waited for another instance's lease holder
	 */
	public long lockWaits() {
		return this.lockWaits.sum();
	}

	/**
	 * @return waits that gave up after stampede.wait-timeout and loaded themselves
	 */
	public long lockWaitTimeouts() {
		return this.lockWaitTimeouts.sum();
	}

	/**
	 * @return total time spent waiting for lease holders, in nanoseconds
	 */
	public long lockWaitNanos() {
		return this.lockWaitNanos.sum();
	}

	/**
	 * @return loaded values not stored because an evict or put ended the lease meanwhile
	 */
	public long leaseLost() {
		return this.leaseLost.sum();
	}

	/**
	 * @return refresh-ahead reloads scheduled
	 */
	public long refreshScheduled() {
		return this.refreshScheduled.sum();
	}

	/**
	 * @return refresh-ahead reloads rejected by the full executor
	 */
	public long refreshRejected() {
		return this.refreshRejected.sum();
	}

	/**
	 * @return refresh-ahead or early recomputations whose loader failed (the old value
	 * stays)
	 */
	public long refreshFailed() {
		return this.refreshFailed.sum();
	}

	/**
	 * @return values replaced by refresh-ahead or early recomputation
	 */
	public long refreshed() {
		return this.refreshed.sum();
	}

	/**
	 * @return probabilistic early recomputations (XFetch) started
	 */
	public long earlyRecomputes() {
		return this.earlyRecomputes.sum();
	}

}
