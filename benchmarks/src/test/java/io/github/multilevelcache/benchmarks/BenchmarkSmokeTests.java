package io.github.multilevelcache.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.multilevelcache.benchmarks.JmhScenarios.HitResult;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The smoke run of every benchmark scenario, in {@code ./mvnw verify}: tiny iterations
 * that prove the benchmarks still run and that the correctness figures hold. It never
 * asserts speed.
 */
@RedisTest
class BenchmarkSmokeTests {

	@Test
	void everyScenarioRunsAndTheCorrectnessFiguresHold(RedisServer redis, @TempDir Path out) throws Exception {
		Results results = BenchmarkMain.run(BenchmarkSettings.smoke(), BenchmarkMain.scenarios("all"), redis);

		assertThat(results.hits()).extracting(HitResult::benchmark, HitResult::kind)
			.containsExactlyInAnyOrder(tuple("l1Hit", ManagerKind.MULTILEVEL), tuple("l1Hit", ManagerKind.CAFFEINE),
					tuple("l1Hit", ManagerKind.NONE), tuple("l2Hit", ManagerKind.MULTILEVEL),
					tuple("l2Hit", ManagerKind.REDIS));

		// scenario 3: acknowledged invalidation never serves an update's older version
		// (G7a)
		assertThat(results.zipf()).hasSize(4).allSatisfy((run) -> assertThat(run.operations()).isPositive());
		assertThat(results.zipf()).extracting(ZipfScenario.Result::kind).contains(ManagerKind.JETCACHE);
		ZipfScenario.Result acknowledged = results.zipf()
			.stream()
			.filter((run) -> run.kind() == ManagerKind.MULTILEVEL_ACK)
			.findFirst()
			.orElseThrow();
		assertThat(acknowledged.reads().count()).isPositive();
		assertThat(acknowledged.staleReads()).isZero();

		// scenario 4: every eviction reached the other instance
		assertThat(results.propagation()).hasSize(2)
			.allSatisfy((run) -> assertThat(run.lost()).isZero())
			.allSatisfy((run) -> assertThat(run.propagation().count())
				.isEqualTo(BenchmarkSettings.smoke().propagationEvents()));

		// scenario 5: one loader call per round with the lease, at most one per instance
		// without it (G1)
		assertThat(results.stampede()).hasSize(5);
		assertThat(results.stampede().get(0).variant()).isEqualTo(StampedeScenario.DISTRIBUTED);
		assertThat(results.stampede().get(0).loadsPerRound()).containsOnly(1L);
		assertThat(results.stampede().get(1).variant()).isEqualTo(StampedeScenario.LOCAL_ONLY);
		assertThat(results.stampede().get(1).loadsPerRound())
			.allSatisfy((loads) -> assertThat(loads).isBetween(1L, (long) StampedeScenario.INSTANCES));

		// scenario 6: write-behind coalesces and loses nothing on shutdown
		WriteBehindScenario.Result writeBehind = results.writeBehind().get(1);
		assertThat(writeBehind.puts()).isPositive();
		assertThat(writeBehind.lostWrites()).isZero();
		assertThat(writeBehind.rowsWritten()).isLessThanOrEqualTo(writeBehind.puts());

		new Report(results).write(out);
		assertThat(out.resolve(Report.TABLE)).content().contains("## 3. Two instances", "## 5. Stampede");
		for (String chart : new Charts(results).files()) {
			assertThat(Files.size(out.resolve(chart))).as(chart).isPositive();
		}
	}

	@Test
	void scenariosCanBeChosen() {
		assertThat(BenchmarkMain.scenarios("all")).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
		assertThat(BenchmarkMain.scenarios("3, 5")).containsExactlyInAnyOrder(3, 5);
	}

}
