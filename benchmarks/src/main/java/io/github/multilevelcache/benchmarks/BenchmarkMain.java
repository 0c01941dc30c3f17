package io.github.multilevelcache.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.multilevelcache.WriteStrategy;
import io.github.multilevelcache.benchmarks.JmhScenarios.HitResult;
import io.github.multilevelcache.benchmarks.Results.Environment;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import org.jspecify.annotations.Nullable;

/**
 * Runs the benchmarks and writes {@code RESULTS.md} and the charts.
 * <p>
 * Arguments: {@code --mode=full|smoke} (default full), {@code --scenarios=all|1,2,…}
 * (default all), {@code --out=DIR} (default {@code benchmarks/results}),
 * {@code --readme=FILE} (replace the table between the benchmark markers of that README).
 * Redis: {@code REDIS_URL} when set, otherwise a private {@code redis-server} on a free
 * port (so {@code INFO commandstats} counts only this run), otherwise the one on
 * 127.0.0.1:6379.
 */
public final class BenchmarkMain {

	private BenchmarkMain() {
	}

	public static void main(String[] args) throws Exception {
		System.setProperty("java.awt.headless", "true");
		String mode = option(args, "mode", "full");
		BenchmarkSettings settings = "smoke".equals(mode) ? BenchmarkSettings.smoke() : BenchmarkSettings.full();
		Set<Integer> scenarios = scenarios(option(args, "scenarios", "all"));
		Path out = Path.of(option(args, "out", "benchmarks/results"));
		String readme = option(args, "readme", "");
		if (isPartial(scenarios)) {
			// a run of some scenarios or managers must not replace the full run's figures
			out = out.toAbsolutePath().getParent().resolve("target").resolve("partial-results");
			readme = "";
			System.out.println("Partial run: results go to " + out.toAbsolutePath().normalize()
					+ "; benchmarks/results and README keep the last full run");
		}
		try (RedisServer redis = redis()) {
			Results results = run(settings, scenarios, redis);
			new Report(results).write(out);
			if (!readme.isEmpty()) {
				new Report(results).updateReadme(Path.of(readme), out);
			}
			System.out.println("Results written to " + out.toAbsolutePath().normalize().resolve(Report.TABLE));
		}
		// JMH and Lettuce leave non-daemon threads behind; the run is over
		System.exit(0);
	}

