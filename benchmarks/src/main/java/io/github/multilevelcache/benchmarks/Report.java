package io.github.multilevelcache.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

import io.github.multilevelcache.WriteStrategy;
import io.github.multilevelcache.benchmarks.JmhScenarios.HitResult;

/**
 * Writes a run's {@code RESULTS.md} (every figure with its ratio to the stock manager
 * measured in the same run) and its charts, and copies the table into the README between
 * {@value #README_START} and {@value #README_END}.
 */
final class Report {

	static final String TABLE = "RESULTS.md";

	static final String README_START = "<!-- benchmark-results:start -->";

	static final String README_END = "<!-- benchmark-results:end -->";

	private final Results results;

	Report(Results results) {
		this.results = results;
	}

	void write(Path directory) throws IOException {
		Files.createDirectories(directory);
		new Charts(this.results).write(directory);
		Files.writeString(directory.resolve(TABLE), "# multilevel-cache benchmark results\n\n" + body("") + charts(""),
				StandardCharsets.UTF_8);
	}

	/**
	 * Replaces the README's results section with this run's table and links to its
	 * charts.
	 */
	void updateReadme(Path readme, Path resultsDirectory) throws IOException {
		String text = Files.readString(readme, StandardCharsets.UTF_8);
		int start = text.indexOf(README_START);
		int end = text.indexOf(README_END);
		if (start < 0 || end < start) {
			throw new IllegalStateException(readme + " has no " + README_START + " … " + README_END + " section");
		}
		String link = readme.toAbsolutePath()
			.getParent()
			.relativize(resultsDirectory.toAbsolutePath())
			.toString()
			.replace('\\', '/') + "/";
		String replaced = text.substring(0, start + README_START.length()) + "\n" + body("#") + charts(link)
				+ text.substring(end);
		Files.writeString(readme, replaced, StandardCharsets.UTF_8);
	}

	/**
	 * The tables; {@code deeper} is prepended to every heading (the README nests them one
	 * level deeper).
	 */
	String body(String deeper) {
		StringBuilder out = new StringBuilder();
		Results.Environment environment = this.results.environment();
		out.append(String.format(Locale.ROOT, "%s run of %s on %s; %s; %s.%n%n",
				capitalized(this.results.settings().mode()), environment.date(), environment.machine(),
				environment.jdk(), environment.redis()));
		out.append("Every ratio compares with the stock Spring manager measured in the same run, on the same Redis. ")
			.append("Regenerate with `./mvnw -B -pl benchmarks -am -DskipTests -Pbenchmarks verify`.\n\n");
		hits(out, deeper);
		zipf(out, deeper);
		propagation(out, deeper);
		stampede(out, deeper);
		writeBehind(out, deeper);
		tags(out, deeper);
		return out.toString();
	}

	private void hits(StringBuilder out, String deeper) {
		if (this.results.hits().isEmpty()) {
			return;
		}
		out.append(deeper).append("## 1. L1 hit through `@Cacheable` (JMH)\n\n");
		header(out, "Manager", "threads", "ns/op", "± (99.9 %)", "B/op",
				"× CaffeineCacheManager (same threads and annotation)");
		List<HitResult> l1 = this.results.hits().stream().filter((hit) -> hit.benchmark().startsWith("l1Hit")).toList();
		for (int threads : l1.stream().mapToInt(HitResult::threads).distinct().sorted().toArray()) {
			for (boolean sync : new boolean[] { false, true }) {
				List<HitResult> rows = l1.stream()
					.filter((hit) -> hit.threads() == threads && isSync(hit) == sync)
					.sorted(Comparator.comparing((HitResult hit) -> hit.kind().ordinal())
						.thenComparing(HitResult::benchmark))
					.toList();
				hitRows(out, rows, ManagerKind.CAFFEINE, "goal ≤ 1.10×");
			}
		}
		out.append('\n')
			.append("Plain rows: `@Cacheable`; \"sync = true\" rows: `@Cacheable(sync = true)`, i.e. `get(key, loader)`, ")
			.append("the only hits that run the freshness checks; \"freshness checks\" rows: refresh-ahead (ratio 0.8) ")
			.append("and XFetch (β 1) on, with young entries, so every hit runs both checks and none reloads. B/op is ")
			.append("the allocation per lookup (JMH's GC profiler), the proxy's own included.\n\n");
		out.append(deeper).append("## 2. L2 hit through `@Cacheable` (JMH, 1 thread, L1 disabled)\n\n");
		header(out, "Manager", "threads", "ns/op", "± (99.9 %)", "B/op", "× RedisCacheManager");
		hitRows(out, this.results.hits().stream().filter((hit) -> hit.benchmark().equals("l2Hit")).toList(),
				ManagerKind.REDIS, "goal ≤ 1.10×");
		out.append('\n');
	}

