package io.github.multilevelcache.benchmarks;

import java.util.List;

import io.github.multilevelcache.benchmarks.JmhScenarios.HitResult;

/**
 * Everything one run measured, with where and when.
 *
 * @param settings the size of the run
 * @param environment machine, JDK, Redis and date
 * @param hits scenarios 1 and 2
 * @param zipf scenario 3
 * @param propagation scenario 4
 * @param stampede scenario 5
 * @param writeBehind scenario 6
 * @param tags scenario 7
 */
public record Results(BenchmarkSettings settings, Environment environment, List<HitResult> hits,
		List<ZipfScenario.Result> zipf, List<PropagationScenario.Result> propagation,
		List<StampedeScenario.Result> stampede, List<WriteBehindScenario.Result> writeBehind,
		List<TagEvictionScenario.Result> tags) {

	/**
	 * Where the run happened.
	 *
	 * @param machine operating system, architecture, cores and memory
	 * @param jdk the JVM
	 * @param redis Redis version and where it ran
	 * @param date when the run started (UTC)
	 */
	public record Environment(String machine, String jdk, String redis, String date) {
	}

}
