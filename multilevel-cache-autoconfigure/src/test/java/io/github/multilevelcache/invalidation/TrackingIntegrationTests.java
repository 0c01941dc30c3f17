package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.MultiLevelCache;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code invalidation.transport=tracking} against real Redis, with several application
 * contexts: Redis announces every change under the prefix, whoever made it.
 */
@RedisTest
class TrackingIntegrationTests {

	private static RedisServer redis;

	private final String prefix = "trk-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final List<CacheInstance> instances = new ArrayList<>();

	@BeforeAll
	static void startRedis() {
		redis = RedisServers.startPrivate();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@AfterEach
	void stopInstances() {
		this.instances.forEach(CacheInstance::close);
	}

	private CacheInstance start(RedisServer server, String... properties) {
		List<String> all = new ArrayList<>(List.of("multilevel-cache.invalidation.transport=tracking",
				"multilevel-cache.invalidation.heartbeat-interval=300ms",
				"multilevel-cache.invalidation.channel=" + this.prefix + "invalidation"));
		all.addAll(List.of(properties));
		CacheInstance instance = CacheInstance.start(server, this.prefix, all.toArray(String[]::new));
		this.instances.add(instance);
		instance.cache("products");
		await().atMost(Duration.ofSeconds(10)).until(() -> instance.bus().isSubscribed());
		return instance;
	}

	/**
	 * Reads a key on each instance until its L1 holds it (a read that raced an
	 * invalidation rightly does not fill L1).
	 */
	private static void warm(String key, Object value, CacheInstance... readers) {
		for (CacheInstance reader : readers) {
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				assertThat(reader.cache("products").get(key).get()).isEqualTo(value);
				return reader.inL1("products", key);
			});
		}
	}

	@Test
	void anExternalSetAndDelDropTheKeyFromEveryL1WithinTheHeartbeat() {
		CacheInstance a = start(redis);
		CacheInstance b = start(redis);
		MultiLevelCache onA = a.cache("products");
		onA.put("1", "v1");
		onA.put("2", "v1");
		warm("1", "v1", a, b);
		warm("2", "v1", a, b);
		String key1 = onA.canonicalKey("1");
		String key2 = onA.canonicalKey("2");
		// another program writes Redis directly: not a value of ours, so a miss
		redis.command("SET", key1, "written by another program");
		redis.command("DEL", key2);
		await().atMost(Duration.ofMillis(300 + 1_000))
			.until(() -> !a.inL1("products", "1") && !b.inL1("products", "1") && !a.inL1("products", "2")
					&& !b.inL1("products", "2"));
		assertThat(b.cache("products").get("2")).isNull();
		// nothing else was dropped
		onA.put("3", "v3");
		warm("3", "v3", a, b);
		redis.command("SET", this.prefix + "unrelated", "x");
		assertThat(a.inL1("products", "3")).isTrue();
	}

	@Test
	void aWriteOfThisStarterPublishesNothingYetReachesTheOtherInstances() {
		CacheInstance a = start(redis);
		CacheInstance b = start(redis);
		a.cache("products").put("k", "v1");
		warm("k", "v1", b);
		long publishesBefore = redis.commandStats().getOrDefault("publish", 0L);
		for (int i = 0; i < 50; i++) {
			a.cache("products").put("k", "v" + i);
		}
		a.cache("products").evict("k");
		long publishes = redis.commandStats().getOrDefault("publish", 0L) - publishesBefore;
		// only heartbeats publish (a few per second), never 51 writes
		assertThat(publishes).isLessThan(20);
		await().atMost(Duration.ofSeconds(2)).until(() -> !b.inL1("products", "k"));
		assertThat(b.cache("products").get("k")).isNull();
	}

	@Test
	void aKeyRedisEvictsUnderMaxmemoryIsServedFromNoL1() {
		RedisServer small = RedisServers.startPrivate();
		try {
			small.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
			CacheInstance a = start(small);
			CacheInstance b = start(small);
			int keys = 200;
			for (int i = 0; i < keys; i++) {
				a.cache("products").put("p" + i, "value-" + i);
			}
			for (int i = 0; i < keys; i++) {
				b.cache("products").get("p" + i);
			}
			long used = Long.parseLong(small.info("memory")
				.lines()
				.filter((line) -> line.startsWith("used_memory:"))
				.findFirst()
				.orElseThrow()
				.substring("used_memory:".length())
				.trim());
			small.command("CONFIG", "SET", "maxmemory", Long.toString(used + 512 * 1024));
			// another program overfills Redis: LRU evicts cache keys too
			String filler = "x".repeat(1024);
			for (int i = 0; i < 3_000; i++) {
				small.command("SET", this.prefix + "filler:" + i, filler);
			}
			List<Integer> evicted = new ArrayList<>();
			for (int i = 0; i < keys; i++) {
				if ("0".equals(small.command("EXISTS", a.cache("products").canonicalKey("p" + i)))) {
					evicted.add(i);
				}
			}
			assertThat(evicted).as("maxmemory evicted some cache keys").isNotEmpty();
			await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
				for (int i : evicted) {
					assertThat(a.inL1("products", "p" + i)).as("p" + i + " on A").isFalse();
					assertThat(b.inL1("products", "p" + i)).as("p" + i + " on B").isFalse();
				}
			});
		}
		finally {
			small.close();
		}
	}

	@Test
	void flushDbClearsEveryL1() {
		CacheInstance a = start(redis);
		CacheInstance b = start(redis);
		a.cache("products").put("f", "v1");
		warm("f", "v1", a, b);
		redis.command("FLUSHDB");
		await().atMost(Duration.ofSeconds(2)).until(() -> !a.inL1("products", "f") && !b.inL1("products", "f"));
	}

	@Test
	void killingTheTrackingConnectionClearsEveryL1AndTrackingWorksAgain() {
		CacheInstance a = start(redis);
		CacheInstance b = start(redis);
		a.cache("products").put("c", "v1");
		warm("c", "v1", a, b);
		long resubscriptions = b.bus().statistics().resubscriptions();
		redis.command("CLIENT", "KILL", "TYPE", "pubsub");
		await().atMost(Duration.ofSeconds(5))
			.until(() -> b.bus().statistics().resubscriptions() > resubscriptions && b.bus().isSubscribed());
		assertThat(b.inL1("products", "c")).as("cleared when tracking was set up again").isFalse();
		warm("c", "v1", b);
		redis.command("SET", a.cache("products").canonicalKey("c"), "foreign");
		await().atMost(Duration.ofSeconds(2)).until(() -> !b.inL1("products", "c"));
	}

	@Test
	void aRestartOfRedisClearsEveryL1AndTrackingWorksAgain() {
		RedisServer own = RedisServers.startPrivate();
		try {
			CacheInstance a = start(own);
			CacheInstance b = start(own);
			a.cache("products").put("r", "v1");
			warm("r", "v1", a, b);
			own.stop();
			own.start();
			await().atMost(Duration.ofSeconds(15)).until(() -> !b.inL1("products", "r") && b.bus().isSubscribed());
			a.cache("products").put("r", "v2");
			warm("r", "v2", b);
			own.command("DEL", a.cache("products").canonicalKey("r"));
			await().atMost(Duration.ofSeconds(2)).until(() -> !b.inL1("products", "r"));
		}
		finally {
			own.close();
		}
	}

	private static String urlOf(String user) {
		return "spring.data.redis.url=redis://" + user + ":secret@" + redis.host() + ":" + redis.port();
	}

	@Test
	void aUserRestrictedToThePrefixCanTrack() {
		String user = "trk" + UUID.randomUUID().toString().substring(0, 6);
		redis.command("ACL", "SETUSER", user, "on", ">secret", "~" + this.prefix + "*", "&" + this.prefix + "*",
				"+@all");
		try {
			CacheInstance a = start(redis, urlOf(user));
			CacheInstance b = start(redis);
			a.cache("products").put("acl", "v1");
			warm("acl", "v1", a);
			b.cache("products").put("acl", "v2");
			await().atMost(Duration.ofSeconds(2)).until(() -> !a.inL1("products", "acl"));
			assertThat(a.cache("products").get("acl").get()).isEqualTo("v2");
		}
		finally {
			redis.command("ACL", "DELUSER", user);
		}
	}

	@Test
	void aRedisThatRefusesTrackingFailsStartUpNamingTheProperty() {
		String user = "notrk" + UUID.randomUUID().toString().substring(0, 6);
		redis.command("ACL", "SETUSER", user, "on", ">secret", "~*", "&*", "+@all", "-client|tracking");
		try {
			assertThatThrownBy(() -> CacheInstance.start(redis, this.prefix,
					"multilevel-cache.invalidation.transport=tracking", urlOf(user)))
				.hasStackTraceContaining("multilevel-cache.invalidation.transport");
		}
		finally {
			redis.command("ACL", "DELUSER", user);
		}
	}

}
