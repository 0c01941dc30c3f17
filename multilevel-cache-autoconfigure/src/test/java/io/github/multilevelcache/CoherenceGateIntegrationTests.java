package io.github.multilevelcache;

import java.time.Duration;
import java.util.UUID;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A freshly started instance (issue 16, item 6): L1 stays unused until the first
 * subscription is confirmed, so that subscription has nothing to clear and what the
 * instance cached once coherent stays; an instance that starts with Redis down serves
 * from L1 degraded, and its later subscription clears that L1.
 */
@RedisTest
class CoherenceGateIntegrationTests {

	private final String prefix = "gate-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	@Test
	void aWarmInstanceKeepsItsL1AfterItsFirstSubscription() throws Exception {
		RedisServer redis = RedisServers.shared();
		try (CacheInstance instance = CacheInstance.start(redis, this.prefix).awaitSubscribed()) {
			MultiLevelCache cache = instance.cache("products");
			cache.put("k", "v");
			assertThat(instance.inL1("products", "k")).isTrue();
			// the old implementation cleared every L1 about 1-1.5 s after start
			Thread.sleep(2_000);
			assertThat(instance.inL1("products", "k")).isTrue();
			assertThat(instance.bus().statistics().resubscriptions()).isEqualTo(1);
			assertThat(cache.getStatistics().l1Hits()).isZero();
			assertThat(cache.get("k").get()).isEqualTo("v");
			assertThat(cache.getStatistics().l1Hits()).isEqualTo(1);
		}
	}

	@Test
	void anInstanceStartedWithRedisDownServesFromL1AndClearsItOnceSubscribed() {
		try (RedisServer redis = RedisServers.startPrivate()) {
			redis.stop();
			try (CacheInstance instance = CacheInstance.start(redis, this.prefix)) {
				MultiLevelCache cache = instance.cache("products");
				await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
					cache.put("k", "degraded");
					assertThat(instance.inL1("products", "k")).as("L1 serves while Redis is down").isTrue();
				});
				redis.start();
				await().atMost(Duration.ofSeconds(15)).until(() -> instance.bus().isSubscribed());
				await().atMost(Duration.ofSeconds(5)).until(() -> !instance.inL1("products", "k"));
			}
		}
	}

}
