package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.MultiLevelCache;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cross-instance coherence (G2, G6) with three Spring contexts on one real Redis that the
 * test owns, so it can kill connections, flush and restart it.
 */
@RedisTest
class InvalidationIntegrationTests {

	/** The heartbeat interval of {@link CacheInstance}. */
	private static final Duration HEARTBEAT = Duration.ofMillis(200);

	/** Room for a loaded 2-core machine on top of a bound the tests assert. */
	private static final Duration MARGIN = Duration.ofSeconds(3);

	private static RedisServer redis;

	private final String prefix = "inv-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private CacheInstance a;

	private CacheInstance b;

	private CacheInstance c;

	@BeforeAll
	static void startRedis() {
		redis = RedisServers.startPrivate();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void startInstances() {
		this.a = CacheInstance.start(redis, this.prefix);
		this.b = CacheInstance.start(redis, this.prefix);
		this.c = CacheInstance.start(redis, this.prefix);
		for (CacheInstance instance : new CacheInstance[] { this.a, this.b, this.c }) {
			instance.cache("products");
			instance.cache("orders");
			await().atMost(Duration.ofSeconds(10)).until(() -> instance.bus().isSubscribed());
		}
		// every instance has heard every other one
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.a.bus().peers().size() == 2 && this.b.bus().peers().size() == 2
					&& this.c.bus().peers().size() == 2);
	}

	@AfterEach
	void stopInstances() {
		for (CacheInstance instance : new CacheInstance[] { this.a, this.b, this.c }) {
			if (instance != null) {
				instance.close();
			}
		}
	}

