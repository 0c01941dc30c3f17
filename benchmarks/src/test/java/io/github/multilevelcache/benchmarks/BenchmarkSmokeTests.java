package io.github.multilevelcache.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.multilevelcache.WriteStrategy;
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

		assertThat(results.hits()).extracting(HitResult::benchmark, HitResult::kind, HitResult::threads)
			.containsExactlyInAnyOrder(tuple("l1Hit", ManagerKind.MULTILEVEL, 1),
					tuple("l1Hit", ManagerKind.CAFFEINE, 1), tuple("l1Hit", ManagerKind.NONE, 1),
					tuple("l1HitSync", ManagerKind.MULTILEVEL, 1), tuple("l1HitSync", ManagerKind.CAFFEINE, 1),
					tuple("l1HitFresh", ManagerKind.MULTILEVEL, 1), tuple("l2Hit", ManagerKind.MULTILEVEL, 1),
					tuple("l2Hit", ManagerKind.REDIS, 1), tuple("l1Hit", ManagerKind.MULTILEVEL, 4),
					tuple("l1Hit", ManagerKind.CAFFEINE, 4), tuple("l1Hit", ManagerKind.NONE, 4));

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
		assertThat(results.propagation()).hasSize(3)
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

		// scenario 6: every key put has its cached value as its database row (nothing
		// lost
		// on shutdown); write-through writes every put, write-behind coalesces
		assertThat(results.writeBehind()).extracting(WriteBehindScenario.Result::strategy)
			.containsExactly(WriteStrategy.WRITE_THROUGH, WriteStrategy.WRITE_BEHIND);
		assertThat(results.writeBehind()).allSatisfy((run) -> {
			assertThat(run.puts()).isPositive();
			assertThat(run.keysPut()).isPositive();
			assertThat(run.lostWrites()).isZero();
			assertThat(run.keysInDatabase()).as("a row for every key put, and only for those").isEqualTo(run.keysPut());
			assertThat(run.rowsWritten()).isGreaterThanOrEqualTo(run.keysPut());
		});
		WriteBehindScenario.Result writeThrough = results.writeBehind().get(0);
		assertThat(writeThrough.rowsWritten()).as("one row per put").isGreaterThanOrEqualTo(writeThrough.puts());
		WriteBehindScenario.Result writeBehind = results.writeBehind().get(1);
		assertThat(writeBehind.rowsWritten()).as("repeated puts of a hot key coalesce").isLessThan(writeBehind.puts());

		// scenario 7: the tag's 1,000 entries left B's L1 in every round
		assertThat(results.tags()).hasSize(1).allSatisfy((run) -> {
			assertThat(run.lost()).isZero();
			assertThat(run.propagation().count()).isEqualTo(run.evictTag().count()).isPositive();
		});

		new Report(results).write(out);
		assertThat(out.resolve(Report.TABLE)).content().contains("## 3. Two instances", "## 5. Stampede");
		for (String chart : new Charts(results).files()) {
			assertThat(Files.size(out.resolve(chart))).as(chart).isPositive();
		}
	}

	@Test
	void scenariosCanBeChosen() {
		assertThat(BenchmarkMain.scenarios("all")).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7);
		assertThat(BenchmarkMain.scenarios("3, 5")).containsExactlyInAnyOrder(3, 5);
	}

}
