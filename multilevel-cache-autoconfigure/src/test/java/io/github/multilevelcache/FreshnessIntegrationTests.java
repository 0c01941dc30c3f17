package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refresh-ahead and probabilistic early expiration (XFetch) against a real Redis.
 */
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
							(background ? backgroundLoads : callerLoads).incrementAndGet();
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
		Thread.sleep(6_000);
		running.set(false);
		for (Thread reader : readers) {
			reader.join(5_000);
		}
		assertThat(failure.get()).isNull();
		assertThat(callerLoads).as("only the very first read loads in a caller thread: the entry never expired")
			.hasValue(1);
		// one reload per refresh period (about 1 s) across both instances, never one per
		// instance per hit
		assertThat(backgroundLoads.get()).isBetween(3, 9);
		long scheduled = a.cache("products").getStatistics().refreshScheduled()
				+ b.cache("products").getStatistics().refreshScheduled();
		System.out.printf("[freshness] refresh-ahead over 6 s, ttl 2 s, ratio 0.5: %d reloads (%d scheduled)%n",
				backgroundLoads.get(), scheduled);
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
		// readers arrive near expiry (0.5 s left, δ = 100 ms)
		Thread.sleep(2_400);
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
		Thread.sleep(1_500);
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
