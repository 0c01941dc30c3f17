package io.github.multilevelcache.benchmarks;

import java.time.Duration;

/**
 * How long and how big one run is. {@link #full()} gives the published figures;
 * {@link #smoke()} runs every scenario briefly, to prove the benchmarks work and the
 * correctness figures hold, in {@code ./mvnw verify}.
 *
 * @param mode "full" or "smoke"
 * @param jmhWarmupIterations JMH warm-up iterations per benchmark
 * @param jmhMeasurementIterations JMH measured iterations per benchmark
 * @param jmhIterationTime length of one JMH iteration
 * @param jmhForks JMH forks (0 runs in this JVM)
 * @param zipfKeys keys of the multi-instance workload
 * @param zipfWarmup unmeasured time before each measured run of scenario 3
 * @param zipfMeasurement measured time of each run of scenario 3
 * @param propagationEvents evictions timed per mode in scenario 4
 * @param stampedeRounds rounds of concurrent cold misses per configuration in scenario 5
 * @param stampedeThreads callers per round, spread over the instances
 * @param writeBehindMeasurement measured time of each run of scenario 6
 */
public record BenchmarkSettings(String mode, int jmhWarmupIterations, int jmhMeasurementIterations,
		Duration jmhIterationTime, int jmhForks, int zipfKeys, Duration zipfWarmup, Duration zipfMeasurement,
		int propagationEvents, int stampedeRounds, int stampedeThreads, Duration writeBehindMeasurement) {

	/**
	 * The published run: about nine minutes on two cores.
	 */
	public static BenchmarkSettings full() {
		return new BenchmarkSettings("full", 3, 5, Duration.ofSeconds(2), 2, 100_000, Duration.ofSeconds(15),
				Duration.ofSeconds(30), 10_000, 5, 1_000, Duration.ofSeconds(10));
	}

	/**
	 * A run of well under two minutes that exercises every scenario.
	 */
	public static BenchmarkSettings smoke() {
		return new BenchmarkSettings("smoke", 0, 1, Duration.ofMillis(200), 0, 10_000, Duration.ofMillis(500),
				Duration.ofSeconds(2), 300, 2, 1_000, Duration.ofSeconds(1));
	}

	/**
	 * Whether this is the published run.
	 */
	public boolean isFull() {
		return "full".equals(this.mode);
	}

}
