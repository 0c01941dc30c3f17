package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.UUID;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acknowledged mode (G7a): a read on any instance that begins after a put returned never
 * sees the older value.
 */
@RedisTest
class AcknowledgedInvalidationTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "ack-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	@Test
	void readsThatBeginAfterAnAcknowledgedPutNeverSeeTheOldValue() throws Exception {
		try (CacheInstance a = CacheInstance.start(this.redis, this.prefix,
				"multilevel-cache.invalidation.mode=acknowledged", "multilevel-cache.invalidation.ack-timeout=2s");
				CacheInstance b = CacheInstance.start(this.redis, this.prefix,
						"multilevel-cache.invalidation.mode=acknowledged")) {
			a.cache("products");
			b.cache("products");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> a.bus().peers().containsKey(b.bus().instanceId())
						&& b.bus().peers().containsKey(a.bus().instanceId()));
			long stale = InvalidationIntegrationTests.measureStaleReads(a.cache("products"), b.cache("products"));
			assertThat(stale).isZero();
			assertThat(a.bus().statistics().ackTimeouts()).isZero();
			assertThat(a.bus().statistics().acksReceived()).isGreaterThanOrEqualTo(300);
		}
	}

	@Test
	void perCacheModeOverridesTheDefault() {
		try (CacheInstance a = CacheInstance.start(this.redis, this.prefix,
				"multilevel-cache.caches.orders.invalidation.mode=acknowledged")) {
			assertThat(a.cache("products").getSettings().invalidationMode().name()).isEqualTo("ASYNC");
			assertThat(a.cache("orders").getSettings().invalidationMode().name()).isEqualTo("ACKNOWLEDGED");
		}
	}

}
