package io.github.multilevelcache;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.github.multilevelcache.L2Commands.Swap;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The guarded store's compare-and-set ({@link LettuceL2Commands#replaceIfEquals}) on a
 * real server: one native {@code SET ... IFEQ ... GET} where the server has it (Redis 8.4
 * and later, Valkey 8.1 and later; the binary named by
 * {@code MULTILEVEL_CACHE_TEST_IFEQ_SERVER}), the script where it has not (the Redis 7
 * these machines run), with the same answers on both.
 */
@RedisTest
class CompareAndSetIntegrationTests {

	private static final byte[] KEY = RedisTestSupport.utf8("cas:k");

	private static final byte[] GUARD = RedisTestSupport.utf8("guard");

	@Test
	void aServerWithoutIfeqAnswersThroughTheScript() {
		RedisServer redis = RedisServers.shared();
		assumeTrue(!supportsIfeq(redis), "the shared server has IFEQ");
		Map<String, Long> before = redis.commandStats();
		assertSameAnswers(redis);
		Map<String, Long> after = redis.commandStats();
		assertThat(delta(before, after, "evalsha") + delta(before, after, "eval")).as("one script per store")
			.isGreaterThanOrEqualTo(3);
	}

	@Test
	void aServerWithIfeqStoresInOneCommand() {
		Optional<String> binary = RedisServers.compareAndSetServerBinary();
		assumeTrue(binary.isPresent(), "MULTILEVEL_CACHE_TEST_IFEQ_SERVER names no server binary");
		try (RedisServer redis = RedisServers.startPrivate(binary.get())) {
			assertThat(supportsIfeq(redis)).as("the server named by MULTILEVEL_CACHE_TEST_IFEQ_SERVER has IFEQ")
				.isTrue();
			Map<String, Long> before = redis.commandStats();
			assertSameAnswers(redis);
			Map<String, Long> after = redis.commandStats();
			assertThat(delta(before, after, "evalsha") + delta(before, after, "eval")).as("no script").isZero();
			// the test's own SETs and GETs, plus exactly one SET per store
			assertThat(delta(before, after, "set")).isEqualTo(2 + 3);
		}
	}

	/**
	 * Three stores: over the guard (stored, with its TTL), over a value (refused, reports
	 * it), over nothing (refused, creates nothing).
	 */
	private void assertSameAnswers(RedisServer redis) {
		LettuceConnectionFactory factory = RedisTestSupport.connectionFactory(redis);
		try {
			LettuceL2Commands commands = new LettuceL2Commands(factory, Duration.ofSeconds(5));
			redis.commandBytes(RedisTestSupport.utf8("SET"), KEY, GUARD);
			Swap stored = commands.replaceIfEquals(KEY, GUARD, RedisTestSupport.utf8("loaded"), 60_000).join();
			assertThat(stored.stored()).isTrue();
			assertThat(redis.command("GET", "cas:k")).isEqualTo("loaded");
			assertThat(Long.parseLong(redis.command("PTTL", "cas:k"))).isBetween(1L, 60_000L);

			redis.commandBytes(RedisTestSupport.utf8("SET"), KEY, RedisTestSupport.utf8("written meanwhile"));
			Swap lost = commands.replaceIfEquals(KEY, GUARD, RedisTestSupport.utf8("late"), 0).join();
			assertThat(lost.stored()).isFalse();
			assertThat(lost.current()).isEqualTo(RedisTestSupport.utf8("written meanwhile"));
			assertThat(redis.command("GET", "cas:k")).isEqualTo("written meanwhile");

			redis.command("DEL", "cas:k");
			Swap absent = commands.replaceIfEquals(KEY, GUARD, RedisTestSupport.utf8("late"), 0).join();
			assertThat(absent.stored()).isFalse();
			assertThat(absent.current()).isNull();
			assertThat(redis.command("EXISTS", "cas:k")).isEqualTo("0");
		}
		finally {
			factory.destroy();
		}
	}

	static boolean supportsIfeq(RedisServer redis) {
		redis.command("DEL", "cas:probe");
		try {
			redis.command("SET", "cas:probe", "v", "IFEQ", "v");
			return true;
		}
		catch (IllegalStateException ex) {
			// an error reply: ERR syntax error
			return false;
		}
	}

	private static long delta(Map<String, Long> before, Map<String, Long> after, String command) {
		return after.getOrDefault(command, 0L) - before.getOrDefault(command, 0L);
	}

}
