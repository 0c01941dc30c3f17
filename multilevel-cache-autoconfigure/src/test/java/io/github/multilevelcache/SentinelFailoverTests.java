package io.github.multilevelcache;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import io.github.multilevelcache.test.RedisSentinelSetup;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sentinel promotes the replica after the primary is killed: readers keep being answered
 * throughout, the application clears L1 (acknowledged writes may be lost by Redis itself)
 * and resumes two-level service on the new primary.
 */
@RedisTest
class SentinelFailoverTests {

	private static ConfigurableApplicationContext start(RedisSentinelSetup redis, String... properties) {
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties("spring.data.redis.sentinel.master=" + RedisSentinelSetup.MASTER,
					"spring.data.redis.sentinel.nodes=" + redis.sentinels(), "spring.data.redis.timeout=2s",
					"multilevel-cache.key-prefix=s:", "multilevel-cache.invalidation.heartbeat-interval=200ms")
			.properties(properties)
			.run();
	}

	@Test
	void withTrackingAFailoverClearsL1AndTheNewPrimaryAnnouncesChanges() {
		try (RedisSentinelSetup redis = RedisSentinelSetup.start();
				ConfigurableApplicationContext appA = start(redis, "multilevel-cache.invalidation.transport=tracking");
				ConfigurableApplicationContext appB = start(redis,
						"multilevel-cache.invalidation.transport=tracking")) {
			MultiLevelCache onA = appA.getBean(MultiLevelCacheManager.class).getCache("products");
			MultiLevelCache onB = appB.getBean(MultiLevelCacheManager.class).getCache("products");
			RedisInvalidationBus busB = appB.getBean(RedisInvalidationBus.class);
			await().atMost(Duration.ofSeconds(10)).until(busB::isSubscribed);
			onA.put("k", "v1");
			await().atMost(Duration.ofSeconds(5)).until(() -> "v1".equals(onB.get("k").get()) && onB.holdsLocally("k"));
			redis.currentPrimary().command("WAIT", "1", "5000");
			long resubscriptions = busB.statistics().resubscriptions();
			redis.killPrimary();
			await().atMost(Duration.ofSeconds(40)).until(() -> redis.currentPrimaryPort() == redis.replicaPort());
			await().atMost(Duration.ofSeconds(30))
				.until(() -> busB.statistics().resubscriptions() > resubscriptions && busB.isSubscribed());
			assertThat(onB.holdsLocally("k")).as("L1 after the failover").isFalse();
			// tracking is set up again, on the new primary: another program's change
			// there reaches B's L1
			await().atMost(Duration.ofSeconds(10))
				.until(() -> "v1".equals(onB.get("k").get()) && onB.holdsLocally("k"));
			redis.currentPrimary().command("DEL", onB.canonicalKey("k"));
			await().atMost(Duration.ofSeconds(2)).until(() -> !onB.holdsLocally("k"));
			assertThat(onB.get("k")).isNull();
		}
	}

	@Test
	void killingThePrimaryFailsOverWithoutErrorsAndAPutMadeMeanwhileIsNotUndoneByThePromotedReplica() throws Exception {
		try (RedisSentinelSetup redis = RedisSentinelSetup.start();
				ConfigurableApplicationContext appA = start(redis);
				ConfigurableApplicationContext appB = start(redis)) {
			MultiLevelCache onA = appA.getBean(MultiLevelCacheManager.class).getCache("products");
			MultiLevelCache onB = appB.getBean(MultiLevelCacheManager.class).getCache("products");
			RedisInvalidationBus busA = appA.getBean(RedisInvalidationBus.class);
			RedisInvalidationBus busB = appB.getBean(RedisInvalidationBus.class);
			await().atMost(Duration.ofSeconds(10)).until(() -> busA.isSubscribed() && busB.isSubscribed());
			onA.put("k", "v1");
			// a read racing the put's own invalidation rightly leaves L1 empty: read
			// again
			await().atMost(Duration.ofSeconds(5)).until(() -> "v1".equals(onB.get("k").get()) && onB.holdsLocally("k"));
			// the replica has v1 before the primary dies
			redis.currentPrimary().command("WAIT", "1", "5000");
			long resubscriptions = busB.statistics().resubscriptions();
			AtomicBoolean running = new AtomicBoolean(true);
			ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
			AtomicLong longestCall = new AtomicLong();
			AtomicLong counter = new AtomicLong();
			Thread[] workers = new Thread[3];
			for (int i = 0; i < workers.length; i++) {
				boolean writer = i == 0;
				workers[i] = new Thread(() -> {
					while (running.get()) {
						long n = counter.incrementAndGet();
						long start = System.nanoTime();
						try {
							if (writer) {
								onA.put("written-" + (n % 100), n);
							}
							else {
								// a new key every time: these reads miss L1 and need
								// Redis during the failover
								onB.get("miss-" + n, () -> "loaded");
							}
						}
						catch (Throwable ex) {
							errors.add(ex);
						}
						longestCall.accumulateAndGet(System.nanoTime() - start, Math::max);
					}
				});
				workers[i].start();
			}
			// the workers run two-level before the primary dies
			await().atMost(Duration.ofSeconds(10)).until(() -> counter.get() >= 300);
			redis.killPrimary();
			// the put made while no primary answers returns without error, and must
			// survive the promotion of the
			// replica that still holds v1
			onA.put("k", "v2");
			await().atMost(Duration.ofSeconds(40)).until(() -> redis.currentPrimaryPort() == redis.replicaPort());
			await().atMost(Duration.ofSeconds(30))
				.until(() -> busB.statistics().resubscriptions() > resubscriptions && busB.isSubscribed());
			await().atMost(Duration.ofSeconds(30)).until(() -> !onA.hasRememberedWrites());
			await().atMost(Duration.ofSeconds(5)).until(() -> !"v1".equals(onB.get("k", () -> "reloaded")));
			long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
			while (System.nanoTime() < until) {
				assertThat(onB.get("k", () -> "reloaded")).as("never v1 again").isNotEqualTo("v1");
			}
			// two-level service resumed on the new primary; a put never throws (any
			// exception fails the test at once), only the probe of the primary may
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				onA.put("after", "x");
				assertThat(existsOnPrimary(redis, onA.canonicalKey("after"))).isTrue();
			});
			running.set(false);
			for (Thread worker : workers) {
				worker.join(10_000);
			}
			assertThat(errors).isEmpty();
			// every call waits at most l2-timeout (200 ms) per Redis operation, and a
			// miss needs two
			assertThat(Duration.ofNanos(longestCall.get())).as("longest call during the failover")
				.isLessThan(Duration.ofMillis(1500));
		}
	}

	/**
	 * Whether the current primary holds the key; {@code false} while no primary answers.
	 */
	private static boolean existsOnPrimary(RedisSentinelSetup redis, String key) {
		try {
			return "1".equals(redis.currentPrimary().command("EXISTS", key));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableCaching
	static class App {

	}

}
