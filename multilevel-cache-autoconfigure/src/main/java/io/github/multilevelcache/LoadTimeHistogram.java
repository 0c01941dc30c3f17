package io.github.multilevelcache;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Loader call durations counted into fixed buckets whose upper bounds double from 1 µs to
 * about 67 s (27 buckets, the last open-ended). The counts only grow, so a reader that
 * keeps two snapshots can compute a percentile over the time between them (the dashboard
 * does); the bucket bounds bound the error to a factor of two. Recording costs one
 * {@link LongAdder} increment and no allocation.
 */
final class LoadTimeHistogram {

	private static final int BUCKETS = 27;

	private final LongAdder[] counts = new LongAdder[BUCKETS];

	LoadTimeHistogram() {
		for (int i = 0; i < BUCKETS; i++) {
			this.counts[i] = new LongAdder();
		}
	}

	void record(long nanos) {
		long micros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos));
		// bucket i holds durations in (2^(i-1), 2^i] microseconds
		int bucket = 64 - Long.numberOfLeadingZeros(micros - 1);
		this.counts[Math.min(bucket, BUCKETS - 1)].increment();
	}

	/**
	 * The upper bound of each bucket in microseconds; the last bucket also counts
	 * everything longer.
	 * @return a new array of {@value #BUCKETS} bounds
	 */
	static long[] upperBoundsMicros() {
		long[] bounds = new long[BUCKETS];
		for (int i = 0; i < BUCKETS; i++) {
			bounds[i] = 1L << i;
		}
		return bounds;
	}

	/**
	 * @return a new array with the count of each bucket since start-up
	 */
	long[] counts() {
		long[] snapshot = new long[BUCKETS];
		for (int i = 0; i < BUCKETS; i++) {
			snapshot[i] = this.counts[i].sum();
		}
		return snapshot;
	}

}
