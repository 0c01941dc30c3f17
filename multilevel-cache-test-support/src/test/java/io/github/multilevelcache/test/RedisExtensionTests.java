package io.github.multilevelcache.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RedisExtension} injects the shared server by default and private servers for
 * {@link PrivateRedis}, stopping each when its scope ends. The scenarios run in a nested
 * engine, so their servers can be checked after the extension's callbacks have run.
 */
class RedisExtensionTests {

	/** Every private server a scenario saw, in order; reset before each scenario. */
	static final List<RedisServer> seen = new CopyOnWriteArrayList<>();

	@BeforeEach
	void reset() {
		seen.clear();
	}

	@Test
	void injectsTheSharedServerByDefault() {
		run(SharedScenario.class, 1);
	}

	@Test
	void privateServerOfATestIsStoppedAfterIt() {
		run(TestMethodScenario.class, 2);
		assertThat(seen).hasSize(2).doesNotHaveDuplicates().noneMatch(RedisServer::isAlive);
	}

	@Test
	void privateServerOfBeforeEachAndOfAPerMethodConstructorIsStoppedAfterTheTest() {
		run(PerMethodScenario.class, 2);
		assertThat(seen).hasSize(4).doesNotHaveDuplicates().noneMatch(RedisServer::isAlive);
	}

	@Test
	void privateServerOfBeforeAllIsStoppedAfterTheClass() {
		run(BeforeAllScenario.class, 2);
		assertThat(seen).hasSize(1).noneMatch(RedisServer::isAlive);
	}

	@Test
	void privateServerOfAPerClassConstructorIsStoppedAfterTheClass() {
		run(PerClassScenario.class, 2);
		assertThat(seen).hasSize(1).noneMatch(RedisServer::isAlive);
	}

	private static void run(Class<?> scenario, int tests) {
		EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
			.selectors(DiscoverySelectors.selectClass(scenario))
			.execute();
		List<Throwable> failures = results.allEvents()
			.failed()
			.stream()
			.map((event) -> event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
			.toList();
		assertThat(failures).isEmpty();
		assertThat(results.testEvents().succeeded().count()).isEqualTo(tests);
	}

	private static void assertRunning(RedisServer server) {
		assertThat(server.isManaged()).isTrue();
		assertThat(server.command("PING")).isEqualTo("PONG");
	}

	@RedisTest
	static class SharedScenario {

		@Test
		void sharedServer(RedisServer server) {
			assertThat(server).isSameAs(RedisServers.shared());
			assertThat(server.command("PING")).isEqualTo("PONG");
		}

	}

	@RedisTest
	static class TestMethodScenario {

		@Test
		void first(@PrivateRedis RedisServer server) {
			assertThat(server).isNotSameAs(RedisServers.shared());
			assertRunning(server);
			seen.add(server);
		}

		@Test
		void second(@PrivateRedis RedisServer server) {
			assertRunning(server);
			assertThat(seen).as("servers of the previous test").noneMatch(RedisServer::isAlive);
			seen.add(server);
		}

	}

	@RedisTest
	static class PerMethodScenario {

		private final RedisServer fromConstructor;

		private RedisServer fromBeforeEach;

		PerMethodScenario(@PrivateRedis RedisServer server) {
			this.fromConstructor = server;
			seen.add(server);
		}

		@BeforeEach
		void start(@PrivateRedis RedisServer server) {
			this.fromBeforeEach = server;
			seen.add(server);
		}

		@Test
		void first() {
			assertOnlyOwnServersRun();
		}

		@Test
		void second() {
			assertOnlyOwnServersRun();
		}

		private void assertOnlyOwnServersRun() {
			assertRunning(this.fromConstructor);
			assertRunning(this.fromBeforeEach);
			assertThat(seen).filteredOn((server) -> server != this.fromConstructor && server != this.fromBeforeEach)
				.as("servers of the previous test")
				.noneMatch(RedisServer::isAlive);
		}

		@AfterEach
		void stillRunningInAfterEach() {
			assertRunning(this.fromConstructor);
		}

	}

	@RedisTest
	static class BeforeAllScenario {

		private static RedisServer server;

		@BeforeAll
		static void start(@PrivateRedis RedisServer server) {
			BeforeAllScenario.server = server;
			seen.add(server);
		}

		@Test
		void first() {
			assertRunning(server);
		}

		@Test
		void second() {
			assertRunning(server);
		}

	}

	@RedisTest
	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	static class PerClassScenario {

		private final RedisServer server;

		PerClassScenario(@PrivateRedis RedisServer server) {
			this.server = server;
			seen.add(server);
		}

		@Test
		void first() {
			assertRunning(this.server);
		}

		@Test
		void second() {
			assertRunning(this.server);
		}

	}

}