	/**
	 * Runs the chosen scenarios (1 and 2 share one JMH run) on the given Redis.
	 */
	public static Results run(BenchmarkSettings settings, Set<Integer> scenarios, RedisServer redis) throws Exception {
		Progress progress = new Progress(System.out);
		String prefix = "multilevel-cache-benchmarks:" + System.currentTimeMillis() + ":";
		Environment environment = environment(redis);
		progress.step("%s run on %s; %s; %s", settings.mode(), environment.machine(), environment.jdk(),
				environment.redis());
		Harness harness = new Harness(redis, prefix, settings, progress);
		List<HitResult> hits = new ArrayList<>();
		if (scenarios.contains(1) || scenarios.contains(2)) {
			progress.step("Scenarios 1 and 2: L1 and L2 hits through @Cacheable (JMH)");
			hits.addAll(new JmhScenarios(settings, redis.url(), prefix + "jmh:").run());
		}
		List<ZipfScenario.Result> zipf = new ArrayList<>();
		if (scenarios.contains(3)) {
			progress.step("Scenario 3: 2 instances x %d threads, Zipf(%.2f) over %,d keys, %d %% reads",
					ZipfScenario.THREADS_PER_INSTANCE, ZipfScenario.EXPONENT, settings.zipfKeys(),
					ZipfScenario.READ_PERCENT);
			ZipfScenario scenario = new ZipfScenario(harness);
			for (ZipfScenario.Workload workload : zipfWorkloads(settings)) {
				progress.step(" %s", workload.label());
				for (ManagerKind kind : zipfManagers(settings)) {
					ZipfScenario.Result result = scenario.run(kind, workload);
					zipf.add(result);
					progress.step(
							"  %s: %,.0f ops/s, read p50 %.1f µs, %.2f Redis commands/op, L1 hit rate %.3f, "
									+ "%,d stale reads",
							kind.label(), result.throughput(), result.reads().p50Micros(),
							result.commandsPerOperation(), result.l1HitRate(), result.staleReads());
				}
			}
		}
		List<PropagationScenario.Result> propagation = new ArrayList<>();
		if (scenarios.contains(4)) {
			progress.step("Scenario 4: invalidation propagation, %,d evictions per mode", settings.propagationEvents());
			PropagationScenario scenario = new PropagationScenario(harness);
			for (ManagerKind kind : List.of(ManagerKind.MULTILEVEL, ManagerKind.MULTILEVEL_ACK,
					ManagerKind.MULTILEVEL_TRACKING)) {
				PropagationScenario.Result result = scenario.run(kind);
				propagation.add(result);
				progress.step("  %s: p50 %.1f µs, p99 %.1f µs, max %.1f µs, %d lost", kind.label(),
						result.propagation().p50Micros(), result.propagation().p99Micros(),
						result.propagation().maxMicros(), result.lost());
			}
		}
		List<StampedeScenario.Result> stampede = new ArrayList<>();
		if (scenarios.contains(5)) {
			progress.step("Scenario 5: %,d concurrent cold misses over %d instances", settings.stampedeThreads(),
					StampedeScenario.INSTANCES);
			StampedeScenario scenario = new StampedeScenario(harness);
			for (StampedeScenario.Variant variant : List.of(StampedeScenario.DISTRIBUTED, StampedeScenario.LOCAL_ONLY,
					StampedeScenario.PLAIN, StampedeScenario.REDIS, StampedeScenario.REDIS_PLAIN)) {
				stampede.add(scenario.run(variant));
			}
		}
		List<WriteBehindScenario.Result> writeBehind = new ArrayList<>();
		if (scenarios.contains(6)) {
			progress.step("Scenario 6: write-behind under hot keys (%d threads, %,d keys)", WriteBehindScenario.THREADS,
					WriteBehindScenario.KEYS);
			WriteBehindScenario scenario = new WriteBehindScenario(harness);
			for (WriteStrategy strategy : List.of(WriteStrategy.WRITE_THROUGH, WriteStrategy.WRITE_BEHIND)) {
				WriteBehindScenario.Result result = scenario.run(strategy);
				writeBehind.add(result);
				progress.step("  %s: %,.0f puts/s, %.1f rows per database call, %d lost writes",
						WriteBehindScenario.propertyValue(strategy), result.putsPerSecond(), result.rowsPerCall(),
						result.lostWrites());
			}
		}
		List<TagEvictionScenario.Result> tags = new ArrayList<>();
		if (scenarios.contains(7)) {
			progress.step("Scenario 7: evicting a tag of %,d entries", TagEvictionScenario.MEMBERS);
			TagEvictionScenario scenario = new TagEvictionScenario(harness);
			List<Duration> delays = settings.isFull()
					? List.of(Duration.ZERO, Duration.ofNanos(TagEvictionScenario.DISTANT_MICROS * 1_000))
					: List.of(Duration.ZERO);
			for (Duration delay : delays) {
				TagEvictionScenario.Result result = scenario.run(delay);
				tags.add(result);
				progress.step(
						"  %s: evictTag p50 %,.0f µs, B's L1 empty after %,.0f µs, %,d evicts one by one %,.0f µs",
						TagEvictionScenario.label(delay), result.evictTag().p50Micros(),
						result.propagation().p50Micros(), TagEvictionScenario.MEMBERS, result.oneByOne().p50Micros());
			}
		}
		return new Results(settings, environment, hits, zipf, propagation, stampede, writeBehind, tags);
	}

	/**
	 * The managers of scenario 3; system property {@code benchmarks.zipf-managers}
	 * (comma-separated {@link ManagerKind} names) narrows them when investigating one.
	 */
	private static List<ManagerKind> zipfManagers(BenchmarkSettings settings) {
		String fallback = settings.isFull() ? "REDIS,CAFFEINE,JETCACHE,MULTILEVEL,MULTILEVEL_ACK,MULTILEVEL_TRACKING"
				: "REDIS,JETCACHE,MULTILEVEL,MULTILEVEL_ACK";
		String chosen = System.getProperty("benchmarks.zipf-managers", "");
		return Arrays.stream((chosen.isBlank() ? fallback : chosen).split(","))
			.map(String::trim)
			.map(ManagerKind::valueOf)
			.toList();
	}

