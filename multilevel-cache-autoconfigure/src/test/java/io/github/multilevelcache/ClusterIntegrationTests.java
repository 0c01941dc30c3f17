package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import io.github.multilevelcache.test.RedisCluster;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * The cache on a real three-primary Redis Cluster.
 */
@RedisTest
class ClusterIntegrationTests {

	private static RedisCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start();
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	private ConfigurableApplicationContext start() {
		return start("c:");
	}

	private ConfigurableApplicationContext start(String prefix, String... more) {
		List<String> properties = new ArrayList<>(
				List.of("spring.data.redis.cluster.nodes=" + cluster.nodes(), "multilevel-cache.key-prefix=" + prefix,
						"multilevel-cache.invalidation.channel=" + prefix + "invalidation",
						"multilevel-cache.invalidation.heartbeat-interval=200ms",
						"multilevel-cache.caches.tagged.tags[0]='group:' + (#result.length() % 2)"));
		properties.addAll(List.of(more));
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	private ConfigurableApplicationContext startTracking() {
		ConfigurableApplicationContext context = start("ct:", "multilevel-cache.invalidation.transport=tracking");
		await().atMost(Duration.ofSeconds(10)).until(() -> bus(context).isSubscribed());
		return context;
	}

	private static RedisInvalidationBus bus(ConfigurableApplicationContext context) {
		return context.getBean(RedisInvalidationBus.class);
	}

	/**
	 * Fills {@code count} keys of the cache and returns, per node, the name of one key
	 * that node holds (its cache key).
	 */
	private static List<String> oneKeyPerNode(MultiLevelCache cache, int count) {
		for (int i = 0; i < count; i++) {
			cache.put("k" + i, "v" + i);
		}
		List<String> keys = new ArrayList<>();
		for (int node = 0; node < 3; node++) {
			String held = cluster.node(node).command("KEYS", cache.canonicalKey("k") + "*");
			assertThat(held).as("keys on node " + node).isNotBlank();
			String redisKey = held.lines().findFirst().orElseThrow();
			keys.add(redisKey.substring(cache.canonicalKey("").length()));
		}
		return keys;
	}

	/**
	 * Reads the key on each cache until its L1 holds it (a read that raced an
	 * invalidation rightly does not fill L1).
	 */
	private static void warm(String key, MultiLevelCache... caches) {
		for (MultiLevelCache cache : caches) {
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				assertThat(cache.get(key)).isNotNull();
				return cache.holdsLocally(key);
			});
		}
	}

	@Test
	void aTagsMembersOnEveryNodeAreEvictedFromRedisAndTheOtherInstancesL1() {
		try (ConfigurableApplicationContext a = start(); ConfigurableApplicationContext b = start()) {
			MultiLevelCache onA = a.getBean(MultiLevelCacheManager.class).getCache("tagged");
			MultiLevelCache onB = b.getBean(MultiLevelCacheManager.class).getCache("tagged");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> a.getBean(io.github.multilevelcache.invalidation.RedisInvalidationBus.class).isSubscribed()
						&& b.getBean(io.github.multilevelcache.invalidation.RedisInvalidationBus.class).isSubscribed());
			for (int i = 0; i < 60; i++) {
				// values of even length are tagged group:0, odd ones group:1
				onA.put("t" + i, (i % 2 == 0) ? "ab" : "abc");
			}
			// B reads once the puts' invalidations reached it
			await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				for (int i = 0; i < 60; i++) {
					assertThat(onB.get("t" + i, () -> "unused")).isNotEqualTo("unused");
					assertThat(onB.l1().peek(onB.canonicalKey("t" + i))).as("t" + i + " in B's L1").isNotNull();
				}
			});
			for (int node = 0; node < 3; node++) {
				assertThat(cluster.node(node).command("KEYS", "c:tagged::*")).as("entries on node " + node)
					.isNotEmpty();
			}

			assertThat(a.getBean(MultiLevelCacheManager.class).evictTag("group:0")).isEqualTo(30);

			for (int node = 0; node < 3; node++) {
				String keys = cluster.node(node).command("KEYS", "c:tagged::*");
				assertThat((keys != null) ? keys : "").as("node " + node).doesNotContain("t0\n").doesNotEndWith("t0");
			}
			for (int i = 0; i < 60; i++) {
				String key = onB.canonicalKey("t" + i);
				boolean evicted = i % 2 == 0;
				await().atMost(Duration.ofSeconds(5)).until(() -> (onB.l1().peek(key) == null) == evicted);
				assertThat(onA.get("t" + i) == null).as("t" + i).isEqualTo(evicted);
			}
			assertThat(onA.getStatistics().l2Errors()).isZero();
		}
	}

	@Test
	void contractLeasesInvalidationAndClearWorkAcrossNodes() throws Exception {
		try (ConfigurableApplicationContext a = start(); ConfigurableApplicationContext b = start()) {
			MultiLevelCache onA = a.getBean(MultiLevelCacheManager.class).getCache("products");
			MultiLevelCache onB = b.getBean(MultiLevelCacheManager.class).getCache("products");
			for (int i = 0; i < 60; i++) {
				assertThat(onA.get("k" + i, () -> "v")).isEqualTo("v");
			}
			for (int node = 0; node < 3; node++) {
				assertThat(Long.parseLong(cluster.node(node).command("DBSIZE"))).as("keys on node " + node)
					.isPositive();
			}
			assertThat(onB.get("k1").get()).isEqualTo("v");
			assertThat(onA.putIfAbsent("k1", "x").get()).isEqualTo("v");
			assertThat(onB.retrieve("k2").get(5, TimeUnit.SECONDS)).isNotNull();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> a.getBean(io.github.multilevelcache.invalidation.RedisInvalidationBus.class).isSubscribed()
						&& b.getBean(io.github.multilevelcache.invalidation.RedisInvalidationBus.class).isSubscribed());
			onB.get("k3");
			onA.put("k3", "new");
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(onB.get("k3").get()).isEqualTo("new"));
			onA.clear();
			for (int node = 0; node < 3; node++) {
				assertThat(cluster.node(node).command("KEYS", "c:products::*")).as("node " + node).isNullOrEmpty();
			}
			assertThat(onA.getStatistics().l2Errors()).isZero();
			// FLUSHALL (or a restart) of any one node is detected, not only of the node
			// of a single marker key
			io.github.multilevelcache.invalidation.InvalidationStatistics statisticsOfB = b
				.getBean(io.github.multilevelcache.invalidation.RedisInvalidationBus.class)
				.statistics();
			for (int node = 0; node < 3; node++) {
				onB.put("f" + node, "v");
				assertThat(b.getBean(MultiLevelCacheManager.class)
					.getCache("products")
					.l1()
					.peek(onB.canonicalKey("f" + node))).isNotNull();
				long epochChanges = statisticsOfB.epochChanges();
				cluster.node(node).command("FLUSHALL");
				String key = onB.canonicalKey("f" + node);
				// heartbeats run every 200 ms; the deadline is many of them, and the
				// epoch check is what noticed
				await().atMost(Duration.ofSeconds(5)).until(() -> onB.l1().peek(key) == null);
				assertThat(statisticsOfB.epochChanges()).as("epoch changes after FLUSHALL of node " + node)
					.isGreaterThan(epochChanges);
			}
		}
	}

	@Test
	void withTrackingAnotherProgramsWritesOnEveryPrimaryLeaveEveryL1() {
		try (ConfigurableApplicationContext a = startTracking(); ConfigurableApplicationContext b = startTracking()) {
			MultiLevelCache onA = a.getBean(MultiLevelCacheManager.class).getCache("tracked");
			MultiLevelCache onB = b.getBean(MultiLevelCacheManager.class).getCache("tracked");
			List<String> keys = oneKeyPerNode(onA, 60);
			for (String key : keys) {
				warm(key, onA, onB);
			}
			for (int node = 0; node < 3; node++) {
				String redisKey = onA.canonicalKey(keys.get(node));
				// another program writes each primary directly, without a message of ours
				if (node % 2 == 0) {
					cluster.node(node).command("DEL", redisKey);
				}
				else {
					cluster.node(node).command("SET", redisKey, "written by another program");
				}
			}
			await().atMost(Duration.ofSeconds(2))
				.untilAsserted(() -> assertThat(keys).noneMatch(onA::holdsLocally).noneMatch(onB::holdsLocally));
			assertThat(onB.get(keys.get(0))).as("deleted on its primary").isNull();
			assertThat(onB.get(keys.get(1))).as("foreign bytes are a miss").isNull();
			assertThat(onA.getStatistics().l2Errors()).isZero();
		}
	}

	@Test
	void withTrackingAKilledTrackingConnectionOnOnePrimaryClearsEveryL1AndTrackingResumesThere() {
		try (ConfigurableApplicationContext a = startTracking(); ConfigurableApplicationContext b = startTracking()) {
			MultiLevelCache onA = a.getBean(MultiLevelCacheManager.class).getCache("tracked");
			MultiLevelCache onB = b.getBean(MultiLevelCacheManager.class).getCache("tracked");
			List<String> keys = oneKeyPerNode(onA, 60);
			warm(keys.get(0), onA, onB);
			long resubscriptions = bus(b).statistics().resubscriptions();
			// every subscribed connection of node 1, among them each instance's tracking
			// connection to it
			cluster.node(1).command("CLIENT", "KILL", "TYPE", "pubsub");
			await().atMost(Duration.ofSeconds(5))
				.until(() -> bus(b).statistics().resubscriptions() > resubscriptions && bus(b).isSubscribed());
			assertThat(onB.holdsLocally(keys.get(0))).as("cleared when tracking was set up again").isFalse();
			await().atMost(Duration.ofSeconds(5)).until(() -> bus(a).isSubscribed());
			warm(keys.get(1), onA, onB);
			cluster.node(1).command("DEL", onA.canonicalKey(keys.get(1)));
			await().atMost(Duration.ofSeconds(2))
				.until(() -> !onA.holdsLocally(keys.get(1)) && !onB.holdsLocally(keys.get(1)));
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableCaching
	static class App {

	}

}
