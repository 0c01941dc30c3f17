package io.github.multilevelcache;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An invalidation that arrives while a reader is between its L2 read and its L1 fill
 * wins: the reader returns what it read but does not keep it in L1.
 */
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
			onB.afterL2Read(() -> {
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
			onB.afterL2Read(null);
			long received = b.bus().statistics().received();
			onA.evict("k");
			await().atMost(Duration.ofSeconds(2)).until(() -> b.bus().statistics().received() > received);
			resume.countDown();
			assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo("old");
			assertThat(b.inL1("products", "k")).isFalse();
			assertThat(onB.get("k")).isNull();
		}
	}

}
