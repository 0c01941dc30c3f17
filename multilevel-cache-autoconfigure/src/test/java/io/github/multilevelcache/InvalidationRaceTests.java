package io.github.multilevelcache;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An invalidation that arrives while a reader is between its L2 read and its L1 fill
 * wins: the reader returns what it read but does not keep it in L1.
 */
@RedisTest
class InvalidationRaceTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "race-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	@Test
	void evictRacingAnL2ReadLeavesNoStaleL1() throws Exception {
		try (CacheInstance a = CacheInstance.start(this.redis, this.prefix);
				CacheInstance b = CacheInstance.start(this.redis, this.prefix)) {
			MultiLevelCache onA = a.cache("products");
			MultiLevelCache onB = b.cache("products");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> a.bus().peers().containsKey(b.bus().instanceId())
						&& b.bus().peers().containsKey(a.bus().instanceId()));
			onA.put("k", "old");
			CountDownLatch readL2 = new CountDownLatch(1);
			CountDownLatch resume = new CountDownLatch(1);
			onB.loads().afterL2Read(() -> {
				readL2.countDown();
				try {
					resume.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
			CompletableFuture<Object> reader = CompletableFuture.supplyAsync(() -> onB.get("k").get());
			assertThat(readL2.await(5, TimeUnit.SECONDS)).isTrue();
			onB.loads().afterL2Read(null);
			long received = b.bus().statistics().received();
			onA.evict("k");
			await().atMost(Duration.ofSeconds(2)).until(() -> b.bus().statistics().received() > received);
			resume.countDown();
			assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo("old");
			assertThat(b.inL1("products", "k")).isFalse();
			assertThat(onB.get("k")).isNull();
		}
	}

	@Test
	void aPutOvertakenInRedisByAnotherInstancesPutIsNotKeptInItsL1() throws Exception {
		try (CacheInstance a = CacheInstance.start(this.redis, this.prefix);
				CacheInstance b = CacheInstance.start(this.redis, this.prefix)) {
			MultiLevelCache onA = a.cache("products");
			MultiLevelCache onB = b.cache("products");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> a.bus().peers().containsKey(b.bus().instanceId())
						&& b.bus().peers().containsKey(a.bus().instanceId()));
			CountDownLatch written = new CountDownLatch(1);
			CountDownLatch resume = new CountDownLatch(1);
			onB.writes().beforeL1Store(() -> {
				written.countDown();
				try {
					resume.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
			CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> onB.put("k", "from-b"));
			assertThat(written.await(5, TimeUnit.SECONDS)).isTrue();
			onB.writes().beforeL1Store(null);
			// B's write went to Redis first; A's follows it there and its message reaches
			// B before B's put stores in L1
			await().atMost(Duration.ofSeconds(2))
				.until(() -> "1".equals(this.redis.command("EXISTS", this.prefix + "products::k")));
			long received = b.bus().statistics().received();
			onA.put("k", "from-a");
			await().atMost(Duration.ofSeconds(2)).until(() -> b.bus().statistics().received() > received);
			resume.countDown();
			writer.get(5, TimeUnit.SECONDS);
			assertThat(b.inL1("products", "k")).as("B keeps the value Redis no longer holds").isFalse();
			assertThat(onB.get("k").get()).isEqualTo("from-a");
		}
	}

}
