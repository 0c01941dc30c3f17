package io.github.multilevelcache;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache.ValueWrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README, "Coherence": a reader that read Redis before an invalidation arrived does not
 * put what it read into L1, for the asynchronous {@code retrieve(key)} too. B reaches
 * Redis through a relay that holds the reply of B's {@code GET} (Redis has already
 * answered it with the old value) while A's put changes the key and B's subscription
 * delivers A's invalidation; then the reply is let through.
 */
@RedisTest
class AsyncRetrieveRaceIntegrationTests {

	private final String prefix = "retrieve-race-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	@Test
	void retrieveThatReadTheOldValueBeforeAnInvalidationArrivedDoesNotFillL1(RedisServer redis) throws Exception {
		try (RedisProxy proxy = RedisProxy.start(redis);
				CacheInstance a = CacheInstance.start(redis, this.prefix).awaitSubscribed();
				CacheInstance b = CacheInstance.start(redis, this.prefix, "spring.data.redis.url=" + proxy.url(),
						// the held reply must not time out: the read has to succeed
						"multilevel-cache.resilience.l2-timeout=10s")
					.awaitSubscribed()) {
			MultiLevelCache onA = a.cache("products");
			MultiLevelCache onB = b.cache("products");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> a.bus().peers().containsKey(b.bus().instanceId())
						&& b.bus().peers().containsKey(a.bus().instanceId()));
			onA.put("k", "old-value-7f3a");
			assertThat(b.inL1("products", "k")).isFalse();

			proxy.holdCommandReplies();
			CompletableFuture<?> reading = onB.retrieve("k");
			assertThat(reading).isNotNull();
			// Redis answered B's GET with the old value: the read is before the put
			await().atMost(Duration.ofSeconds(5)).until(() -> proxy.heldRepliesContain("old-value-7f3a"));
			long received = b.bus().statistics().received();
			onA.put("k", "new-value-51c9");
			await().atMost(Duration.ofSeconds(5)).until(() -> b.bus().statistics().received() > received);
			assertThat(reading).as("B's reply is still held").isNotDone();
			proxy.releaseCommandReplies();

			Object read = reading.get(5, TimeUnit.SECONDS);
			assertThat(read).isInstanceOf(ValueWrapper.class);
			assertThat(((ValueWrapper) read).get()).as("the read began before the put").isEqualTo("old-value-7f3a");
			assertThat(b.inL1("products", "k")).as("the old value was not put into L1").isFalse();
			Object again = onB.retrieve("k").get(5, TimeUnit.SECONDS);
			assertThat(((ValueWrapper) again).get()).isEqualTo("new-value-51c9");
		}
	}

	@Test
	void retrieveThatReadTheValueBeforeAnEvictArrivedDoesNotFillL1(RedisServer redis) throws Exception {
		try (RedisProxy proxy = RedisProxy.start(redis);
				CacheInstance a = CacheInstance.start(redis, this.prefix).awaitSubscribed();
				CacheInstance b = CacheInstance
					.start(redis, this.prefix, "spring.data.redis.url=" + proxy.url(),
							"multilevel-cache.resilience.l2-timeout=10s")
					.awaitSubscribed()) {
			MultiLevelCache onA = a.cache("products");
			MultiLevelCache onB = b.cache("products");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> a.bus().peers().containsKey(b.bus().instanceId())
						&& b.bus().peers().containsKey(a.bus().instanceId()));
			onA.put("gone", "evicted-value-2d8e");

			proxy.holdCommandReplies();
			CompletableFuture<?> reading = onB.retrieve("gone");
			await().atMost(Duration.ofSeconds(5)).until(() -> proxy.heldRepliesContain("evicted-value-2d8e"));
			long received = b.bus().statistics().received();
			onA.evict("gone");
			await().atMost(Duration.ofSeconds(5)).until(() -> b.bus().statistics().received() > received);
			proxy.releaseCommandReplies();

			Object read = reading.get(5, TimeUnit.SECONDS);
			assertThat(((ValueWrapper) read).get()).isEqualTo("evicted-value-2d8e");
			assertThat(b.inL1("products", "gone")).as("the evicted value was not put into L1").isFalse();
			assertThat(onB.retrieve("gone").get(5, TimeUnit.SECONDS)).isNull();
		}
	}

}
