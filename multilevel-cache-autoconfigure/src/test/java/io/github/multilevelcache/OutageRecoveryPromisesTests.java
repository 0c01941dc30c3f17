package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README, resilience: "Every Redis operation waits at most {@code resilience.l2-timeout}
 * ... clears", "no exception of ours reaches a caller", and "a remembered clear clears
 * the cache everywhere". {@code clear} is several round trips ({@code SCAN} pages,
 * {@code UNLINK}s, the message): each is bounded, so a stalled Redis cannot hold the
 * caller for the whole bulk limit.
 */
@RedisTest
class OutageRecoveryPromisesTests {

	private static final Duration L2_TIMEOUT = Duration.ofMillis(200);

	private RedisServer redis;

	private final String prefix = "recovery-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final List<CacheInstance> instances = new ArrayList<>();

	@BeforeEach
	void startRedis() {
		this.redis = RedisServers.startPrivate();
	}

	@AfterEach
	void stop() {
		this.instances.forEach(CacheInstance::close);
		this.redis.close();
	}

	private CacheInstance start() {
		CacheInstance instance = CacheInstance
			.start(this.redis, this.prefix, "multilevel-cache.resilience.l2-timeout=" + L2_TIMEOUT.toMillis() + "ms",
					"multilevel-cache.resilience.stay-open=1s")
			.awaitSubscribed();
		this.instances.add(instance);
		return instance;
	}

	@Test
	void clearWhileRedisIsStalledReturnsWithinTheL2TimeoutAndClearsEveryL1OnRecovery() {
		CacheInstance a = start();
		CacheInstance b = start();
		MultiLevelCache onA = a.cache("things");
		MultiLevelCache onB = b.cache("things");
		for (int i = 0; i < 20; i++) {
			onA.put("k" + i, "v" + i);
		}
		for (int i = 0; i < 20; i++) {
			assertThat(onB.get("k" + i).get()).isEqualTo("v" + i);
		}
		assertThat(b.inL1("things", "k0")).isTrue();
		this.redis.pause(Duration.ofSeconds(3));
		long start = System.nanoTime();
		// no exception may reach the caller
		onA.clear();
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(took).as("clear against a Redis stalled for 3 s").isLessThan(L2_TIMEOUT.plusMillis(600));
		assertThat(a.inL1("things", "k0")).as("the clearing instance's L1").isFalse();
		assertThat(onA.hasRememberedWrites()).as("the clear Redis missed is remembered").isTrue();
		// once Redis answers again the remembered clear runs everywhere
		await().atMost(Duration.ofSeconds(15)).until(() -> !onA.hasRememberedWrites());
		await().atMost(Duration.ofSeconds(5)).until(() -> !b.inL1("things", "k0"));
		for (int i = 0; i < 20; i++) {
			assertThat(RedisTestSupport.holdsValue(this.redis, onA.canonicalKey("k" + i))).as("k" + i + " in Redis")
				.isFalse();
			assertThat(b.inL1("things", "k" + i)).as("k" + i + " in B's L1").isFalse();
			assertThat(onB.get("k" + i)).as("k" + i + " read on B").isNull();
		}
	}

}
