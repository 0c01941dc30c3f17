package io.github.multilevelcache;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Redis ACL user that may only touch keys under the prefix and the invalidation
 * channels works with every feature, and nothing is written outside the prefix.
 */
@RedisTest
class AclIntegrationTests {

	private static final String PREFIX = "shop:";

	private RedisServer redis;

	@BeforeEach
	void start() {
		this.redis = RedisServers.startPrivate();
		this.redis.command("ACL", "SETUSER", "cache", "on", ">s3cret", "~" + PREFIX + "*",
				"&" + PREFIX + "invalidation*", "-@all", "+get", "+set", "+del", "+unlink", "+scan", "+eval",
				"+evalsha", "+publish", "+subscribe", "+unsubscribe", "+ping", "+pexpire", "+hello", "+client|setname",
				"+info");
		this.redis.command("SET", "outside", "untouched");
	}

	@AfterEach
	void stop() {
		this.redis.close();
	}

	@Test
	void everyFeatureWorksForAUserRestrictedToThePrefix() throws Exception {
		String url = "redis://cache:s3cret@" + this.redis.host() + ":" + this.redis.port();
		try (CacheInstance a = CacheInstance.start(this.redis, PREFIX, "spring.data.redis.url=" + url,
				"multilevel-cache.defaults.refresh-ahead.ratio=0.5");
				CacheInstance b = CacheInstance.start(this.redis, PREFIX, "spring.data.redis.url=" + url)) {
			await().atMost(Duration.ofSeconds(10)).until(() -> a.bus().isSubscribed() && b.bus().isSubscribed());
			MultiLevelCache onA = a.cache("products");
			MultiLevelCache onB = b.cache("products");
			assertThat(onA.get("1", () -> "one")).isEqualTo("one");
			assertThat(onB.get("1").get()).isEqualTo("one");
			assertThat(onA.putIfAbsent("2", "two")).isNull();
			assertThat(onB.putIfAbsent("2", "other").get()).isEqualTo("two");
			CompletableFuture<?> retrieved = onB.retrieve("2");
			assertThat(retrieved.get(5, TimeUnit.SECONDS)).isNotNull();
			assertThat(onA.retrieve("3", () -> CompletableFuture.completedFuture("three")).get(5, TimeUnit.SECONDS))
				.isEqualTo("three");
			onA.put("1", "uno");
			await().atMost(Duration.ofSeconds(5)).until(() -> !b.inL1("products", "1"));
			assertThat(onB.get("1").get()).isEqualTo("uno");
			assertThat(onA.evictIfPresent("1")).isTrue();
			onA.clear();
			await().atMost(Duration.ofSeconds(5)).until(() -> !b.inL1("products", "2"));
			assertThat(onB.get("2")).isNull();
			assertThat(onA.getStatistics().l2Errors()).isZero();
			assertThat(onB.getStatistics().l2Errors()).isZero();
			assertThat(a.bus().statistics().publishFailures()).isZero();
		}
		List<String> keys = Arrays.asList(this.redis.command("KEYS", "*").split("\n"));
		assertThat(keys).allSatisfy((key) -> assertThat(key.equals("outside") || key.startsWith(PREFIX)).isTrue());
		assertThat(this.redis.command("GET", "outside")).isEqualTo("untouched");
	}

}
