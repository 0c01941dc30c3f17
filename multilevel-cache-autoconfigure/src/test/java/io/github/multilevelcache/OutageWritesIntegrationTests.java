package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import io.github.multilevelcache.FillIntegrationTests.Catalogue;
import io.github.multilevelcache.FillIntegrationTests.CatalogueService;
import io.github.multilevelcache.FillIntegrationTests.Rows;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Writes made while Redis is down, restarted from its snapshot or stalled (issue 16,
 * items 2 and 3): they never wait longer than {@code l2-timeout}, an open breaker answers
 * them at once, and none is undone when Redis comes back with older data.
 */
@RedisTest
class OutageWritesIntegrationTests {

	private RedisServer redis;

	private final String prefix = "outage-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final Rows rows = new Rows();

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
			.start(this.redis, this.prefix, Map.of("rows", this.rows), new Class<?>[] { Catalogue.class },
					"multilevel-cache.resilience.stay-open=1s", "multilevel-cache.resilience.minimum-calls=5",
					"multilevel-cache.resilience.sliding-window-size=10",
					"multilevel-cache.resilience.l2-timeout=200ms")
			.awaitSubscribed();
		this.instances.add(instance);
		return instance;
	}

	private static CatalogueService service(CacheInstance instance) {
		return instance.bean(CatalogueService.class);
	}

	@Test
	void aPutMadeWhileRedisIsDownIsNotUndoneWhenRedisComesBackFromItsSnapshot() {
		CacheInstance a = start();
		CacheInstance b = start();
		this.rows.set(1, 1);
		assertThat(service(a).find(1).version()).isEqualTo(1);
		assertThat(service(b).find(1).version()).isEqualTo(1);
		assertThat(b.inL1("items", 1L)).isTrue();
		this.redis.command("SAVE");
		this.redis.stop();
		this.rows.set(1, 2);
		long start = System.nanoTime();
		assertThat(service(a).save(1).version()).isEqualTo(2);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the put did not wait for Redis")
			.isLessThan(Duration.ofSeconds(2));
		assertThat(a.cache("items").hasRememberedWrites()).isTrue();
		assertThat(service(a).find(1).version()).as("A serves its own put from L1").isEqualTo(2);
		this.redis.start();
		await().atMost(Duration.ofSeconds(15)).until(() -> !a.cache("items").hasRememberedWrites());
		await().atMost(Duration.ofSeconds(5)).until(() -> version(() -> service(b).find(1)) == 2);
		// for good: nothing brings the snapshot's value back
		long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
		while (System.nanoTime() < until) {
			assertThat(service(a).find(1).version()).isEqualTo(2);
			assertThat(service(b).find(1).version()).isEqualTo(2);
		}
	}

	@Test
	void writesWaitAtMostTheL2TimeoutWhileRedisIsStalledAndAnOpenBreakerAnswersThemAtOnce() {
		CacheInstance a = start();
		this.rows.set(2, 1);
		assertThat(service(a).find(2).version()).isEqualTo(1);
		MultiLevelCache cache = a.cache("items");
		this.redis.pause(Duration.ofMillis(2500));
		// each of these needs Redis; l2-timeout is 200 ms, the stall 2.5 s
		assertWithin(Duration.ofMillis(900), "Cache.put", () -> cache.put(3L, new FillIntegrationTests.Item(3, 1)));
		assertWithin(Duration.ofMillis(900), "@CachePut", () -> service(a).save(2));
		assertWithin(Duration.ofMillis(900), "@CacheEvict", () -> service(a).update(2));
		assertWithin(Duration.ofMillis(900), "Cache.evict", () -> cache.evict(4L));
		assertWithin(Duration.ofMillis(900), "plain @Cacheable miss", () -> service(a).find(5));
		await().atMost(Duration.ofSeconds(2)).until(() -> "OPEN".equals(a.manager().getRedisState()));
		assertWithin(Duration.ofMillis(150), "put with the breaker open", () -> cache.put(6L, "x"));
		assertWithin(Duration.ofMillis(150), "evict with the breaker open", () -> cache.evict(6L));
		assertThat(cache.hasRememberedWrites()).isTrue();
		await().atMost(Duration.ofSeconds(15)).until(() -> !cache.hasRememberedWrites());
		assertThat(RedisTestSupport.holdsValue(this.redis, cache.canonicalKey(3L)))
			.as("a put Redis may have missed is evicted everywhere on recovery")
			.isFalse();
		assertThat(service(a).find(2).version()).isEqualTo(this.rows.read(2).version());
	}

	@Test
	void aPutThatTimedOutOnAHealthyLookingConnectionIsRepairedOnTheOtherInstances() {
		CacheInstance a = start();
		CacheInstance b = start();
		this.rows.set(7, 1);
		assertThat(service(b).find(7).version()).isEqualTo(1);
		this.rows.set(7, 2);
		// one stalled write: too short to open the breaker
		this.redis.command("CLIENT", "PAUSE", "600", "WRITE");
		service(a).save(7);
		assertThat(a.cache("items").getStatistics().rememberedWrites()).isEqualTo(1);
		assertThat(a.manager().getRedisState()).isEqualTo("CLOSED");
		await().atMost(Duration.ofSeconds(5)).until(() -> !a.cache("items").hasRememberedWrites());
		await().atMost(Duration.ofSeconds(2))
			.until(() -> !b.inL1("items", 7L) || version(() -> service(b).find(7)) == 2);
		assertThat(service(b).find(7).version()).isEqualTo(2);
	}

	private static long version(Supplier<FillIntegrationTests.Item> read) {
		FillIntegrationTests.Item item = read.get();
		return (item != null) ? item.version() : -1;
	}

	private static void assertWithin(Duration limit, String what, Runnable operation) {
		long start = System.nanoTime();
		operation.run();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as(what).isLessThan(limit);
	}

}
