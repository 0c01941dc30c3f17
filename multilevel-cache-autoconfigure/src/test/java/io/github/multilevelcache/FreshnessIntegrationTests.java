package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Refresh-ahead and probabilistic early expiration (XFetch) against a real Redis.
 */
@RedisTest
class FreshnessIntegrationTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "fresh-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
	}

	@Test
	void refreshAheadReloadsInTheBackgroundAcrossInstancesWithoutExpiringForReaders() throws Exception {
		String[] settings = { "multilevel-cache.defaults.l2.ttl=2s", "multilevel-cache.defaults.l2.ttl-jitter=0",
				"multilevel-cache.defaults.refresh-ahead.ratio=0.5" };
		CacheInstance a = CacheInstance.start(this.redis, this.prefix, settings);
		CacheInstance b = CacheInstance.start(this.redis, this.prefix, settings);
		this.resources.add(a);
		this.resources.add(b);
		AtomicInteger callerLoads = new AtomicInteger();
		AtomicInteger backgroundLoads = new AtomicInteger();
		AtomicInteger version = new AtomicInteger();
		// when the loader was called: the first time, and for the fourth reload
		AtomicLongArray loadedAt = new AtomicLongArray(5);
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		List<Thread> readers = new ArrayList<>();
		for (CacheInstance instance : List.of(a, b)) {
			MultiLevelCache cache = instance.cache("products");
			Thread reader = new Thread(() -> {
				try {
					while (running.get()) {
						Object value = cache.get("hot", () -> {
							boolean background = Thread.currentThread()
								.getName()
								.startsWith("multilevel-cache-refresh");
							int load = (background ? backgroundLoads : callerLoads).incrementAndGet();
							if (load <= 4) {
								loadedAt.compareAndSet(background ? load : 0, 0, System.nanoTime());
							}
							return "v" + version.incrementAndGet();
						});
						assertThat(value).isNotNull();
						Thread.sleep(5);
					}
				}
				catch (Throwable ex) {
					failure.set(ex);
				}
			});
			readers.add(reader);
			reader.start();
		}
		// four background reloads, one per refresh period (1 s: half the TTL) across both
		// instances: two TTLs, so a reader would have seen an entry expire without them
		await().atMost(Duration.ofSeconds(30)).until(() -> backgroundLoads.get() >= 4 || failure.get() != null);
		Duration took = Duration.ofNanos(loadedAt.get(4) - loadedAt.get(0));
		running.set(false);
		for (Thread reader : readers) {
			reader.join(5_000);
		}
		assertThat(failure.get()).isNull();
		assertThat(callerLoads).as("only the very first read loads in a caller thread: the entry never expired")
			.hasValue(1);
		// never one reload per instance per hit: each reload starts a refresh period
		// after
		// the entry it replaces was written, so the fourth one starts at least four
		// periods
		// after the first load (less clock granularity)
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(3_950));
		assertThat(backgroundLoads.get()).isLessThanOrEqualTo(5);
		long scheduled = a.cache("products").getStatistics().refreshScheduled()
				+ b.cache("products").getStatistics().refreshScheduled();
		System.out.printf("[freshness] refresh-ahead, ttl 2 s, ratio 0.5: %d reloads in %.1f s (%d scheduled)%n",
				backgroundLoads.get(), took.toMillis() / 1e3, scheduled);
	}

	@Test
	void earlyExpirationRecomputesBeforeExpiryOnlyAHandfulOfTimes() throws Exception {
		LettuceConnectionFactory connectionFactory = RedisTestSupport.connectionFactory(this.redis);
		this.resources.add(connectionFactory::destroy);
		CacheSettings settings = CacheSettings.defaults()
			.withKeyPrefix(this.prefix)
			.withL2(new CacheSettings.L2(true, Duration.ofSeconds(3), Percentage.ofPercent(0)))
			.withFreshness(new CacheSettings.Freshness(0, 1.0));
		Random seeded = new Random(42);
		MultiLevelCacheManager manager = MultiLevelCacheManager.builder(connectionFactory)
			.defaults(settings)
			.serializer(new JacksonCacheValueSerializer(List.of()))
			.random(() -> {
				synchronized (seeded) {
					return seeded.nextDouble();
				}
			})
			.build();
		this.resources.add(manager::destroy);
		MultiLevelCache cache = manager.getCache("products");
		AtomicInteger loads = new AtomicInteger();
		cache.get("k", () -> {
			loads.incrementAndGet();
			Thread.sleep(100);
			return "v0";
		});
		long misses = cache.getStatistics().l2Misses();
		String key = cache.canonicalKey("k");
		long expiry = System.currentTimeMillis() + Long.parseLong(this.redis.command("PTTL", key));
		// readers arrive near expiry (0.5 s left, δ = 100 ms)
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> Long.parseLong(this.redis.command("PTTL", key)) <= 500);
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		List<Thread> readers = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			Thread reader = new Thread(() -> {
				try {
					while (running.get()) {
						cache.get("k", () -> {
							loads.incrementAndGet();
							Thread.sleep(100);
							return "v" + loads.get();
						});
						Thread.sleep(2);
					}
				}
				catch (Throwable ex) {
					failure.set(ex);
				}
			});
			readers.add(reader);
			reader.start();
		}
		// the readers go on until well past the first value's expiry, by then replaced
		await().atMost(Duration.ofSeconds(10))
			.until(() -> System.currentTimeMillis() >= expiry + 1_000 && cache.getStatistics().refreshed() >= 1
					|| failure.get() != null);
		running.set(false);
		for (Thread reader : readers) {
			reader.join(5_000);
		}
		assertThat(failure.get()).isNull();
		assertThat(cache.getStatistics().l2Misses()).as("the entry never expired for readers").isEqualTo(misses);
		assertThat(cache.getStatistics().refreshed()).isGreaterThanOrEqualTo(1);
		// 8 readers crossing the expiry point: one early recomputation (a handful at
		// most), not one per reader
		assertThat(loads.get() - 1).isBetween(1, 3);
		System.out.printf("[freshness] XFetch β=1, δ≈100 ms, ttl 3 s, 8 readers across expiry: %d recomputation(s), "
				+ "%d early starts%n", loads.get() - 1, cache.getStatistics().earlyRecomputes());
	}

}
