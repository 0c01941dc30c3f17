package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis really stopped, restarted and stalled under the cache (G11): callers never see an
 * exception, waits stay bounded, and nothing evicted during an outage comes back.
 */
@RedisTest
class ResilienceIntegrationTests {

	private RedisServer redis;

	private final String prefix = "res-" + UUID.randomUUID().toString().substring(0, 8) + ":";

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

	private CacheInstance start(String... properties) {
		List<String> all = new ArrayList<>(List.of("multilevel-cache.resilience.stay-open=1s",
				"multilevel-cache.resilience.minimum-calls=5", "multilevel-cache.resilience.sliding-window-size=10"));
		all.addAll(List.of(properties));
		CacheInstance instance = CacheInstance.start(this.redis, this.prefix, all.toArray(new String[0]));
		this.instances.add(instance);
		if (this.redis.isManaged() && redisUp()) {
			// the first subscription clears L1: let it happen before the test fills L1
			await().atMost(Duration.ofSeconds(10)).until(() -> instance.bus().isSubscribed());
		}
		return instance;
	}

	private boolean redisUp() {
		try {
			return "PONG".equals(this.redis.command("PING"));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	@Test
	void stoppingRedisUnderReadLoadRaisesNoErrorAndWaitsStayBounded() throws Exception {
		CacheInstance app = start();
		MultiLevelCache cache = app.cache("products");
		for (int i = 0; i < 20; i++) {
			cache.put("hot" + i, "v" + i);
		}
		AtomicBoolean running = new AtomicBoolean(true);
		ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
		ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
		AtomicInteger counter = new AtomicInteger();
		List<Thread> readers = new ArrayList<>();
		for (int t = 0; t < 6; t++) {
			Thread reader = new Thread(() -> {
				while (running.get()) {
					int n = counter.incrementAndGet();
					String key = (n % 3 == 0) ? "cold" + n : "hot" + (n % 20);
					long start = System.nanoTime();
					try {
						Object value = cache.get(key, () -> "loaded");
						assertThat(value).isNotNull();
					}
					catch (Throwable ex) {
						errors.add(ex);
					}
					latencies.add(System.nanoTime() - start);
				}
			});
			readers.add(reader);
			reader.start();
		}
		// the readers run two-level before the outage
		await().atMost(Duration.ofSeconds(10)).until(() -> counter.get() >= 1_000);
		long refused = app.manager().getRefusedRedisCalls();
		long stopped = System.nanoTime();
		this.redis.stop();
		// the outage lasts at least 3 s, and until the breaker is open and has turned
		// many reads away from the stopped server
		await().atMost(Duration.ofSeconds(30))
			.until(() -> System.nanoTime() - stopped >= Duration.ofSeconds(3).toNanos()
					&& "OPEN".equals(app.manager().getRedisState())
					&& app.manager().getRefusedRedisCalls() >= refused + 1_000);
		Duration outage = Duration.ofNanos(System.nanoTime() - stopped);
		this.redis.start();
		// and the readers go on two-level once the breaker closed
		await().atMost(Duration.ofSeconds(20)).until(() -> "CLOSED".equals(app.manager().getRedisState()));
		int afterRecovery = counter.get();
		await().atMost(Duration.ofSeconds(10)).until(() -> counter.get() >= afterRecovery + 1_000);
		running.set(false);
		for (Thread reader : readers) {
			reader.join(10_000);
		}
		assertThat(errors).isEmpty();
		long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
		long p99 = sorted[(int) (sorted.length * 0.99)];
		long max = sorted[sorted.length - 1];
		System.out.printf(
				"[resilience] Redis stopped for %.1f s under 6 reader threads: %d calls, 0 errors, "
						+ "p50 %.2f ms, p99 %.2f ms, max %.1f ms%n",
				outage.toMillis() / 1e3, sorted.length, sorted[sorted.length / 2] / 1e6, p99 / 1e6, max / 1e6);
		// generous on a shared 2-core machine; the l2-timeout is 200 ms
		assertThat(Duration.ofNanos(max)).isLessThan(Duration.ofSeconds(3));
		// a put never throws (any exception fails the test at once); it reaches Redis
		// again
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			cache.put("after", "two-level");
			assertThat(this.redis.command("EXISTS", cache.canonicalKey("after"))).isEqualTo("1");
		});
	}

