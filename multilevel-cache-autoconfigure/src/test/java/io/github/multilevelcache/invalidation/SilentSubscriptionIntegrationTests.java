package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.UUID;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.RedisProxy;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README, "Coherence": a subscription that stops delivering the instance's own heartbeats
 * (half-open: the connection stays up, Redis and Lettuce see nothing wrong) is dropped
 * and made anew, and every L1 is cleared, so what the instance missed meanwhile is not
 * served. B reaches Redis through a relay that silences its subscriber connection while
 * its commands and heartbeats keep flowing.
 */
@RedisTest
@ExtendWith(OutputCaptureExtension.class)
class SilentSubscriptionIntegrationTests {

	private final String prefix = "silent-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	@Test
	void aSubscriptionThatStopsDeliveringOwnHeartbeatsIsReplacedAndEveryL1Cleared(RedisServer redis,
			CapturedOutput output) {
		try (RedisProxy proxy = RedisProxy.start(redis);
				CacheInstance a = CacheInstance.start(redis, this.prefix).awaitSubscribed();
				CacheInstance b = CacheInstance.start(redis, this.prefix, "spring.data.redis.url=" + proxy.url())
					.awaitSubscribed()) {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> a.bus().peers().containsKey(b.bus().instanceId())
						&& b.bus().peers().containsKey(a.bus().instanceId()));
			a.cache("products").put("k", "old");
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				b.cache("products").get("k");
				return b.inL1("products", "k");
			});
			b.cache("orders").put("o", "order");
			long resubscriptions = b.bus().statistics().resubscriptions();

			assertThat(proxy.silenceSubscribers()).isEqualTo(1);
			// B never hears of this one, and nothing tells B's Lettuce the connection is
			// dead
			a.cache("products").put("k", "new");

			await().atMost(Duration.ofSeconds(8))
				.until(() -> b.bus().statistics().resubscriptions() > resubscriptions && b.bus().isSubscribed());
			assertThat(b.inL1("products", "k")).as("the value B missed the invalidation of is gone").isFalse();
			assertThat(b.inL1("orders", "o")).as("every L1 is cleared").isFalse();
			assertThat(output).contains("The invalidation subscription stopped delivering messages");
			assertThat(b.cache("products").get("k").get()).isEqualTo("new");
			// the new subscription delivers again
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				b.cache("products").get("k");
				return b.inL1("products", "k");
			});
			a.cache("products").put("k", "newer");
			await().atMost(Duration.ofSeconds(2)).until(() -> !b.inL1("products", "k"));
			assertThat(b.cache("products").get("k").get()).isEqualTo("newer");
		}
	}

}
