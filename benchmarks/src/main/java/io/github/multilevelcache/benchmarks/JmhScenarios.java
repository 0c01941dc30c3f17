package io.github.multilevelcache.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link HitBenchmarks} with JMH (scenarios 1 and 2) and collects time and
 * allocation per operation.
 */
final class JmhScenarios {

	private final BenchmarkSettings settings;

	private final String redisUrl;

	private final String prefix;

	JmhScenarios(BenchmarkSettings settings, String redisUrl, String prefix) {
		this.settings = settings;
		this.redisUrl = redisUrl;
		this.prefix = prefix;
	}

	/**
	 * Runs every hit benchmark with one thread, then {@code l1Hit} again with four.
	 * @return one result per benchmark, manager and thread count
	 */
	List<HitResult> run() throws RunnerException {
		List<HitResult> hits = new ArrayList<>(run("(l1Hit|l1HitSync|l1HitFresh|l2Hit)", 1));
		hits.addAll(run("l1Hit", 4));
		return hits;
	}

	private List<HitResult> run(String benchmarks, int threads) throws RunnerException {
		ChainedOptionsBuilder options = new OptionsBuilder()
			.include(HitBenchmarks.class.getName() + "\\." + benchmarks + "$")
			.warmupIterations(this.settings.jmhWarmupIterations())
			.warmupTime(time())
			.measurementIterations(this.settings.jmhMeasurementIterations())
			.measurementTime(time())
			.forks(this.settings.jmhForks())
			.threads(threads)
			.shouldFailOnError(true)
			.jvmArgsAppend("-Xms1g", "-Xmx1g", "-D" + CatalogueState.REDIS_URL + "=" + this.redisUrl,
					"-D" + CatalogueState.PREFIX + "=" + this.prefix);
		if (this.settings.jmhForks() > 0) {
			options.addProfiler(GCProfiler.class);
		}
		else {
			// no fork: the benchmarks run in this JVM and read the same properties
			System.setProperty(CatalogueState.REDIS_URL, this.redisUrl);
			System.setProperty(CatalogueState.PREFIX, this.prefix);
		}
		Collection<RunResult> results = new Runner(options.build()).run();
		List<HitResult> hits = new ArrayList<>();
		for (RunResult result : results) {
			String label = result.getParams().getBenchmark();
			String benchmark = label.substring(label.lastIndexOf('.') + 1);
			ManagerKind kind = ManagerKind.valueOf(result.getParams().getParam("manager"));
			Result<?> primary = result.getPrimaryResult();
			hits.add(new HitResult(benchmark, kind, threads, primary.getScore(), primary.getScoreError(),
					allocation(result)));
		}
		return hits;
	}

	private TimeValue time() {
		return TimeValue.milliseconds(this.settings.jmhIterationTime().toMillis());
	}

	private static double allocation(RunResult result) {
		return result.getSecondaryResults()
			.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().endsWith("gc.alloc.rate.norm"))
			.mapToDouble((entry) -> entry.getValue().getScore())
			.findFirst()
			.orElse(Double.NaN);
	}

	/**
	 * One benchmark of one manager.
	 *
	 * @param benchmark {@code l1Hit}, {@code l1HitSync}, {@code l1HitFresh} or
	 * {@code l2Hit}
	 * @param kind the manager
	 * @param threads benchmark threads
	 * @param nanosPerOperation mean time per lookup
	 * @param error the 99.9 % confidence half-interval of the mean (NaN with a single
	 * iteration)
	 * @param bytesPerOperation allocation per lookup (NaN without the GC profiler)
	 */
	record HitResult(String benchmark, ManagerKind kind, int threads, double nanosPerOperation, double error,
			double bytesPerOperation) {
	}

}