	private static boolean isSync(HitResult hit) {
		return hit.benchmark().equals("l1HitSync") || hit.benchmark().equals("l1HitFresh");
	}

	private void hitRows(StringBuilder out, List<HitResult> rows, ManagerKind baseline, String goal) {
		double base = rows.stream()
			.filter((hit) -> hit.kind() == baseline)
			.mapToDouble(HitResult::nanosPerOperation)
			.findFirst()
			.orElse(Double.NaN);
		for (HitResult hit : rows) {
			String label = hit.kind().label() + switch (hit.benchmark()) {
				case "l1HitSync" -> ", sync = true";
				case "l1HitFresh" -> ", sync = true, freshness checks";
				default -> "";
			};
			out.append(String.format(Locale.ROOT, "| %s | %d | %,.1f | %s | %s | %s |%n", label, hit.threads(),
					hit.nanosPerOperation(), number(hit.error(), "%,.1f"), number(hit.bytesPerOperation(), "%,.0f"),
					ratio(hit.nanosPerOperation(), base) + ((hit.kind().isMultilevel()) ? " (" + goal + ")" : "")));
		}
	}

	private void zipf(StringBuilder out, String deeper) {
		List<ZipfScenario.Result> rows = this.results.zipf();
		if (rows.isEmpty()) {
			return;
		}
		out.append(deeper)
			.append(String.format(Locale.ROOT,
					"## 3. Two instances, Zipf(%.2f) over %,d keys, %d %% reads, database ≈ %d ms%n%n",
					ZipfScenario.EXPONENT, this.results.settings().zipfKeys(), ZipfScenario.READ_PERCENT,
					ZipfScenario.DATABASE_LATENCY.toMillis()));
		for (ZipfScenario.Workload workload : rows.stream().map(ZipfScenario.Result::workload).distinct().toList()) {
			List<ZipfScenario.Result> ofWorkload = rows.stream()
				.filter((row) -> row.workload().equals(workload))
				.toList();
			out.append("### ").append(workload.label()).append("\n\n");
			Optional<ZipfScenario.Result> redis = find(ofWorkload, (row) -> row.kind() == ManagerKind.REDIS);
			Optional<ZipfScenario.Result> jetCache = find(ofWorkload, (row) -> row.kind() == ManagerKind.JETCACHE);
			double baseThroughput = redis.map(ZipfScenario.Result::throughput).orElse(Double.NaN);
			double baseCommands = redis.map(ZipfScenario.Result::commandsPerOperation).orElse(Double.NaN);
			double jetThroughput = jetCache.map(ZipfScenario.Result::throughput).orElse(Double.NaN);
			header(out, "Manager", "ops/s", "× Redis", "× JetCache", "read p50 µs", "read p99 µs", "update p50 µs",
					"Redis commands/op", "× Redis", "L1 hit rate", "messages sent/received per instance",
					"database loads", "stale reads", "CPU µs/op: JVM + Redis");
			for (ZipfScenario.Result row : ofWorkload) {
				String messages = row.instances().isEmpty() ? "–" : row.instances()
					.stream()
					.map((instance) -> String.format(Locale.ROOT, "%,d/%,d", instance.sent(), instance.received()))
					.collect(java.util.stream.Collectors.joining(" · "));
				out.append(String.format(Locale.ROOT,
						"| %s | %,.0f | %s | %s | %,.1f | %,.1f | %,.1f | %.3f | %s | %s | %s | %,d | %,d (%.3f %%) | "
								+ "%.1f + %.1f |%n",
						row.kind().label(), row.throughput(), ratio(row.throughput(), baseThroughput),
						ratio(row.throughput(), jetThroughput), row.reads().p50Micros(), row.reads().p99Micros(),
						row.updates().p50Micros(), row.commandsPerOperation(),
						ratio(row.commandsPerOperation(), baseCommands),
						Double.isNaN(row.l1HitRate()) ? "–" : String.format(Locale.ROOT, "%.3f", row.l1HitRate()),
						messages, row.databaseLoads(), row.staleReads(), row.staleReadPercent(), row.cpu().jvmMicros(),
						row.cpu().redisMicros()));
			}
			out.append('\n');
			ofWorkload.stream()
				.mapToDouble(ZipfScenario.Result::proxyRoundTripMicros)
				.filter((micros) -> !Double.isNaN(micros))
				.average()
				.ifPresent((micros) -> out.append(String.format(Locale.ROOT,
						"Measured distance: a `PING` through the delaying proxy takes %,.0f µs (median of %d on an idle "
								+ "connection before each manager's run, averaged over the managers).%n%n",
						micros, 200)));
		}
		out.append("Commands include those run inside Lua scripts (Redis's own `INFO commandstats`). A read is stale ")
			.append("when it returns an older version than an update that completed before it began; updates of one ")
			.append("key are serialized. The L1 hit rate and messages are each instance's, over the measured time. ")
			.append("JetCache broadcasts every put, fills included; its local level has the same size and lifetime ")
			.append("as multilevel-cache's L1. CPU is per operation over the measured time: the JVM's (both ")
			.append("instances and the harness) and the Redis server's; the machine's cores are shared by all of them, ")
			.append("so a manager whose CPU per operation times its throughput nears the core count is CPU-bound, and ")
			.append("one below it waits (on the database, on Redis round trips, on leases).\n\n");
	}

