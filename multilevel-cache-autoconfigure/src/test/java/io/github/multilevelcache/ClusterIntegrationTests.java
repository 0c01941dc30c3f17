package io.github.multilevelcache;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.multilevelcache.test.RedisCluster;
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
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties("spring.data.redis.cluster.nodes=" + cluster.nodes(), "multilevel-cache.key-prefix=c:",
					"multilevel-cache.invalidation.channel=c:invalidation",
					"multilevel-cache.invalidation.heartbeat-interval=200ms",
					"multilevel-cache.caches.tagged.tags[0]='group:' + (#result.length() % 2)")
			.run();
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

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableCaching
	static class App {

	}

}
