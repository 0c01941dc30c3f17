package io.github.multilevelcache;

import java.time.Duration;
import java.util.List;

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
 * README, "Invalidation transports", tracking on Redis Cluster: when a primary dies and
 * its replica takes over, every L1 is cleared and tracking is set up on the promoted
 * primary, whose announcements then reach L1. A cluster of three primaries with one
 * replica each; Boot's default client options (no periodic or adaptive topology refresh),
 * as most applications run.
 */
@RedisTest
class ClusterFailoverTests {

	private static RedisCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start(1);
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	private static ConfigurableApplicationContext start() {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties("spring.data.redis.cluster.nodes=" + cluster.nodes(), "spring.data.redis.timeout=1s",
					"multilevel-cache.key-prefix=cf:", "multilevel-cache.invalidation.channel=cf:invalidation",
					"multilevel-cache.invalidation.heartbeat-interval=200ms",
					"multilevel-cache.invalidation.transport=tracking")
			.run();
		await().atMost(Duration.ofSeconds(10)).until(() -> bus(context).isSubscribed());
		return context;
	}

	private static RedisInvalidationBus bus(ConfigurableApplicationContext context) {
		return context.getBean(RedisInvalidationBus.class);
	}

	private static void warm(String key, MultiLevelCache... caches) {
		for (MultiLevelCache cache : caches) {
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				assertThat(cache.get(key)).isNotNull();
				return cache.holdsLocally(key);
			});
		}
	}

	@Test
	void withTrackingAFailoverClearsEveryL1AndThePromotedPrimaryAnnouncesChanges() {
		try (ConfigurableApplicationContext a = start(); ConfigurableApplicationContext b = start()) {
			MultiLevelCache onA = a.getBean(MultiLevelCacheManager.class).getCache("tracked");
			MultiLevelCache onB = b.getBean(MultiLevelCacheManager.class).getCache("tracked");
			for (int i = 0; i < 30; i++) {
				onA.put("k" + i, "v" + i);
			}
			List<Integer> primaries = cluster.primaries();
			assertThat(primaries).hasSize(3);
			int victim = primaries.get(0);
			String held = cluster.node(victim).command("KEYS", onA.canonicalKey("k") + "*");
			assertThat(held).as("keys on the primary to kill").isNotBlank();
			String key = held.lines().findFirst().orElseThrow().substring(onA.canonicalKey("").length());
			warm(key, onA, onB);
			long resubscriptionsOfA = bus(a).statistics().resubscriptions();
			long resubscriptionsOfB = bus(b).statistics().resubscriptions();

			cluster.kill(victim);

			await().atMost(Duration.ofSeconds(30))
				.until(() -> cluster.primaries().size() == 3 && !cluster.primaries().contains(victim));
			await().atMost(Duration.ofSeconds(30))
				.until(() -> bus(a).statistics().resubscriptions() > resubscriptionsOfA && bus(a).isSubscribed()
						&& bus(b).statistics().resubscriptions() > resubscriptionsOfB && bus(b).isSubscribed());
			assertThat(onA.holdsLocally(key)).as("A's L1 cleared on the failover").isFalse();
			assertThat(onB.holdsLocally(key)).as("B's L1 cleared on the failover").isFalse();

			// the replica was promoted with the data: read back into both L1s, then
			// another program deletes it on the new primary
			warm(key, onA, onB);
			int deleted = 0;
			for (int node : cluster.primaries()) {
				try {
					deleted += Integer.parseInt(cluster.node(node).command("DEL", onA.canonicalKey(key)));
				}
				catch (IllegalStateException moved) {
					// not this primary's slot
				}
			}
			assertThat(deleted).as("deleted on the promoted primary").isEqualTo(1);
			await().atMost(Duration.ofSeconds(2)).until(() -> !onA.holdsLocally(key) && !onB.holdsLocally(key));
			assertThat(onB.get(key)).isNull();
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableCaching
	static class App {

	}

}