	private void propagation(StringBuilder out, String deeper) {
		List<PropagationScenario.Result> rows = this.results.propagation();
		if (rows.isEmpty()) {
			return;
		}
		out.append(deeper).append("## 4. Invalidation propagation (evict returns on A → key leaves B's L1)\n\n");
		header(out, "Mode", "evictions", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "lost", "evict call p50 µs",
				"evict call p99 µs");
		for (PropagationScenario.Result row : rows) {
			Latency latency = row.propagation();
			out.append(String.format(Locale.ROOT, "| %s | %,d | %,.1f | %,.1f | %,.1f | %,.1f | %d | %,.1f | %,.1f |%n",
					row.kind().label(), latency.count(), latency.p50Micros(), latency.p99Micros(), latency.p999Micros(),
					latency.maxMicros(), row.lost(), row.evictCall().p50Micros(), row.evictCall().p99Micros()));
		}
		out.append("\nGoal: p99 ≤ 1,000 µs on loopback. The stock managers have no cross-instance L1 to invalidate. ")
			.append("In acknowledged mode `evict` returns only after B dropped the key, so propagation after return is ~0.\n\n");
	}

	private void tags(StringBuilder out, String deeper) {
		List<TagEvictionScenario.Result> rows = this.results.tags();
		if (rows.isEmpty()) {
			return;
		}
		out.append(deeper)
			.append(String.format(Locale.ROOT, "## 7. Evicting a tag of %,d entries (A evicts, B's L1 held them)%n%n",
					TagEvictionScenario.MEMBERS));
		header(out, "Network", "rounds", "evictTag p50 ms", "evictTag max ms", "B's L1 empty after (p50 ms)", "lost",
				"1,000 evicts, multilevel (p50 ms)", "1,000 evicts, RedisCacheManager (p50 ms)",
				"evictTag / 1,000 evicts", "put, tagged / untagged");
		for (TagEvictionScenario.Result row : rows) {
			double evictTag = row.evictTag().p50Micros();
			out.append(String.format(Locale.ROOT,
					"| %s | %,d | %,.1f | %,.1f | %,.1f | %d | %,.1f | %,.1f | %.2f× | %.2f× |%n",
					TagEvictionScenario.label(row.delay()), row.evictTag().count(), evictTag / 1_000,
					row.evictTag().maxMicros() / 1_000, row.propagation().p50Micros() / 1_000, row.lost(),
					row.oneByOne().p50Micros() / 1_000, row.stockOneByOne().p50Micros() / 1_000,
					evictTag / row.oneByOne().p50Micros(), row.taggedPut().p50Micros() / row.plainPut().p50Micros()));
		}
		out.append("\n`evictTag` deletes the members in chunks of 512 sent without waiting for each other, one ")
			.append("invalidation message per chunk; the one-by-one columns are what an application without tags does ")
			.append("(`RedisCacheManager` sends each `DEL` without waiting for its reply, Spring Data Redis 4's asynchronous ")
			.append("writes, so its column is the cost of sending them; multilevel-cache's evict returns once Redis ")
			.append("applied it). ")
			.append("A tagged put costs three more round trips than an untagged one: the epoch read before it, the ")
			.append("set insert and the epoch read after it.\n\n");
	}