	@Test
	void keyEvictedDuringAnOutageIsNotServedFromRedisAfterwards() {
		CacheInstance a = start();
		CacheInstance b = start();
		MultiLevelCache onA = a.cache("products");
		MultiLevelCache onB = b.cache("products");
		onA.put("k", "old");
		await().atMost(Duration.ofSeconds(5)).until(() -> "old".equals(onB.get("k").get()) && b.inL1("products", "k"));
		// persist what Redis holds, so the restarted server comes back with "old" in it
		this.redis.command("SAVE");
		this.redis.stop();
		onA.evict("k");
		assertThat(onA.hasRememberedWrites()).isTrue();
		assertThat(a.inL1("products", "k")).isFalse();
		// the restarted Redis has "old" back (from the snapshot) until A repairs the key
		this.redis.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> !onA.hasRememberedWrites());
		assertThat(this.redis.command("EXISTS", onA.canonicalKey("k"))).isEqualTo("0");
		await().atMost(Duration.ofSeconds(10)).until(() -> !b.inL1("products", "k"));
		// right after the restart a call may still time out and be served by the loader:
		// what matters is that
		// the value evicted during the outage is never served again
		assertThat(onB.get("k", () -> "reloaded")).isNotEqualTo("old");
		assertThat(onA.get("k", () -> "other")).isNotEqualTo("old");
	}

	@Test
	void applicationStartedWithRedisDownBecomesTwoLevelWhenRedisStarts() {
		this.redis.stop();
		CacheInstance app = start();
		MultiLevelCache cache = app.cache("products");
		AtomicInteger loads = new AtomicInteger();
		assertThat(cache.get("k", () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
		assertThat(cache.get("k", () -> "v" + loads.incrementAndGet())).as("served from L1").isEqualTo("v1");
		cache.put("i", "one-level");
		assertThat(cache.get("i").get()).isEqualTo("one-level");
		this.redis.start();
		// a put never throws (any exception fails the test at once); it reaches Redis
		// once Redis is up
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			cache.put("j", "two-level");
			assertThat(this.redis.command("EXISTS", cache.canonicalKey("j"))).isEqualTo("1");
		});
		await().atMost(Duration.ofSeconds(15)).until(() -> app.bus().isSubscribed());
	}

	@Test
	void slowRedisOpensTheBreakerWhileL1HitsStayFast() throws Exception {
		CacheInstance app = start();
		MultiLevelCache cache = app.cache("products");
		cache.put("hot", "v");
		// every client's commands stall for 3 s (in effect once the call returned),
		// while the server stays up
		this.redis.pause(Duration.ofSeconds(3));
		long[] hits = new long[200];
		for (int i = 0; i < hits.length; i++) {
			long start = System.nanoTime();
			assertThat(cache.get("hot").get()).isEqualTo("v");
			hits[i] = System.nanoTime() - start;
		}
		AtomicInteger loads = new AtomicInteger();
		for (int i = 0; i < 10; i++) {
			long start = System.nanoTime();
			assertThat(cache.get("cold" + i, () -> "loaded" + loads.incrementAndGet())).startsWith("loaded");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
		}
		assertThat(app.manager().getRedisState()).isEqualTo("OPEN");
		Arrays.sort(hits);
		assertThat(Duration.ofNanos(hits[hits.length / 2])).as("L1 hits do not touch Redis")
			.isLessThan(Duration.ofMillis(50));
		// a put never throws (any exception fails the test at once); the breaker closes
		// once Redis answers again
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			cache.put("after", "x");
			assertThat(app.manager().getRedisState()).isEqualTo("CLOSED");
		});
	}

}
