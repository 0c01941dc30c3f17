package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Distributed stampede protection (G1) and the stale-set race (G3), with several Spring
 * contexts on one real Redis.
 */
class StampedeIntegrationTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "stampede-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final List<CacheInstance> instances = new ArrayList<>();

	@AfterEach
	void stop() {
		this.instances.forEach(CacheInstance::close);
	}

	private List<CacheInstance> start(int count, String... properties) {
		List<CacheInstance> started = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			CacheInstance instance = CacheInstance.start(this.redis, this.prefix, properties);
			this.instances.add(instance);
			started.add(instance);
		}
		return started;
	}

	/**
	 * Releases {@code threadsPerInstance} threads on every instance together on one cold
	 * key.
	 * @return the values every caller got
	 */
	private static List<Object> stampede(List<CacheInstance> instances, int threadsPerInstance, String key,
			Callable<Object> loader) throws Exception {
		int total = instances.size() * threadsPerInstance;
		CyclicBarrier barrier = new CyclicBarrier(total);
		ExecutorService pool = Executors.newFixedThreadPool(total);
		try {
			List<Future<Object>> futures = new ArrayList<>();
			for (CacheInstance instance : instances) {
				MultiLevelCache cache = instance.cache("products");
				for (int t = 0; t < threadsPerInstance; t++) {
					futures.add(pool.submit(() -> {
						barrier.await(30, TimeUnit.SECONDS);
						return cache.get(key, loader);
					}));
				}
			}
			List<Object> values = new ArrayList<>();
			for (Future<Object> future : futures) {
				values.add(future.get(60, TimeUnit.SECONDS));
			}
			return values;
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void concurrentColdMissesAcrossInstancesRunTheLoaderOnce() throws Exception {
		List<CacheInstance> four = start(4);
		AtomicInteger loads = new AtomicInteger();
		List<Object> values = stampede(four, 50, "cold", () -> {
			loads.incrementAndGet();
			Thread.sleep(500);
			return "value";
		});
		assertThat(values).hasSize(200).containsOnly("value");
		assertThat(loads).hasValue(1);
		long waits = four.stream().mapToLong((i) -> i.cache("products").getStatistics().lockWaits()).sum();
		// one waiting leader per other instance, unless its threads only arrived once the
		// value was stored
		assertThat(waits).isLessThanOrEqualTo(3);
	}

	@Test
	void watchdogKeepsTheLeaseOfALoaderSlowerThanTheLease() throws Exception {
		List<CacheInstance> three = start(3, "multilevel-cache.defaults.stampede.lock-lease=300ms",
				"multilevel-cache.defaults.stampede.wait-timeout=10s");
		AtomicInteger loads = new AtomicInteger();
		List<Object> values = stampede(three, 4, "slow", () -> {
			loads.incrementAndGet();
			Thread.sleep(1_500);
			return "value";
		});
		assertThat(values).containsOnly("value");
		assertThat(loads).hasValue(1);
	}

	@Test
	void holderPausedPastItsLeaseCannotStoreItsLateValue() throws Exception {
		List<CacheInstance> two = start(2, "multilevel-cache.defaults.stampede.lock-lease=300ms");
		MultiLevelCache onA = two.get(0).cache("products");
		MultiLevelCache onB = two.get(1).cache("products");
		CountDownLatch holderLoading = new CountDownLatch(1);
		CountDownLatch resume = new CountDownLatch(1);
		CompletableFuture<Object> holder = CompletableFuture.supplyAsync(() -> onA.get("k", () -> {
			holderLoading.countDown();
			resume.await(10, TimeUnit.SECONDS);
			return "late";
		}));
		assertThat(holderLoading.await(5, TimeUnit.SECONDS)).isTrue();
		// the holder loses its lease (as after a pause longer than the lease: its renewal
		// cannot revive it);
		// B takes the key and loads a newer value
		this.redis.command("DEL", onA.canonicalKey("k"));
		Thread.sleep(400);
		assertThat(this.redis.command("EXISTS", onA.canonicalKey("k"))).as("renewal did not revive it").isEqualTo("0");
		assertThat(onB.get("k", () -> "newer")).isEqualTo("newer");
		resume.countDown();
		assertThat(holder.get(5, TimeUnit.SECONDS)).isEqualTo("late");
		assertThat(onA.getStatistics().leaseLost()).isEqualTo(1);
		assertThat(onA.get("k").get()).as("a refused value is not kept in L1: A took B's").isEqualTo("newer");
		assertThat(two.get(1).manager().getCache("products").get("k").get()).isEqualTo("newer");
		assertThat(new CacheInstanceProbe(this.redis).read(onA.canonicalKey("k"))).isEqualTo("newer");
	}

	@Test
	void evictDuringALoadKeepsTheStaleValueOutOfRedis() throws Exception {
		List<CacheInstance> two = start(2);
		MultiLevelCache loaderSide = two.get(0).cache("products");
		MultiLevelCache writerSide = two.get(1).cache("products");
		CountDownLatch readOld = new CountDownLatch(1);
		CountDownLatch updated = new CountDownLatch(1);
		CompletableFuture<Object> loader = CompletableFuture.supplyAsync(() -> loaderSide.get("k", () -> {
			String fromDatabase = "old";
			readOld.countDown();
			updated.await(10, TimeUnit.SECONDS);
			return fromDatabase;
		}));
		assertThat(readOld.await(5, TimeUnit.SECONDS)).isTrue();
		// the application updates the database, then evicts (@CacheEvict)
		writerSide.evict("k");
		updated.countDown();
		assertThat(loader.get(5, TimeUnit.SECONDS)).isEqualTo("old");
		assertThat(this.redis.command("EXISTS", loaderSide.canonicalKey("k"))).isEqualTo("0");
		assertThat(writerSide.get("k", () -> "new")).isEqualTo("new");
	}

	@Test
	void putDuringALoadWinsOverTheLoadedValue() throws Exception {
		List<CacheInstance> two = start(2);
		MultiLevelCache loaderSide = two.get(0).cache("products");
		MultiLevelCache writerSide = two.get(1).cache("products");
		CountDownLatch readOld = new CountDownLatch(1);
		CountDownLatch updated = new CountDownLatch(1);
		CompletableFuture<Object> loader = CompletableFuture.supplyAsync(() -> loaderSide.get("k", () -> {
			readOld.countDown();
			updated.await(10, TimeUnit.SECONDS);
			return "old";
		}));
		assertThat(readOld.await(5, TimeUnit.SECONDS)).isTrue();
		writerSide.put("k", "new");
		updated.countDown();
		loader.get(5, TimeUnit.SECONDS);
		assertThat(new CacheInstanceProbe(this.redis).read(loaderSide.canonicalKey("k"))).isEqualTo("new");
	}

	@Test
	void crashedHolderDoesNotDeadlockWaiters() throws Exception {
		List<CacheInstance> two = start(2, "multilevel-cache.defaults.stampede.lock-lease=1s",
				"multilevel-cache.defaults.stampede.wait-timeout=3s");
		MultiLevelCache cache = two.get(0).cache("products");
		// a lease whose holder died: nobody will store or release it
		byte[] lease = Envelope.placeholder(Envelope.Kind.LEASE, "dead-instance:1", System.currentTimeMillis(), 0)
			.encode();
		this.redis.commandBytes(RedisTestSupport.utf8("SET"), RedisTestSupport.utf8(cache.canonicalKey("k")), lease,
				RedisTestSupport.utf8("PX"), RedisTestSupport.utf8("1000"));
		AtomicInteger loads = new AtomicInteger();
		long start = System.nanoTime();
		List<Object> values = stampede(two, 5, "k", () -> {
			loads.incrementAndGet();
			return "value";
		});
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(values).containsOnly("value");
		assertThat(loads).hasValue(1);
		assertThat(took).isLessThan(Duration.ofSeconds(3 + 1 + 10));
	}

	@Test
	void loaderFailureReleasesTheLeaseForTheNextCaller() {
		List<CacheInstance> one = start(1);
		MultiLevelCache cache = one.get(0).cache("products");
		try {
			cache.get("k", () -> {
				throw new IllegalStateException("database down");
			});
		}
		catch (org.springframework.cache.Cache.ValueRetrievalException expected) {
			// the lease must be gone
		}
		assertThat(this.redis.command("EXISTS", cache.canonicalKey("k"))).isEqualTo("0");
		assertThat(cache.get("k", () -> "v")).isEqualTo("v");
	}

	@Test
	void loaderCallsForAThousandConcurrentMissesAreReported() throws Exception {
		int[] loadsWith = new int[1];
		int[] loadsWithout = new int[1];
		for (boolean distributed : new boolean[] { true, false }) {
			List<CacheInstance> four = start(4, "multilevel-cache.defaults.stampede.distributed=" + distributed);
			AtomicInteger loads = new AtomicInteger();
			stampede(four, 250, "thousand", () -> {
				loads.incrementAndGet();
				Thread.sleep(200);
				return "value";
			});
			(distributed ? loadsWith : loadsWithout)[0] = loads.get();
			this.redis.command("DEL", four.get(0).cache("products").canonicalKey("thousand"));
			four.forEach(CacheInstance::close);
			this.instances.removeAll(four);
		}
		System.out.printf("[stampede] 1,000 concurrent cold misses over 4 instances: %d loader call(s) with "
				+ "distributed protection, %d without%n", loadsWith[0], loadsWithout[0]);
		assertThat(loadsWith[0]).isEqualTo(1);
		assertThat(loadsWithout[0]).isBetween(1, 4);
	}

	/**
	 * Reads and decodes what Redis holds under a key, without any cache in between.
	 */
	static final class CacheInstanceProbe {

		private final RedisServer redis;

		CacheInstanceProbe(RedisServer redis) {
			this.redis = redis;
		}

		Object read(String key) {
			byte[] bytes = this.redis.commandBytes(RedisTestSupport.utf8("GET"), RedisTestSupport.utf8(key));
			if (bytes == null) {
				return null;
			}
			Envelope envelope = Envelope.decode(bytes);
			return new io.github.multilevelcache.serialization.JacksonCacheValueSerializer(List.of())
				.deserialize(envelope.payload());
		}

	}

}
