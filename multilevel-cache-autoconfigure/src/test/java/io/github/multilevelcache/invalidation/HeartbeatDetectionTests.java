package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.UUID;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What one heartbeat detects (G6), with two instances whose heartbeats, gap checks and
 * epoch checks run only when the test calls {@code tickNow()}: detection is asserted in
 * heartbeats, not in wall-clock time, so a loaded machine cannot make it flaky.
 * {@link InvalidationIntegrationTests} checks that the heartbeats also run by themselves.
 */
@RedisTest
class HeartbeatDetectionTests {

	private static RedisServer redis;

	private CacheInstance x;

	private CacheInstance y;

	@BeforeAll
	static void startRedis() {
		// a server of this class's own: a test flushes it
		redis = RedisServers.startPrivate();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void startInstances() {
		String prefix = "beat-" + UUID.randomUUID().toString().substring(0, 8) + ":";
		this.x = start(prefix);
		this.y = start(prefix);
		// both know the current epoch (the start-up tick may have come before Redis
		// answered)
		this.x.bus().tickNow();
		this.y.bus().tickNow();
	}

	private static CacheInstance start(String prefix) {
		CacheInstance instance = CacheInstance.start(redis, prefix,
				"multilevel-cache.invalidation.heartbeat-interval=1h", "multilevel-cache.invalidation.peer-timeout=2h");
		instance.cache("products");
		return instance.awaitSubscribed();
	}

	@AfterEach
	void stopInstances() {
		for (CacheInstance instance : new CacheInstance[] { this.x, this.y }) {
			if (instance != null) {
				instance.close();
			}
		}
	}

	/**
	 * Puts on X and reads on Y until Y's L1 holds the value (a read that races the put's
	 * own invalidation rightly does not fill L1).
	 */
	private void warm(String key, Object value) {
		this.x.cache("products").put(key, value);
		await().atMost(Duration.ofSeconds(5)).until(() -> {
			assertThat(this.y.cache("products").get(key).get()).isEqualTo(value);
			return this.y.inL1("products", key);
		});
	}

	@Test
	void lostMessageIsDetectedByTheNextHeartbeat() {
		warm("6", "v1");
		warm("7", "w1");
		long gaps = this.y.bus().statistics().gaps();
		this.x.bus().dropNextPublication();
		this.x.cache("products").put("6", "v2");
		assertThat(this.y.cache("products").get("6").get()).as("no heartbeat yet: the loss is unnoticed")
			.isEqualTo("v1");
		// one heartbeat of X announces the number Y never received; Y's gap check clears
		// the cache once the reorder grace (100 ms) passed
		this.x.bus().tickNow();
		await().atMost(Duration.ofSeconds(5)).until(() -> {
			this.y.bus().tickNow();
			return !this.y.inL1("products", "6");
		});
		assertThat(this.y.bus().statistics().gaps()).isEqualTo(gaps + 1);
		assertThat(this.y.inL1("products", "7")).as("the whole cache was cleared").isFalse();
		assertThat(this.y.cache("products").get("6").get()).isEqualTo("v2");
	}

	@Test
	void flushAllEmptiesEveryL1AtTheNextHeartbeat() {
		warm("5", "v1");
		assertThat(this.x.inL1("products", "5")).as("the writer keeps what it wrote").isTrue();
		long epochChangesX = this.x.bus().statistics().epochChanges();
		long epochChangesY = this.y.bus().statistics().epochChanges();
		redis.flushAll();
		assertThat(this.y.inL1("products", "5")).as("no heartbeat yet: nothing noticed").isTrue();
		// one heartbeat of each: its epoch check finds the marker gone
		this.x.bus().tickNow();
		this.y.bus().tickNow();
		assertThat(this.x.inL1("products", "5")).isFalse();
		assertThat(this.y.inL1("products", "5")).isFalse();
		assertThat(this.x.bus().statistics().epochChanges()).isEqualTo(epochChangesX + 1);
		assertThat(this.y.bus().statistics().epochChanges()).isEqualTo(epochChangesY + 1);
		assertThat(this.y.cache("products").get("5")).isNull();
	}

}
