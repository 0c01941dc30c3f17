package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The early-expiration (XFetch) check on {@code get(key, loader)} hits, over the
 * in-memory command layer.
 */
class FreshnessTests {

	private final InMemoryL2Commands redis = new InMemoryL2Commands(System::currentTimeMillis);

	private final AtomicInteger draws = new AtomicInteger();

	private final List<MultiLevelCacheManager> managers = new ArrayList<>();

	@AfterEach
	void close() {
		this.managers.forEach(MultiLevelCacheManager::destroy);
	}

	@Test
	void anEntryTooFarFromExpiryToBeRecomputedEarlyCostsNoRandomDraw() {
		loadThenHit(Duration.ofHours(1), 100);
		assertThat(this.draws).as("3,600 s left, at most 744 × δ·β (a few s) could recompute").hasValue(0);
	}

	@Test
	void anEntryNearExpiryDrawsOnEveryHit() {
		MultiLevelCache cache = loadThenHit(Duration.ofSeconds(2), 100);
		assertThat(this.draws).as("2 s left, within 744 × δ·β (δ ≥ 5 ms)").hasValue(100);
		assertThat(cache.getStatistics().earlyRecomputes()).as("no draw came close").isZero();
	}

	/**
	 * Loads one key into a cache of the given TTL (the load taking at least 5 ms), then
	 * reads it {@code hits} times through {@code get(key, loader)}.
	 */
	private MultiLevelCache loadThenHit(Duration ttl, int hits) {
		MultiLevelCache cache = manager(ttl).getCache("products");
		cache.get("k", this::slowLoad);
		for (int i = 0; i < hits; i++) {
			assertThat(cache.get("k", this::slowLoad)).isEqualTo("v");
		}
		return cache;
	}

	private MultiLevelCacheManager manager(Duration ttl) {
		CacheSettings settings = CacheSettings.defaults()
			.withL2(new CacheSettings.L2(true, ttl, Percentage.ofPercent(0)))
			.withFreshness(new CacheSettings.Freshness(0, 1.0));
		MultiLevelCacheManager manager = MultiLevelCacheManager.builder(this.redis)
			.defaults(settings)
			.serializer(new JacksonCacheValueSerializer(List.of()))
			.random(() -> {
				this.draws.incrementAndGet();
				return 0.5;
			})
			.build();
		this.managers.add(manager);
		manager.afterSingletonsInstantiated();
		return manager;
	}

	private String slowLoad() throws InterruptedException {
		Thread.sleep(5);
		return "v";
	}

}
