package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.MultiLevelCache;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reports how long an evict on A takes to leave B's L1, and what an acknowledged evict
 * costs the writer (the figures are not asserted; the benchmarks module tracks them at
 * scale). Asserts that every evict reached B and that an acknowledged evict returns only
 * after B dropped the key.
 */
@RedisTest
class InvalidationLatencyTests {

	private static final int EVENTS = 1_000;

	private final RedisServer redis = RedisServers.shared();

	@Test
	void propagationLatencyIsReported() {
		String prefix = "lat-" + UUID.randomUUID().toString().substring(0, 8) + ":";
		try (CacheInstance a = CacheInstance.start(this.redis, prefix,
				"multilevel-cache.caches.acked.invalidation.mode=acknowledged");
				CacheInstance b = CacheInstance.start(this.redis, prefix)) {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> a.bus().peers().containsKey(b.bus().instanceId())
						&& b.bus().peers().containsKey(a.bus().instanceId()));
			long[] propagation = new long[EVENTS];
			long[] asyncEvict = new long[EVENTS];
			long[] ackedEvict = new long[EVENTS];
			MultiLevelCache onA = a.cache("products");
			MultiLevelCache onB = b.cache("products");
			MultiLevelCache ackedOnA = a.cache("acked");
			MultiLevelCache ackedOnB = b.cache("acked");
			for (int i = 0; i < EVENTS; i++) {
				String key = "k" + i;
				onA.put(key, i);
				ackedOnA.put(key, i);
				String canonical = onB.canonicalKey(key);
				long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
				do {
					// a read racing the put's own invalidation rightly leaves L1 empty:
					// read again
					onB.get(key);
					ackedOnB.get(key);
				}
				while (!(b.inL1("products", key) && b.inL1("acked", key)) && System.nanoTime() < deadline);
				// a warm-up that timed out would leave nothing for the evicts to drop
				assertThat(b.inL1("products", key)).as("B's L1 holds %s before the evict", key).isTrue();
				assertThat(b.inL1("acked", key)).as("B's L1 holds acked %s before the evict", key).isTrue();
				long start = System.nanoTime();
				onA.evict(key);
				long returned = System.nanoTime();
				while (onB.holdsLocally(key)) {
					Thread.onSpinWait();
					if (System.nanoTime() - returned > Duration.ofSeconds(5).toNanos()) {
						break;
					}
				}
				propagation[i] = System.nanoTime() - returned;
				assertThat(onB.holdsLocally(key)).as("the evict of %s reached B within 5 s", key).isFalse();
				asyncEvict[i] = returned - start;
				long ackStart = System.nanoTime();
				ackedOnA.evict(key);
				ackedEvict[i] = System.nanoTime() - ackStart;
				assertThat(b.inL1("acked", key)).as("acknowledged evict returned after B dropped the key").isFalse();
			}
			assertThat(a.bus().statistics().ackTimeouts()).as("every acknowledged evict was confirmed").isZero();
			System.out.printf("[invalidation] propagation after evict returned on A (%d events): %s%n", EVENTS,
					summary(propagation));
			System.out.printf("[invalidation] async evict on A: %s%n", summary(asyncEvict));
			System.out.printf("[invalidation] acknowledged evict on A: %s%n", summary(ackedEvict));
		}
	}

	private static String summary(long[] nanos) {
		long[] sorted = nanos.clone();
		Arrays.sort(sorted);
		return String.format("p50 %.1f µs, p99 %.1f µs, max %.1f µs", sorted[sorted.length / 2] / 1e3,
				sorted[(int) (sorted.length * 0.99)] / 1e3, sorted[sorted.length - 1] / 1e3);
	}

}
