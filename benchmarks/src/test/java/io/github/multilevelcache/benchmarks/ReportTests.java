package io.github.multilevelcache.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.github.multilevelcache.WriteStrategy;
import io.github.multilevelcache.benchmarks.JmhScenarios.HitResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report of a run: ratios against the stock managers, the README section, the charts.
 */
class ReportTests {

	static Results sample() {
		Latency reads = new Latency(1_000, 2.5, 900, 1_500, 4_000);
		Latency updates = new Latency(100, 1_300, 2_000, 2_500, 3_000);
		return new Results(BenchmarkSettings.full(),
				new Results.Environment("Linux amd64, 2 cores", "OpenJDK 17", "Redis 7.0", "2026-12-01 23:00 UTC"),
				List.of(new HitResult("l1Hit", ManagerKind.MULTILEVEL, 1, 400, 10, 720),
						new HitResult("l1Hit", ManagerKind.CAFFEINE, 1, 350, 10, 584),
						new HitResult("l1Hit", ManagerKind.NONE, 1, 450, 10, 800),
						new HitResult("l1HitSync", ManagerKind.MULTILEVEL, 1, 420, 10, 720),
						new HitResult("l1HitSync", ManagerKind.CAFFEINE, 1, 300, 10, 584),
						new HitResult("l1HitFresh", ManagerKind.MULTILEVEL, 1, 450, 10, 720),
						new HitResult("l1Hit", ManagerKind.MULTILEVEL, 4, 200, 5, 720),
						new HitResult("l1Hit", ManagerKind.CAFFEINE, 4, 100, 5, 584),
						new HitResult("l2Hit", ManagerKind.MULTILEVEL, 1, 150_000, 1_000, 7_400),
						new HitResult("l2Hit", ManagerKind.REDIS, 1, 140_000, 1_000, 7_000)),
				List.of(new ZipfScenario.Result(ManagerKind.REDIS, ZipfScenario.Workload.PLAIN_COLD, 600_000, 30, reads,
						updates, 630_000, 30_000, 800, List.of(), java.util.Map.of(), Double.NaN,
						new CpuSample.PerOperation(40.0, java.util.Map.of(), 10.0)),
						new ZipfScenario.Result(ManagerKind.JETCACHE, ZipfScenario.Workload.PLAIN_COLD, 750_000, 30,
								reads, updates, 500_000, 30_000, 100, List.of(), java.util.Map.of(), Double.NaN,
								new CpuSample.PerOperation(40.0, java.util.Map.of(), 10.0)),
						new ZipfScenario.Result(ManagerKind.MULTILEVEL_ACK, ZipfScenario.Workload.PLAIN_COLD, 900_000,
								30, reads, updates, 450_000, 25_000, 0,
								List.of(new ZipfScenario.InstanceFigures(750, 250, 10, 12, 0, 5, 1, 4, 2, 3_000_000, 0,
										0, 0)),
								java.util.Map.of(), Double.NaN,
								new CpuSample.PerOperation(40.0, java.util.Map.of(), 10.0))),
				List.of(new PropagationScenario.Result(ManagerKind.MULTILEVEL, reads, updates, 0)),
				List.of(new StampedeScenario.Result(StampedeScenario.DISTRIBUTED, List.of(1L, 1L), 400),
						new StampedeScenario.Result(StampedeScenario.REDIS, List.of(900L, 1_000L), 500)),
				List.of(new WriteBehindScenario.Result(WriteStrategy.WRITE_THROUGH, 40_000, 10, 40_000, 40_000, 0,
						1_000, 1_000),
						new WriteBehindScenario.Result(WriteStrategy.WRITE_BEHIND, 100_000, 10, 500, 50_000, 0, 1_000,
								1_000)),
				List.of(new TagEvictionScenario.Result(java.time.Duration.ZERO,
						new Latency(10, 20_000, 25_000, 25_000, 25_000), new Latency(10, 1_000, 2_000, 2_000, 2_000), 0,
						new Latency(10, 80_000, 90_000, 90_000, 90_000),
						new Latency(10, 50_000, 60_000, 60_000, 60_000), new Latency(10, 400, 500, 500, 500),
						new Latency(10, 100, 150, 150, 150))));
	}

	@Test
	void tablesGiveEveryFigureWithItsRatioToTheStockManager(@TempDir Path out) throws Exception {
		new Report(sample()).write(out);
		String table = Files.readString(out.resolve(Report.TABLE));
		assertThat(table).contains("## 7. Evicting a tag of 1,000 entries")
			.contains("| loopback | 10 | 20.0 | 25.0 | 1.0 | 0 | 80.0 | 50.0 | 0.25× | 4.00× |");
		assertThat(table).contains("| multilevel (async) | 1 | 400.0 | 10.0 | 720 | 1.14× (goal ≤ 1.10×) |")
			.contains("| multilevel (async), sync = true | 1 | 420.0 | 10.0 | 720 | 1.40× (goal ≤ 1.10×) |")
			.contains(
					"| multilevel (async), sync = true, freshness checks | 1 | 450.0 | 10.0 | 720 | 1.50× (goal ≤ 1.10×) |")
			.contains("| multilevel (async) | 4 | 200.0 | 5.0 | 720 | 2.00× (goal ≤ 1.10×) |")
			.contains("| RedisCacheManager | 20,000 | 1.00× |")
			.contains("| multilevel (acknowledged) | 30,000 | 1.50× | 1.20× |")
			.contains("| 0.750 | 10/12 |")
			.contains("| 0.500 | 0.48× |")
			.contains("| RedisCacheManager, sync = true | 2 | 950.0 | 1,000 | 500 |")
			.contains("| write-behind | 10,000 | 2.50× | 500 | 100.0 | 0.500 | 0 |")
			.contains("Charts: [l1-hit.png](l1-hit.png)");
		for (String chart : new Charts(sample()).files()) {
			assertThat(Files.size(out.resolve(chart))).as(chart).isGreaterThan(1_000);
		}
	}

	@Test
	void theReadmeSectionIsReplacedAndLinksTheCharts(@TempDir Path directory) throws Exception {
		Path readme = directory.resolve("README.md");
		Files.writeString(readme,
				"# Title\n\n" + Report.README_START + "\nold table\n" + Report.README_END + "\n\n## Next\n");
		new Report(sample()).updateReadme(readme, directory.resolve("benchmarks/results"));
		String text = Files.readString(readme);
		assertThat(text).doesNotContain("old table")
			.contains("### 1. L1 hit through `@Cacheable`")
			.contains("(benchmarks/results/l1-hit.png)")
			.endsWith(Report.README_END + "\n\n## Next\n");
	}

}
