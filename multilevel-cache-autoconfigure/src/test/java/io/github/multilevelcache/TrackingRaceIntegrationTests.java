package io.github.multilevelcache;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code invalidation.transport=tracking}, an invalidation Redis announces while a
 * read of the key is between its L2 read and its L1 fill wins, as a pub/sub message does
 * ({@link InvalidationRaceTests}): the reader returns what it read but does not keep it.
 * The change comes from another program, which only tracking can hear.
 */
@RedisTest
class TrackingRaceIntegrationTests {

	private static RedisServer redis;

	private final String prefix = "trk-race-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	@BeforeAll
	static void startRedis() {
		redis = RedisServers.startPrivate();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void anExternalWriteRacingAnL2ReadLeavesNoStaleL1() throws Exception {
		try (CacheInstance a = CacheInstance.start(redis, this.prefix,
				"multilevel-cache.invalidation.transport=tracking",
				"multilevel-cache.invalidation.channel=" + this.prefix + "invalidation")) {
			MultiLevelCache cache = a.cache("products");
			await().atMost(Duration.ofSeconds(10)).until(() -> a.bus().isSubscribed());
			cache.put("k", "old");
			// the put's own announcement has dropped it from L1: the next read goes to
			// Redis
			await().atMost(Duration.ofSeconds(2)).until(() -> !a.inL1("products", "k"));
			CountDownLatch readL2 = new CountDownLatch(1);
			CountDownLatch resume = new CountDownLatch(1);
			cache.loads().afterL2Read(() -> {
				readL2.countDown();
				try {
					resume.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
			CompletableFuture<Object> reader = CompletableFuture.supplyAsync(() -> cache.get("k").get());
			assertThat(readL2.await(5, TimeUnit.SECONDS)).isTrue();
			cache.loads().afterL2Read(null);
			long received = a.bus().statistics().received();
			// another program deletes the key: no message of ours, only Redis's
			// announcement
			redis.command("DEL", cache.canonicalKey("k"));
			await().atMost(Duration.ofSeconds(2)).until(() -> a.bus().statistics().received() > received);
			resume.countDown();
			assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo("old");
			assertThat(a.inL1("products", "k")).as("L1 keeps a value Redis no longer holds").isFalse();
			assertThat(cache.get("k")).isNull();
		}
	}

}