	/**
	 * Puts on A and reads on B and C until their L1 holds the value (a read that races
	 * the put's own invalidation message rightly does not fill L1).
	 */
	private void warm(String cacheName, String key, Object value) {
		this.a.cache(cacheName).put(key, value);
		for (CacheInstance reader : new CacheInstance[] { this.b, this.c }) {
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				assertThat(reader.cache(cacheName).get(key).get()).isEqualTo(value);
				return reader.inL1(cacheName, key);
			});
		}
	}

	@Test
	void putOnOneInstanceDropsTheKeyFromTheOthersL1() {
		warm("products", "1", "v1");
		warm("orders", "1", "o1");
		this.a.cache("products").put("1", "v2");
		await().atMost(Duration.ofSeconds(2))
			.until(() -> !this.b.inL1("products", "1") && !this.c.inL1("products", "1"));
		assertThat(this.a.inL1("products", "1")).as("the writer keeps the new value").isTrue();
		assertThat(this.b.cache("products").get("1").get()).isEqualTo("v2");
		assertThat(this.c.cache("products").get("1").get()).isEqualTo("v2");
		assertThat(this.b.inL1("orders", "1")).as("other caches are untouched").isTrue();
		assertThat(this.b.bus().statistics().received()).isGreaterThanOrEqualTo(1);
	}

	@Test
	void evictOnOneInstanceDropsTheKeyEverywhere() {
		warm("products", "2", "v1");
		this.a.cache("products").evict("2");
		await().atMost(Duration.ofSeconds(2))
			.until(() -> !this.b.inL1("products", "2") && !this.c.inL1("products", "2"));
		assertThat(this.b.cache("products").get("2")).isNull();
	}

	@Test
	void evictOfAKeyRedisDroppedByItselfStillLeavesEveryOtherL1() {
		// issue 16.1: maxmemory eviction, an operator's DEL or another tool's UNLINK
		// removed the key from Redis
		// while B and C still hold it; C, which evicts, does not hold it in L1 (it never
		// read it)
		warm("products", "dropped", "v1");
		redis.command("DEL", this.a.cache("products").canonicalKey("dropped"));
		this.c.manager()
			.invalidationTargets()
			.invalidate("products", java.util.List.of(this.c.cache("products").canonicalKey("dropped")));
		assertThat(this.b.inL1("products", "dropped")).isTrue();
		long sent = this.c.bus().statistics().sent();
		assertThat(this.c.cache("products").evictIfPresent("dropped")).as("nothing was there to remove").isFalse();
		assertThat(this.c.bus().statistics().sent()).isEqualTo(sent + 1);
		await().atMost(Duration.ofSeconds(2))
			.until(() -> !this.a.inL1("products", "dropped") && !this.b.inL1("products", "dropped"));
		warm("products", "dropped2", "v1");
		redis.command("UNLINK", this.a.cache("products").canonicalKey("dropped2"));
		this.a.cache("products").evict("dropped2");
		await().atMost(Duration.ofSeconds(2))
			.until(() -> !this.b.inL1("products", "dropped2") && !this.c.inL1("products", "dropped2"));
	}

	@Test
	void clearOnOneInstanceEmptiesThatCacheEverywhere() {
		warm("products", "3", "v1");
		warm("orders", "3", "o1");
		this.a.cache("products").clear();
		await().atMost(Duration.ofSeconds(2))
			.until(() -> !this.b.inL1("products", "3") && !this.c.inL1("products", "3"));
		assertThat(this.b.inL1("orders", "3")).isTrue();
	}

	@Test
	void killedSubscriberConnectionClearsL1AndResubscribes() {
		warm("products", "4", "v1");
		long resubscriptions = this.b.bus().statistics().resubscriptions();
		redis.command("CLIENT", "KILL", "TYPE", "pubsub");
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.b.bus().statistics().resubscriptions() > resubscriptions && this.b.bus().isSubscribed());
		assertThat(this.b.inL1("products", "4")).as("L1 cleared on resubscription").isFalse();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.a.bus().isSubscribed() && this.c.bus().isSubscribed());
		warm("products", "4", "v2");
		this.a.cache("products").put("4", "v3");
		await().atMost(Duration.ofSeconds(2)).until(() -> !this.b.inL1("products", "4"));
		assertThat(this.b.cache("products").get("4").get()).isEqualTo("v3");
	}

	/**
	 * {@link HeartbeatDetectionTests} shows that one heartbeat detects a FLUSHALL; here
	 * the heartbeats run by themselves.
	 */
	@Test
	void flushAllIsDetectedByTheRunningHeartbeats() {
		warm("products", "5", "v1");
		long epochChanges = this.b.bus().statistics().epochChanges();
		redis.flushAll();
		// heartbeats run every 200 ms; the deadline is many of them
		await().atMost(HEARTBEAT.plus(MARGIN))
			.until(() -> !this.b.inL1("products", "5") && !this.c.inL1("products", "5")
					&& !this.a.inL1("products", "5"));
		assertThat(this.b.bus().statistics().epochChanges()).isGreaterThan(epochChanges);
		assertThat(this.b.cache("products").get("5")).isNull();
	}

	/**
	 * {@link HeartbeatDetectionTests} shows that the next heartbeat detects a lost
	 * message; here the heartbeats run by themselves.
	 */
	@Test
	void lostMessageIsDetectedByTheRunningHeartbeats() {
		warm("products", "6", "v1");
		warm("products", "7", "w1");
		long gaps = this.b.bus().statistics().gaps();
		this.a.bus().dropNextPublication();
		this.a.cache("products").put("6", "v2");
		// heartbeats run every 200 ms; the deadline is many of them
		await().atMost(HEARTBEAT.plus(MARGIN))
			.until(() -> !this.b.inL1("products", "6") && !this.c.inL1("products", "6"));
		assertThat(this.b.bus().statistics().gaps()).isGreaterThan(gaps);
		assertThat(this.b.inL1("products", "7")).as("the whole cache was cleared").isFalse();
		assertThat(this.b.cache("products").get("6").get()).isEqualTo("v2");
	}

	@Test
	void garbageOnTheChannelIsIgnoredAndCounted() {
		warm("products", "8", "v1");
		long malformed = this.b.bus().statistics().malformed();
		redis.command("PUBLISH", this.prefix + "invalidation", "not a message");
		redis.command("PUBLISH", this.prefix + "invalidation", "MLCI\u0001\u0000garbage");
		await().atMost(Duration.ofSeconds(2)).until(() -> this.b.bus().statistics().malformed() >= malformed + 2);
		this.a.cache("products").put("8", "v2");
		await().atMost(Duration.ofSeconds(2)).until(() -> !this.b.inL1("products", "8"));
		assertThat(this.b.cache("products").get("8").get()).isEqualTo("v2");
	}

	@Test
	void redisRestartClearsEveryL1AndServiceRecovers() {
		warm("products", "9", "v1");
		redis.stop();
		redis.start();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> !this.b.inL1("products", "9") && !this.c.inL1("products", "9")
					&& !this.a.inL1("products", "9"));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.a.bus().isSubscribed() && this.b.bus().isSubscribed() && this.c.bus().isSubscribed());
		await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
			this.a.cache("products").put("9", "v2");
			assertThat(this.b.cache("products").get("9").get()).isEqualTo("v2");
		});
		this.a.cache("products").put("9", "v3");
		await().atMost(Duration.ofSeconds(2)).until(() -> !this.b.inL1("products", "9"));
	}

	/**
	 * Two instances putting the same keys at once: whichever put reached Redis last, no
	 * instance may keep the other one in L1. A put that an invalidation overtook while
	 * its Redis write was in flight must not be stored in L1 afterwards.
	 */
	@Test
	void concurrentPutsOfOneKeyOnTwoInstancesLeaveNoL1DisagreeingWithRedis() throws Exception {
		MultiLevelCache onA = this.a.cache("products");
		MultiLevelCache onB = this.b.cache("products");
		int keys = 20;
		int rounds = 100;
		CountDownLatch start = new CountDownLatch(1);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		List<Thread> writers = new ArrayList<>();
		for (MultiLevelCache writer : List.of(onA, onB)) {
			String name = (writer == onA) ? "a" : "b";
			Thread thread = new Thread(() -> {
				try {
					start.await();
					for (int round = 0; round < rounds; round++) {
						for (int key = 0; key < keys; key++) {
							writer.put("contended-" + key, name + "-" + round);
						}
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
			});
			thread.start();
			writers.add(thread);
		}
		start.countDown();
		for (Thread writer : writers) {
			writer.join(Duration.ofSeconds(60).toMillis());
		}
		assertThat(failure.get()).isNull();
		// the third instance never held these keys: it reads what Redis holds; every
		// message has arrived well within the margin
		await().pollDelay(HEARTBEAT.multipliedBy(2)).atMost(MARGIN).untilAsserted(() -> {
			for (int key = 0; key < keys; key++) {
				Object inRedis = this.c.cache("products").get("contended-" + key).get();
				assertThat(onA.get("contended-" + key).get()).as("A's contended-" + key).isEqualTo(inRedis);
				assertThat(onB.get("contended-" + key).get()).as("B's contended-" + key).isEqualTo(inRedis);
			}
		});
	}

	@Test
	void asyncModeReadsOnOtherInstancesCatchUpWithinAHeartbeatAndNeverGoBack() throws Exception {
		MultiLevelCache writer = this.a.cache("products");
		List<MultiLevelCache> readerCaches = List.of(this.b.cache("products"), this.c.cache("products"));
		long bound = HEARTBEAT.plus(MARGIN).toNanos();
		int versions = 300;
		writer.put("hot", 0L);
		// when the put of each version returned, published before the version itself
		AtomicLongArray completedAt = new AtomicLongArray(versions + 1);
		AtomicLong completed = new AtomicLong();
		AtomicBoolean done = new AtomicBoolean();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		AtomicLongArray latest = new AtomicLongArray(readerCaches.size());
		AtomicLong reads = new AtomicLong();
		AtomicLong staleReads = new AtomicLong();
		long hitsBefore = readerCaches.stream().mapToLong((cache) -> cache.getStatistics().l1Hits()).sum();
		List<Thread> readers = new ArrayList<>();
		for (int r = 0; r < readerCaches.size(); r++) {
			MultiLevelCache reader = readerCaches.get(r);
			int index = r;
			// one reader thread per instance: each read begins after the previous one
			// returned
			Thread thread = new Thread(() -> {
				try {
					long previous = 0;
					while (!done.get()) {
						long floor = completed.get();
						long start = System.nanoTime();
						long value = (Long) reader.get("hot").get();
						reads.incrementAndGet();
						assertThat(value).as("a read never returns an older version than the one before it")
							.isGreaterThanOrEqualTo(previous);
						if (value < floor) {
							// older than a put that returned before the read began: only
							// for less than the bound since the next version's put
							// returned
							staleReads.incrementAndGet();
							assertThat(start - completedAt.get((int) value + 1)).as("staleness of a read (ns)")
								.isLessThan(bound);
						}
						previous = value;
						latest.set(index, value);
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
			}, "reader-" + r);
			readers.add(thread);
			thread.start();
		}
		for (int version = 1; version <= versions; version++) {
			writer.put("hot", (long) version);
			completedAt.set(version, System.nanoTime());
			completed.set(version);
			// pacing, so that the readers see many versions
			Thread.sleep(1);
		}
		try {
			// once the last put returned, every reader returns it within the bound
			await("every reader returns the last version").atMost(HEARTBEAT.plus(MARGIN))
				.until(() -> failure.get() != null
						|| IntStream.range(0, readerCaches.size()).allMatch((r) -> latest.get(r) == versions));
		}
		finally {
			done.set(true);
			for (Thread thread : readers) {
				thread.join(10_000);
			}
		}
		assertThat(failure.get()).isNull();
		long hits = readerCaches.stream().mapToLong((cache) -> cache.getStatistics().l1Hits()).sum() - hitsBefore;
		assertThat(hits).as("the readers were served from L1").isPositive();
		System.out.printf("[invalidation] async mode: %d of %d reads on B and C began after a newer put had returned "
				+ "on A, each stale for less than the bound%n", staleReads.get(), reads.get());
	}

	/**
	 * Runs a writer on {@code writer} and readers on {@code reader}; returns how many
	 * reads that began after a put returned saw an older version.
	 */
	static long measureStaleReads(MultiLevelCache writer, MultiLevelCache reader) throws Exception {
		AtomicLong completed = new AtomicLong();
		AtomicLong staleReads = new AtomicLong();
		AtomicBoolean done = new AtomicBoolean();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		writer.put("hot", 0L);
		Thread[] readers = new Thread[3];
		for (int i = 0; i < readers.length; i++) {
			readers[i] = new Thread(() -> {
				try {
					while (!done.get()) {
						long floor = completed.get();
						Object value = reader.get("hot").get();
						if ((Long) value < floor) {
							staleReads.incrementAndGet();
						}
					}
				}
				catch (Throwable ex) {
					failure.set(ex);
				}
			});
			readers[i].start();
		}
		for (long version = 1; version <= 300; version++) {
			writer.put("hot", version);
			completed.set(version);
			Thread.sleep(1);
		}
		done.set(true);
		for (Thread thread : readers) {
			thread.join(10_000);
		}
		assertThat(failure.get()).isNull();
		return staleReads.get();
	}

}