	/**
	 * The workloads of scenario 3: plain {@code @Cacheable} from cold at network distance
	 * (first: the figure users meet in production) and on loopback, and
	 * {@code sync = true} prefilled; system property {@code benchmarks.zipf-workloads}
	 * (comma-separated: plain, distant, sync) narrows them. The smoke run measures plain
	 * from cold only.
	 */
	private static List<ZipfScenario.Workload> zipfWorkloads(BenchmarkSettings settings) {
		String fallback = settings.isFull() ? "distant,plain,sync" : "plain";
		String chosen = System.getProperty("benchmarks.zipf-workloads", "");
		return Arrays.stream((chosen.isBlank() ? fallback : chosen).split(",")).map(String::trim).map((name) -> {
			return switch (name) {
				case "plain" -> ZipfScenario.Workload.PLAIN_COLD;
				case "distant" -> ZipfScenario.Workload.PLAIN_COLD_DISTANT;
				case "sync" -> ZipfScenario.Workload.SYNC_PREFILLED;
				default -> throw new IllegalArgumentException("Unknown workload " + name);
			};
		}).toList();
	}

	/**
	 * A private server on a free port: of the binary named by system property
	 * {@code benchmarks.redis-server} when set (such as a {@code valkey-server}, or a
	 * {@code redis-server} newer than the PATH's), else of the PATH's
	 * {@code redis-server}; the server at {@code REDIS_URL} when that is set instead.
	 */
	private static RedisServer redis() {
		String binary = System.getProperty("benchmarks.redis-server", "");
		if (!binary.isBlank()) {
			return RedisServers.startPrivate(binary);
		}
		if (System.getenv("REDIS_URL") == null && RedisServers.redisServerBinaryAvailable()) {
			return RedisServers.startPrivate();
		}
		return RedisServers.shared();
	}

	static Environment environment(RedisServer redis) {
		Runtime runtime = Runtime.getRuntime();
		long memory = (ManagementFactory
			.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
					? os.getTotalMemorySize() : runtime.maxMemory();
		String machine = String.format(Locale.ROOT, "%s %s %s, %d cores, %d GB RAM", System.getProperty("os.name"),
				System.getProperty("os.version"), System.getProperty("os.arch"), runtime.availableProcessors(),
				Math.round(memory / (1024.0 * 1024 * 1024)));
		String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
		String info = redis.info("server");
		String valkey = infoField(info, "valkey_version");
		String version = (valkey != null) ? valkey : infoField(info, "redis_version");
		String server = (valkey != null) ? "Valkey" : "Redis";
		String where = redis.isManaged() ? "private " + server.toLowerCase(Locale.ROOT) + "-server on loopback"
				: redis.host() + ":" + redis.port();
		String redisDescription = server + " " + ((version != null) ? version : "?") + " (" + where + ")";
		String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
		return new Environment(machine, jdk, redisDescription, date);
	}

	/**
	 * One field of an {@code INFO} reply, e.g. {@code redis_version}.
	 * @return its value, or {@code null} when the reply has no such field
	 */
	static @Nullable String infoField(String info, String field) {
		return Arrays.stream(info.split("\r?\n"))
			.filter((line) -> line.startsWith(field + ":"))
			.map((line) -> line.substring(field.length() + 1).trim())
			.findFirst()
			.orElse(null);
	}

	/**
	 * Whether a run leaves scenarios or managers out ({@code --scenarios} or any of the
	 * {@code benchmarks.zipf-*} narrowing properties), or runs on another server binary
	 * ({@code benchmarks.redis-server}): README's table stays the PATH's Redis.
	 */
	static boolean isPartial(Set<Integer> scenarios) {
		return !scenarios.equals(scenarios("all")) || !System.getProperty("benchmarks.redis-server", "").isBlank()
				|| !System.getProperty("benchmarks.zipf-managers", "").isBlank()
				|| !System.getProperty("benchmarks.zipf-workloads", "").isBlank()
				|| !System.getProperty("benchmarks.zipf-properties", "").isBlank();
	}

	static Set<Integer> scenarios(String value) {
		if ("all".equals(value)) {
			return Set.of(1, 2, 3, 4, 5, 6, 7);
		}
		return Arrays.stream(value.split(","))
			.map(String::trim)
			.filter((part) -> !part.isEmpty())
			.map(Integer::valueOf)
			.collect(Collectors.toUnmodifiableSet());
	}

	private static String option(String[] args, String name, String fallback) {
		String prefix = "--" + name + "=";
		return Arrays.stream(args)
			.filter((arg) -> arg.startsWith(prefix))
			.map((arg) -> arg.substring(prefix.length()))
			.findFirst()
			.orElse(fallback);
	}

}
