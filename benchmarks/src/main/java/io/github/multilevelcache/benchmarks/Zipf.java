package io.github.multilevelcache.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Zipf-distributed ranks {@code 0 … n-1} (rank 0 the most popular) with exponent
 * {@code s}, drawn by inverting the exact cumulative distribution (a binary search over
 * {@code n} doubles). Immutable and thread-safe; each thread brings its own random
 * source.
 */
final class Zipf {

	private final double[] cumulative;

	Zipf(int n, double s) {
		this.cumulative = new double[n];
		double sum = 0;
		for (int rank = 0; rank < n; rank++) {
			sum += 1 / Math.pow(rank + 1, s);
			this.cumulative[rank] = sum;
		}
		for (int rank = 0; rank < n; rank++) {
			this.cumulative[rank] /= sum;
		}
	}

	int next(SplittableRandom random) {
		int index = Arrays.binarySearch(this.cumulative, random.nextDouble());
		int rank = (index >= 0) ? index : -index - 1;
		return Math.min(rank, this.cumulative.length - 1);
	}

}
