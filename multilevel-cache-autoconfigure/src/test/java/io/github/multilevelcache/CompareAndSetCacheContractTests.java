package io.github.multilevelcache;

import java.util.Optional;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole cache contract on a server whose {@code SET} takes {@code IFEQ} (Redis 8.4
 * and later, Valkey 8.1 and later: the binary named by
 * {@code MULTILEVEL_CACHE_TEST_IFEQ_SERVER}), where guarded stores are one native command
 * instead of a script; skipped when no such binary is named.
 */
@RedisTest
class CompareAndSetCacheContractTests extends RedisCacheContractTests {

	private static @Nullable RedisServer redis;

	@BeforeAll
	static void startServer() {
		Optional<String> binary = RedisServers.compareAndSetServerBinary();
		assumeTrue(binary.isPresent(), "MULTILEVEL_CACHE_TEST_IFEQ_SERVER names no server binary");
		redis = RedisServers.startPrivate(binary.get());
		assertThat(CompareAndSetIntegrationTests.supportsIfeq(redis)).isTrue();
	}

	@AfterAll
	static void stopServer() {
		if (redis != null) {
			redis.close();
		}
	}

	@Override
	protected RedisServer server() {
		return redis;
	}

}
