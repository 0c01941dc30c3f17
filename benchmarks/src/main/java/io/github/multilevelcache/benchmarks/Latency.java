package io.github.multilevelcache.benchmarks;

import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * Latency percentiles of one measurement, in microseconds, from per-thread HdrHistograms
 * (nanosecond values, three significant digits).
 */
public record Latency(long count, double p50Micros, double p99Micros, double p999Micros, double maxMicros) {

	/**
	 * A histogram for one recording thread (up to one minute).
	 */
	static Histogram histogram() {
		return new Histogram(60_000_000_000L, 3);
	}

	/**
	 * The percentiles of all recorded values.
	 */
	static Latency of(List<Histogram> histograms) {
		Histogram all = histogram();
		histograms.forEach(all::add);
		return of(all);
	}

	static Latency of(Histogram histogram) {
		return new Latency(histogram.getTotalCount(), micros(histogram.getValueAtPercentile(50)),
				micros(histogram.getValueAtPercentile(99)), micros(histogram.getValueAtPercentile(99.9)),
				micros(histogram.getMaxValue()));
	}

	private static double micros(long nanos) {
		return nanos / 1_000.0;
	}

}
