package io.github.multilevelcache;

/**
 * The recent load time of one cache on this instance: an exponentially weighted moving
 * average of its loads' durations, each new load weighing {@code 1/8}: after a change of
 * load time (a slower database) the estimate has moved 96 % of the way to the new time
 * within 25 loads, however many loads came before, and a 2 s cold first load followed by
 * 1 ms loads weighs less than 1 ms after 57.
 * <p>
 * Updates are plain volatile writes without a compare-and-set: of two loads recorded at
 * the same instant one may be dropped, which only makes the estimate a sample older.
 * Thread-safe; never blocks.
 */
final class RecentLoadTime {

	private static final int WEIGHT_SHIFT = 3;

	private volatile long nanos = -1;

	/**
	 * Records one load.
	 * @param duration how long it took, in nanoseconds (negative values count as 0)
	 */
	void record(long duration) {
		long sample = Math.max(0, duration);
		long current = this.nanos;
		this.nanos = (current < 0) ? sample : current + ((sample - current) >> WEIGHT_SHIFT);
	}

	/**
	 * The estimate.
	 * @return nanoseconds, or {@code -1} before the first load
	 */
	long nanos() {
		return this.nanos;
	}

}