	private void stampede(StringBuilder out, String deeper) {
		List<StampedeScenario.Result> rows = this.results.stampede();
		if (rows.isEmpty()) {
			return;
		}
		out.append(deeper)
			.append(String.format(Locale.ROOT,
					"## 5. Stampede: %,d concurrent cold misses over %d instances, 100 ms loader%n%n",
					this.results.settings().stampedeThreads(), StampedeScenario.INSTANCES));
		header(out, "Configuration", "rounds", "loader calls per round (mean)", "max",
				"time until all callers had the value (ms)");
		for (StampedeScenario.Result row : rows) {
			out.append(String.format(Locale.ROOT, "| %s | %d | %,.1f | %,d | %,.0f |%n", row.variant().label(),
					row.loadsPerRound().size(), row.meanLoads(), row.maxLoads(), row.meanRoundMillis()));
		}
		out.append('\n');
	}

	private void writeBehind(StringBuilder out, String deeper) {
		List<WriteBehindScenario.Result> rows = this.results.writeBehind();
		if (rows.isEmpty()) {
			return;
		}
		out.append(deeper)
			.append(String.format(Locale.ROOT,
					"## 6. Write-behind: %d threads, Zipf(0.99) over %,d keys, database round trip ≈ %d ms%n%n",
					WriteBehindScenario.THREADS, WriteBehindScenario.KEYS,
					WriteBehindScenario.DATABASE_LATENCY.toMillis()));
		double base = find(rows, (row) -> row.strategy() == WriteStrategy.WRITE_THROUGH)
			.map(WriteBehindScenario.Result::putsPerSecond)
			.orElse(Double.NaN);
		header(out, "Strategy", "accepted puts/s", "× write-through", "database round trips", "rows per round trip",
				"rows written per put", "lost writes");
		for (WriteBehindScenario.Result row : rows) {
			out.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %,d | %,.1f | %.3f | %d |%n",
					WriteBehindScenario.propertyValue(row.strategy()), row.putsPerSecond(),
					ratio(row.putsPerSecond(), base), row.databaseCalls(), row.rowsPerCall(),
					(double) row.rowsWritten() / Math.max(1, row.puts()), row.lostWrites()));
		}
		out.append("\nLost writes: keys whose database row differs from the cached value after the instance shut down ")
			.append("(write-behind flushes its queue on shutdown).\n\n");
	}

	private String charts(String link) {
		StringBuilder out = new StringBuilder("Charts: ");
		List<String> files = new Charts(this.results).files();
		for (int i = 0; i < files.size(); i++) {
			out.append((i > 0) ? " · " : "")
				.append('[')
				.append(files.get(i))
				.append("](")
				.append(link)
				.append(files.get(i))
				.append(')');
		}
		return out.append("\n").toString();
	}

	/**
	 * A table's header row and alignment row: the first column left, the figures right.
	 */
	private static void header(StringBuilder out, String... columns) {
		out.append("| ").append(String.join(" | ", columns)).append(" |\n|---");
		out.append("|---:".repeat(columns.length - 1)).append("|\n");
	}

	private static <T> Optional<T> find(List<T> rows, Predicate<T> predicate) {
		return rows.stream().filter(predicate).findFirst();
	}

	private static String ratio(double value, double baseline) {
		if (Double.isNaN(value) || Double.isNaN(baseline) || baseline == 0) {
			return "–";
		}
		return String.format(Locale.ROOT, "%.2f×", value / baseline);
	}

	private static String number(double value, String format) {
		return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, format, value);
	}

	private static String capitalized(String text) {
		return Character.toUpperCase(text.charAt(0)) + text.substring(1);
	}

}
