package io.github.multilevelcache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache;
import org.springframework.cache.Cache.ValueRetrievalException;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The Spring {@code Cache} contract (G4, G5, G12) against a real Redis.
 */
@RedisTest
class MultiLevelCacheTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "test-" + UUID.randomUUID() + ":";

	private LettuceConnectionFactory connectionFactory;

	private MultiLevelCacheManager manager;

	private MultiLevelCache cache;

	@BeforeEach
	void setUp() {
		this.connectionFactory = RedisTestSupport.connectionFactory(this.redis);
		this.manager = newManager(CacheSettings.defaults().withKeyPrefix(this.prefix));
		this.cache = this.manager.getCache("products");
	}

	@AfterEach
	void tearDown() {
		this.connectionFactory.destroy();
	}

	private MultiLevelCacheManager newManager(CacheSettings defaults) {
		return MultiLevelCacheManager.builder(this.connectionFactory)
			.defaults(defaults)
			.serializer(new JacksonCacheValueSerializer(List.of("io.github.multilevelcache")))
			.build();
	}

	/** A second instance on the same Redis: its L1 is cold. */
	private MultiLevelCache otherInstance() {
		return newManager(this.cache.getSettings()).getCache("products");
	}

	private byte[] raw(String key) {
		return this.redis.commandBytes(RedisTestSupport.utf8("GET"), RedisTestSupport.utf8(key));
	}

	private String redisKey(Object key) {
		return this.prefix + "products::" + key;
	}

	@Test
	void aReadThatBeginsAfterAnEvictNeverJoinsALoadThatBeganBefore() throws Exception {
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			Future<String> before = executor.submit(() -> this.cache.get("k", () -> {
				loading.countDown();
				release.await(10, TimeUnit.SECONDS);
				return "read from the database before the evict";
			}));
			assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
			this.cache.evict("k");
			assertThat(this.cache.get("k", () -> "read after the evict")).isEqualTo("read after the evict");
			release.countDown();
			assertThat(before.get(5, TimeUnit.SECONDS)).isEqualTo("read from the database before the evict");
			assertThat(this.cache.get("k", () -> "a third load")).isEqualTo("read after the evict");
		}
		finally {
			release.countDown();
			executor.shutdownNow();
		}
	}

	@Test
	void getOfAbsentKeyIsNull() {
		assertThat(this.cache.get("nope")).isNull();
		assertThat(this.cache.get("nope", String.class)).isNull();
	}

	@Test
	void putStoresInBothLevelsUnderTheCanonicalKey() {
		this.cache.put("1", new Product(1, "lamp"));
		assertThat(this.cache.get("1").get()).isEqualTo(new Product(1, "lamp"));
		assertThat(this.cache.locate("1")).isEqualTo(CacheLevel.L1);
		assertThat(this.redis.command("EXISTS", redisKey("1"))).isEqualTo("1");
		assertThat(otherInstance().get("1", Product.class)).isEqualTo(new Product(1, "lamp"));
	}

	@Test
	void valueWrittenByOneInstanceIsReadFromL2ByAnother() {
		this.cache.put("1", new Product(1, "lamp"));
		MultiLevelCache other = otherInstance();
		assertThat(other.locate("1")).isEqualTo(CacheLevel.L2);
		assertThat(other.get("1").get()).isEqualTo(new Product(1, "lamp"));
		assertThat(other.locate("1")).isEqualTo(CacheLevel.L1);
		assertThat(other.getStatistics().l2Hits()).isEqualTo(1);
	}

	@Test
	void getWithTypeChecksTheType() {
		this.cache.put("1", "text");
		assertThat(this.cache.get("1", String.class)).isEqualTo("text");
		assertThatIllegalStateException().isThrownBy(() -> this.cache.get("1", Integer.class));
	}

	@Test
	void getWithLoaderLoadsOnceAndCachesInBothLevels() {
		AtomicInteger calls = new AtomicInteger();
		assertThat(this.cache.get("k", () -> "v" + calls.incrementAndGet())).isEqualTo("v1");
		assertThat(this.cache.get("k", () -> "v" + calls.incrementAndGet())).isEqualTo("v1");
		assertThat(otherInstance().get("k", () -> "v" + calls.incrementAndGet())).isEqualTo("v1");
		assertThat(calls).hasValue(1);
	}

	@Test
	void loaderFailureIsWrappedAndNothingIsCached() {
		IllegalStateException failure = new IllegalStateException("database down");
		assertThatExceptionOfType(ValueRetrievalException.class).isThrownBy(() -> this.cache.get("k", () -> {
			throw failure;
		})).withCause(failure);
		assertThat(this.cache.get("k")).isNull();
		assertThat(RedisTestSupport.holdsValue(this.redis, redisKey("k"))).isFalse();
		assertThat(this.cache.getStatistics().loadFailures()).isEqualTo(1);
	}

	@Test
	void concurrentMissesOnOneKeyRunTheLoaderOnce() throws Exception {
		int threads = 16;
		CountDownLatch start = new CountDownLatch(1);
		CountDownLatch loaderEntered = new CountDownLatch(1);
		AtomicInteger calls = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<String>> results = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				results.add(pool.submit(() -> {
					start.await();
					return this.cache.get("hot", () -> {
						calls.incrementAndGet();
						loaderEntered.countDown();
						Thread.sleep(300);
						return "value";
					});
				}));
			}
			start.countDown();
			for (Future<String> result : results) {
				assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("value");
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(calls).hasValue(1);
	}

	@Test
	void loaderExceptionReachesEveryWaiter() throws Exception {
		int threads = 8;
		CountDownLatch start = new CountDownLatch(1);
		AtomicInteger calls = new AtomicInteger();
		// the loader fails only once every other caller waits for it: a caller arriving
		// after the failure would rightly run a loader of its own
		LoadWaiters waiters = new LoadWaiters(threads);
		IllegalStateException boom = new IllegalStateException("boom");
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
		try {
			List<Future<?>> results = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				results.add(pool.submit(() -> {
					waiters.register();
					start.await();
					try {
						this.cache.get("failing", () -> {
							calls.incrementAndGet();
							waiters.awaitTheOthers(Duration.ofSeconds(20));
							throw boom;
						});
					}
					catch (ValueRetrievalException ex) {
						failures.add(ex);
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> result : results) {
				result.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(failures).hasSize(threads).allSatisfy((failure) -> assertThat(failure).hasCause(boom));
		assertThat(calls).as("single-flight: one loader call for callers that overlapped").hasValue(1);
		assertThat(this.cache.getStatistics().loadFailures()).isEqualTo(1);
		assertThat(this.cache.get("failing")).isNull();
	}

	@Test
	void cachedNullIsAHitForNullWithItsOwnTtl() {
		CacheSettings settings = CacheSettings.defaults()
			.withKeyPrefix(this.prefix)
			.withNullValues(new CacheSettings.NullValues(true, Duration.ofSeconds(30)));
		MultiLevelCache nulls = newManager(settings).getCache("products");
		AtomicInteger calls = new AtomicInteger();
		assertThat((Object) nulls.get("missing", () -> {
			calls.incrementAndGet();
			return null;
		})).isNull();
		assertThat(nulls.get("missing")).isNotNull();
		assertThat(nulls.get("missing").get()).isNull();
		assertThat(otherInstance().get("missing")).as("null is a hit on another instance too").isNotNull();
		long pttl = Long.parseLong(this.redis.command("PTTL", redisKey("missing")));
		assertThat(pttl).isBetween(1L, 30_000L);
		nulls.get("missing", () -> {
			calls.incrementAndGet();
			return null;
		});
		assertThat(calls).hasValue(1);
	}

	@Test
	void nullIsRejectedWhenNullValuesAreDisabled() {
		CacheSettings settings = CacheSettings.defaults()
			.withKeyPrefix(this.prefix)
			.withNullValues(new CacheSettings.NullValues(false, Duration.ofSeconds(30)));
		MultiLevelCache noNulls = newManager(settings).getCache("products");
		assertThatIllegalArgumentException().isThrownBy(() -> noNulls.put("k", null));
		assertThat((Object) noNulls.get("k", () -> null)).isNull();
		assertThat(noNulls.get("k")).as("a null result is not cached").isNull();
	}

	@Test
	void l2TtlWithJitterIsAppliedToEachWrite() {
		CacheSettings settings = CacheSettings.defaults()
			.withKeyPrefix(this.prefix)
			.withL2(new CacheSettings.L2(true, Duration.ofSeconds(100), Percentage.ofPercent(20)));
		MultiLevelCache jittered = newManager(settings).getCache("products");
		Set<Long> ttls = new java.util.HashSet<>();
		for (int i = 0; i < 20; i++) {
			jittered.put("k" + i, "v");
			long pttl = Long.parseLong(this.redis.command("PTTL", redisKey("k" + i)));
			assertThat(pttl).isBetween(79_000L, 120_000L);
			ttls.add(pttl / 1000);
		}
		assertThat(ttls).as("jitter spreads expiries").hasSizeGreaterThan(3);
	}

	@Test
	void putIfAbsentStoresOnlyWhenAbsent() {
		assertThat(this.cache.putIfAbsent("k", "first")).isNull();
		Cache.ValueWrapper existing = this.cache.putIfAbsent("k", "second");
		assertThat(existing).isNotNull();
		assertThat(existing.get()).isEqualTo("first");
		assertThat(this.cache.get("k").get()).isEqualTo("first");
		assertThat(otherInstance().putIfAbsent("k", "third").get()).as("atomic in L2").isEqualTo("first");
	}

	@Test
	void putIfAbsentIsAtomicAcrossInstances() throws Exception {
		int instances = 6;
		List<MultiLevelCache> caches = new ArrayList<>();
		for (int i = 0; i < instances; i++) {
			caches.add(otherInstance());
		}
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(instances);
		List<Future<Cache.ValueWrapper>> results = new ArrayList<>();
		try {
			for (int i = 0; i < instances; i++) {
				MultiLevelCache target = caches.get(i);
				String value = "v" + i;
				results.add(pool.submit(() -> {
					start.await();
					return target.putIfAbsent("race", value);
				}));
			}
			start.countDown();
			int winners = 0;
			Set<Object> seen = new java.util.HashSet<>();
			for (Future<Cache.ValueWrapper> result : results) {
				Cache.ValueWrapper wrapper = result.get(10, TimeUnit.SECONDS);
				if (wrapper == null) {
					winners++;
				}
				else {
					seen.add(wrapper.get());
				}
			}
			assertThat(winners).isEqualTo(1);
			assertThat(seen).hasSize(1).containsExactly(this.cache.get("race").get());
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void evictRemovesFromBothLevels() {
		this.cache.put("k", "v");
		this.cache.evict("k");
		assertThat(this.cache.get("k")).isNull();
		assertThat(RedisTestSupport.holdsValue(this.redis, redisKey("k"))).isFalse();
	}

	@Test
	void evictIfPresentReportsWhetherSomethingWasRemoved() {
		this.cache.put("k", "v");
		assertThat(this.cache.evictIfPresent("k")).isTrue();
		assertThat(this.cache.evictIfPresent("k")).isFalse();
		otherInstance().put("k", "v");
		assertThat(this.cache.evictIfPresent("k")).as("present in L2 only").isTrue();
	}

	@Test
	void clearRemovesOnlyThisCachesKeys() {
		MultiLevelCache other = this.manager.getCache("orders");
		for (int i = 0; i < 1_200; i++) {
			this.cache.put("k" + i, i);
		}
		other.put("o", "order");
		this.redis.command("SET", this.prefix + "foreign", "x");
		this.cache.clear();
		assertThat(this.cache.get("k1")).isNull();
		assertThat(RedisTestSupport.holdsValue(this.redis, redisKey("k1199"))).isFalse();
		assertThat(other.get("o").get()).isEqualTo("order");
		assertThat(this.redis.command("EXISTS", this.prefix + "foreign")).isEqualTo("1");
	}

	@Test
	void clearEscapesGlobCharactersInTheCacheName() {
		MultiLevelCache star = this.manager.getCache("pro*");
		star.put("a", 1);
		this.cache.put("a", 2);
		star.clear();
		assertThat(this.cache.get("a").get()).isEqualTo(2);
		assertThat(this.redis.command("EXISTS", redisKey("a"))).isEqualTo("1");
	}

	@Test
	void invalidateReportsWhetherAnythingWasPresent() {
		assertThat(this.cache.invalidate()).isFalse();
		this.cache.put("k", "v");
		assertThat(this.cache.invalidate()).isTrue();
		assertThat(this.cache.get("k")).isNull();
	}

	@Test
	void retrieveChecksL1ThenL2() throws Exception {
		assertThat(this.cache.retrieve("absent").get(5, TimeUnit.SECONDS)).isNull();
		this.cache.put("k", "v");
		CompletableFuture<?> fromL1 = this.cache.retrieve("k");
		assertThat(fromL1).isCompleted();
		assertThat(((Cache.ValueWrapper) fromL1.get()).get()).isEqualTo("v");
		MultiLevelCache other = otherInstance();
		Object fromL2 = other.retrieve("k").get(5, TimeUnit.SECONDS);
		assertThat(((Cache.ValueWrapper) fromL2).get()).isEqualTo("v");
		assertThat(other.locate("k")).isEqualTo(CacheLevel.L1);
	}

	@Test
	void retrieveOfCachedNullIsAWrapperOfNull() throws Exception {
		this.cache.put("n", null);
		Object retrieved = otherInstance().retrieve("n").get(5, TimeUnit.SECONDS);
		assertThat(retrieved).isInstanceOf(Cache.ValueWrapper.class);
		assertThat(((Cache.ValueWrapper) retrieved).get()).isNull();
	}

	@Test
	void retrieveIsAnImmediateMissWithoutL2() {
		CacheSettings settings = CacheSettings.defaults()
			.withKeyPrefix(this.prefix)
			.withL2(new CacheSettings.L2(false, null, Percentage.ofPercent(0)));
		MultiLevelCache l1Only = newManager(settings).getCache("products");
		assertThat(l1Only.retrieve("k")).isNull();
	}

	@Test
	void retrieveWithLoaderLoadsOnceAndStoresInBothLevels() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		CompletableFuture<String> slow = new CompletableFuture<>();
		CompletableFuture<String> first = this.cache.retrieve("k", () -> {
			calls.incrementAndGet();
			return slow;
		});
		CompletableFuture<String> second = this.cache.retrieve("k", () -> {
			calls.incrementAndGet();
			return CompletableFuture.completedFuture("other");
		});
		slow.complete("loaded");
		assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("loaded");
		assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("loaded");
		assertThat(calls).hasValue(1);
		assertThat(otherInstance().get("k").get()).isEqualTo("loaded");
		assertThat(this.cache.retrieve("k", () -> CompletableFuture.completedFuture("x")).get()).isEqualTo("loaded");
	}

	@Test
	void retrieveWithFailingLoaderCachesNothing() {
		CompletableFuture<Object> result = this.cache.retrieve("k",
				() -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
		assertThat(result).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingRootCause().withMessage("boom");
		assertThat(this.cache.get("k")).isNull();
	}

	@Test
	void keysAreConvertedLikeRedisCache() {
		this.cache.put(new SimpleKey("a", 1), "v");
		assertThat(this.cache.canonicalKey(new SimpleKey("a", 1)))
			.isEqualTo(redisKey(new SimpleKey("a", 1).toString()));
		assertThat(this.redis.command("EXISTS", redisKey(new SimpleKey("a", 1).toString()))).isEqualTo("1");
		this.cache.put(42L, "v");
		assertThat(this.redis.command("EXISTS", redisKey("42"))).isEqualTo("1");
		assertThatIllegalStateException().isThrownBy(() -> this.cache.put(new Object(), "v"))
			.withMessageContaining("Cannot convert cache key");
	}

	@Test
	void corruptBytesAreAMissAndAreDeleted() {
		this.redis.command("SET", redisKey("garbage"), "definitely not ours");
		assertThat(this.cache.get("garbage")).isNull();
		assertThat(RedisTestSupport.holdsValue(this.redis, redisKey("garbage"))).isFalse();
		assertThat(this.cache.getStatistics().corruptValues()).isEqualTo(1);
		this.redis.command("SET", redisKey("garbage"), "again");
		assertThat(this.cache.get("garbage", () -> "loaded")).isEqualTo("loaded");
	}

	@Test
	void payloadNamingADisallowedTypeIsAMissAndIsNeverInstantiated() {
		byte[] payload = "{\"@class\":\"io.github.forbidden.Exploding\",\"x\":1}".getBytes(StandardCharsets.UTF_8);
		byte[] bytes = Envelope.value(payload, System.currentTimeMillis(), 0, 0).encode();
		this.redis.commandBytes(RedisTestSupport.utf8("SET"), RedisTestSupport.utf8(redisKey("evil")), bytes);
		assertThat(this.cache.get("evil")).isNull();
		assertThat(RedisTestSupport.holdsValue(this.redis, redisKey("evil"))).isFalse();
		assertThat(this.cache.getStatistics().corruptValues()).isEqualTo(1);
		assertThat(System.getProperty("multilevel-cache.test.exploding-loaded")).isNull();
	}

	@Test
	void truncatedValueIsAMiss() {
		this.cache.put("k", new Product(1, "lamp"));
		byte[] stored = raw(redisKey("k"));
		byte[] truncated = java.util.Arrays.copyOf(stored, stored.length - 3);
		this.redis.commandBytes(RedisTestSupport.utf8("SET"), RedisTestSupport.utf8(redisKey("k")), truncated);
		assertThat(otherInstance().get("k")).isNull();
	}

	@Test
	void readerRacingAnEvictDoesNotRefillL1WithTheOldValue() {
		this.cache.put("k", "old");
		MultiLevelCache other = otherInstance();
		long stamp = other.l1().stamp();
		// the reader has read "old" from L2 when the invalidation arrives
		other.l1().invalidate(other.canonicalKey("k"));
		assertThat(other.l1().fill(other.canonicalKey("k"), LocalEntry.of("old", 1, 0, 0), stamp)).isFalse();
		assertThat(other.locate("k")).isEqualTo(CacheLevel.L2);
	}

	record Product(long id, String name) {
	}

}
