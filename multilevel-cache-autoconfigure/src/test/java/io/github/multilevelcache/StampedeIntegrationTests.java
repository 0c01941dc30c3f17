package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache.ValueRetrievalException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Distributed stampede protection (G1) and the stale-set race (G3), with several Spring
 * contexts on one real Redis.
 */
@RedisTest
class StampedeIntegrationTests {

	private static final Duration GATHERING = Duration.ofSeconds(30);

	// a server of this class's own: it counts the watchdog's scripts
	private static RedisServer server;

	private final RedisServer redis = server;

	private final String prefix = "stampede-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final List<CacheInstance> instances = new ArrayList<>();

	@BeforeAll
	static void startRedis() {
		server = RedisServers.startPrivate();
	}

	@AfterAll
	static void stopRedis() {
		server.close();
	}

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
	 * key; each registers with {@code waiters}, whose size must be the total.
	 * @return the values every caller got
	 */
	private static List<Object> stampede(List<CacheInstance> instances, int threadsPerInstance, String key,
			LoadWaiters waiters, Callable<Object> loader) throws Exception {
		int total = instances.size() * threadsPerInstance;
		CyclicBarrier barrier = new CyclicBarrier(total);
		ExecutorService pool = Executors.newFixedThreadPool(total);
		try {
			List<Future<Object>> futures = new ArrayList<>();
			for (CacheInstance instance : instances) {
				MultiLevelCache cache = instance.cache("products");
				for (int t = 0; t < threadsPerInstance; t++) {
					futures.add(pool.submit(() -> {
						waiters.register();
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
		List<CacheInstance> four = start(4, "multilevel-cache.defaults.stampede.wait-timeout=60s");
		AtomicInteger loads = new AtomicInteger();
		LoadWaiters waiters = new LoadWaiters(200);
		List<Object> values = stampede(four, 50, "cold", waiters, () -> {
			loads.incrementAndGet();
			// the value is stored only once every other caller waits for it
			waiters.awaitTheOthers(GATHERING);
			return "value";
		});
		assertThat(values).hasSize(200).containsOnly("value");
		assertThat(loads).hasValue(1);
		long waits = four.stream().mapToLong((i) -> i.cache("products").getStatistics().lockWaits()).sum();
		long timeouts = four.stream().mapToLong((i) -> i.cache("products").getStatistics().lockWaitTimeouts()).sum();
		// the leader of each other instance waited for the lease, its other threads for
		// their leader
		assertThat(waits).isEqualTo(3);
		assertThat(timeouts).isZero();
	}

	@Test
	void watchdogKeepsTheLeaseOfALoaderSlowerThanTheLease() throws Exception {
		List<CacheInstance> three = start(3, "multilevel-cache.defaults.stampede.lock-lease=300ms",
				"multilevel-cache.defaults.stampede.wait-timeout=60s");
		String key = three.get(0).cache("products").canonicalKey("slow");
		AtomicInteger loads = new AtomicInteger();
		LoadWaiters waiters = new LoadWaiters(12);
		List<Object> values = stampede(three, 4, "slow", waiters, () -> {
			loads.incrementAndGet();
			byte[] lease = get(key);
			assertThat(lease).isNotNull();
			waiters.awaitTheOthers(GATHERING);
			// the loader outlives its 300 ms lease five times over: the very same lease
			// stays in the key all along
			await("the watchdog keeps the lease").during(Duration.ofMillis(1_500))
				.atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(25))
				.until(() -> Arrays.equals(get(key), lease));
			return "value";
		});
		assertThat(values).containsOnly("value");
		assertThat(loads).hasValue(1);
		assertThat(three.stream().mapToLong((i) -> i.cache("products").getStatistics().leaseLost()).sum()).isZero();
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
		Map<String, Long> before = this.redis.commandStats();
		this.redis.command("DEL", onA.canonicalKey("k"));
		// the watchdog's next renewal finds the lease gone: a renewal script that issues
		// no PEXPIRE
		await("a renewal after the DEL").atMost(Duration.ofSeconds(10)).until(() -> failedRenewalsSince(before) >= 1);
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

	/**
	 * Scripts run since {@code before} that did not renew (their lease was gone): the
	 * only scripts here are the watchdog's, and a successful renewal issues a PEXPIRE.
	 */
	private long failedRenewalsSince(Map<String, Long> before) {
		Map<String, Long> now = this.redis.commandStats();
		long scripts = delta(before, now, "evalsha") + delta(before, now, "eval");
		return scripts - delta(before, now, "pexpire");
	}

	private static long delta(Map<String, Long> before, Map<String, Long> now, String command) {
		return now.getOrDefault(command, 0L) - before.getOrDefault(command, 0L);
	}

	private byte[] get(String key) {
		return this.redis.commandBytes(RedisTestSupport.utf8("GET"), RedisTestSupport.utf8(key));
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
		LoadWaiters waiters = new LoadWaiters(10);
		long start = System.nanoTime();
		List<Object> values = stampede(two, 5, "k", waiters, () -> {
			loads.incrementAndGet();
			waiters.awaitTheOthers(GATHERING);
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
		IllegalStateException failure = new IllegalStateException("database down");
		assertThatExceptionOfType(ValueRetrievalException.class).isThrownBy(() -> cache.get("k", () -> {
			assertThat(this.redis.command("EXISTS", cache.canonicalKey("k"))).as("the loader holds the lease")
				.isEqualTo("1");
			throw failure;
		})).withCause(failure);
		// the lease must be gone
		assertThat(this.redis.command("EXISTS", cache.canonicalKey("k"))).isEqualTo("0");
		assertThat(cache.get("k", () -> "v")).isEqualTo("v");
	}

	@Test
	void loaderCallsForAThousandConcurrentMissesAreReported() throws Exception {
		int[] loadsWith = new int[1];
		int[] loadsWithout = new int[1];
		for (boolean distributed : new boolean[] { true, false }) {
			List<CacheInstance> four = start(4, "multilevel-cache.defaults.stampede.distributed=" + distributed,
					"multilevel-cache.defaults.stampede.wait-timeout=60s");
			AtomicInteger loads = new AtomicInteger();
			LoadWaiters waiters = new LoadWaiters(1_000);
			List<Object> values = stampede(four, 250, "thousand", waiters, () -> {
				loads.incrementAndGet();
				// every caller overlaps the load: it waits for one or runs one
				waiters.awaitTheOthers(GATHERING);
				return "value";
			});
			assertThat(values).hasSize(1_000).containsOnly("value");
			(distributed ? loadsWith : loadsWithout)[0] = loads.get();
			this.redis.command("DEL", four.get(0).cache("products").canonicalKey("thousand"));
			four.forEach(CacheInstance::close);
			this.instances.removeAll(four);
		}
		System.out.printf("[stampede] 1,000 concurrent cold misses over 4 instances: %d loader call(s) with "
				+ "distributed protection, %d without%n", loadsWith[0], loadsWithout[0]);
		assertThat(loadsWith[0]).isEqualTo(1);
		// without the lease every instance's leader loads: all of them overlapped
		assertThat(loadsWithout[0]).isEqualTo(4);
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
