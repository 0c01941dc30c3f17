package io.github.multilevelcache;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LoadTimeHistogram}: each duration lands in the bucket whose bound is the first
 * at or above it; anything beyond the last bound lands in the last bucket.
 */
class LoadTimeHistogramTests {

	@Test
	void aDurationCountsInTheFirstBucketWhoseBoundIsAtOrAboveIt() {
		LoadTimeHistogram histogram = new LoadTimeHistogram();
		long[] bounds = LoadTimeHistogram.upperBoundsMicros();
		histogram.record(0);
		histogram.record(TimeUnit.MICROSECONDS.toNanos(1));
		histogram.record(TimeUnit.MICROSECONDS.toNanos(3));
		histogram.record(TimeUnit.MICROSECONDS.toNanos(4));
		histogram.record(TimeUnit.MICROSECONDS.toNanos(5));
		histogram.record(TimeUnit.MILLISECONDS.toNanos(50));
		histogram.record(TimeUnit.HOURS.toNanos(1));
		long[] counts = histogram.counts();
		assertThat(counts).hasSameSizeAs(bounds);
		assertThat(counts[0]).as("0 and 1 µs").isEqualTo(2);
		assertThat(bounds[2]).isEqualTo(4);
		assertThat(counts[2]).as("3 and 4 µs").isEqualTo(2);
		assertThat(counts[3]).as("5 µs").isEqualTo(1);
		int fiftyMillis = 16;
		assertThat(bounds[fiftyMillis - 1]).isLessThan(50_000);
		assertThat(bounds[fiftyMillis]).isGreaterThanOrEqualTo(50_000);
		assertThat(counts[fiftyMillis]).isEqualTo(1);
		assertThat(counts[counts.length - 1]).as("beyond the last bound").isEqualTo(1);
		assertThat(Arrays.stream(counts).sum()).isEqualTo(7);
	}

}
