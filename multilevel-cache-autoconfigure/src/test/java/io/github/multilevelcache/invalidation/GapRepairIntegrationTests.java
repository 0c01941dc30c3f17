package io.github.multilevelcache.invalidation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.invalidation.InvalidationMessage.Heartbeat;
import io.github.multilevelcache.invalidation.InvalidationMessage.Invalidate;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README, "Coherence": a skipped sequence number, or a heartbeat announcing one not
 * received, clears that cache's L1, and only that cache's. The gap is injected as crafted
 * messages of a sender that does not exist, published on the real channel, or by losing
 * one real message of another instance.
 */
@RedisTest
class GapRepairIntegrationTests {

	private final String prefix = "gap-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final UUID fakeSender = UUID.randomUUID();

	private CacheInstance a;

	private CacheInstance b;

	@AfterEach
	void stop() {
		for (CacheInstance instance : new CacheInstance[] { this.a, this.b }) {
			if (instance != null) {
				instance.close();
			}
		}
	}

	@Test
	void aSequenceNumberSkippedByTheNextMessageClearsOnlyThatCachesL1(RedisServer redis) {
		this.b = CacheInstance.start(redis, this.prefix).awaitSubscribed();
		warm(this.b);
		long gaps = this.b.bus().statistics().gaps();
		publish(redis, invalidate(1, "unrelated-1"));
		// 2 never comes
		publish(redis, invalidate(3, "unrelated-3"));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.b.bus().statistics().gaps() > gaps);
		await().atMost(Duration.ofSeconds(2))
			.until(() -> !this.b.inL1("products", "p1") && !this.b.inL1("products", "p2"));
		assertThat(this.b.inL1("orders", "o1")).as("another cache of the same instance keeps its L1").isTrue();
		assertThat(this.b.bus().statistics().gaps()).as("one gap, one clear").isEqualTo(gaps + 1);
		assertThat(this.b.cache("products").get("p1").get()).isEqualTo("product-1");
	}

	@Test
	void consecutiveSequenceNumbersClearNothing(RedisServer redis) {
		this.b = CacheInstance.start(redis, this.prefix).awaitSubscribed();
		warm(this.b);
		long received = this.b.bus().statistics().received();
		publish(redis, invalidate(1, "unrelated-1"));
		publish(redis, invalidate(2, "unrelated-2"));
		publish(redis, invalidate(3, "unrelated-3"));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.b.bus().statistics().received() >= received + 3);
		// the gap check runs every 50 ms: let several pass, then nothing may have been
		// cleared
		long checks = System.nanoTime() + Duration.ofMillis(500).toNanos();
		await().atMost(Duration.ofSeconds(2)).until(() -> System.nanoTime() > checks);
		assertThat(this.b.bus().statistics().gaps()).isZero();
		assertThat(this.b.inL1("products", "p1")).isTrue();
		assertThat(this.b.inL1("orders", "o1")).isTrue();
	}

	@Test
	void aHeartbeatAnnouncingANumberNotReceivedClearsOnlyThatCachesL1(RedisServer redis) {
		this.b = CacheInstance.start(redis, this.prefix).awaitSubscribed();
		warm(this.b);
		long gaps = this.b.bus().statistics().gaps();
		publish(redis, invalidate(1, "unrelated-1"));
		publish(redis, new Heartbeat(this.fakeSender, Map.of("products", 2L)));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.b.bus().statistics().gaps() > gaps);
		await().atMost(Duration.ofSeconds(2)).until(() -> !this.b.inL1("products", "p1"));
		assertThat(this.b.inL1("products", "p2")).isFalse();
		assertThat(this.b.inL1("orders", "o1")).as("another cache of the same instance keeps its L1").isTrue();
	}

	@Test
	void aLostMessageOfAnotherInstanceClearsOnlyThatCachesL1(RedisServer redis) {
		this.a = CacheInstance.start(redis, this.prefix).awaitSubscribed();
		this.b = CacheInstance.start(redis, this.prefix).awaitSubscribed();
		this.a.cache("products");
		this.a.cache("orders");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.b.bus().peers().containsKey(this.a.bus().instanceId()));
		// A's first message of the cache sets B's baseline
		this.a.cache("products").put("baseline", "b");
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.b.bus().peers().get(this.a.bus().instanceId()).sequences().get("products") != null);
		warm(this.b);
		long gaps = this.b.bus().statistics().gaps();
		this.a.bus().dropNextPublication();
		this.a.cache("products").put("p1", "product-1-changed");
		this.a.cache("products").put("unrelated", "x");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.b.bus().statistics().gaps() > gaps);
		await().atMost(Duration.ofSeconds(2)).until(() -> !this.b.inL1("products", "p2"));
		assertThat(this.b.inL1("products", "p1")).isFalse();
		assertThat(this.b.inL1("orders", "o1")).as("another cache of the same instance keeps its L1").isTrue();
		assertThat(this.b.cache("products").get("p1").get()).isEqualTo("product-1-changed");
	}

	/**
	 * Puts on B itself: B's own writes stay in its L1 (nobody invalidates them).
	 */
	private static void warm(CacheInstance instance) {
		instance.cache("products").put("p1", "product-1");
		instance.cache("products").put("p2", "product-2");
		instance.cache("orders").put("o1", "order-1");
		assertThat(instance.inL1("products", "p1")).isTrue();
		assertThat(instance.inL1("products", "p2")).isTrue();
		assertThat(instance.inL1("orders", "o1")).isTrue();
	}

	private Invalidate invalidate(long sequence, String key) {
		return new Invalidate(this.fakeSender, "products", Operation.EVICT, sequence,
				List.of(this.prefix + "products::" + key), false);
	}

	private void publish(RedisServer redis, InvalidationMessage message) {
		redis.commandBytes(utf8("PUBLISH"), utf8(this.prefix + "invalidation"), MessageCodec.encode(message));
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
