package io.github.multilevelcache.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import io.github.multilevelcache.MultiLevelCache;
import org.HdrHistogram.Histogram;

/**
 * Scenario 4: how long after {@code evict} returns on instance A the key leaves instance
 * B's L1. B holds the key (its own put) before each eviction; the thread watches B's L1
 * (without touching Redis, every 10 µs) until the key is gone, so figures carry up to
 * about 60 µs of timer resolution.
 */
final class PropagationScenario {

	private static final String CACHE = "propagation";

	private static final Duration GIVE_UP = Duration.ofSeconds(5);

	private static final Duration OWN_ANNOUNCEMENT = Duration.ofMillis(100);

	private static final long POLL_NANOS = 10_000;

	private final Harness harness;

	PropagationScenario(Harness harness) {
		this.harness = harness;
	}

	Result run(ManagerKind kind) {
		List<BenchmarkInstance> instances = this.harness.start(2, kind, Map.of());
		try {
			return measure(kind, instances.get(0), instances.get(1));
		}
		finally {
			this.harness.stop(instances);
		}
	}

	private Result measure(ManagerKind kind, BenchmarkInstance a, BenchmarkInstance b) {
		MultiLevelCache onA = a.multiLevelCache(CACHE);
		MultiLevelCache onB = b.multiLevelCache(CACHE);
		Histogram propagation = Latency.histogram();
		Histogram evictCall = Latency.histogram();
		long lost = 0;
		int events = this.harness.settings().propagationEvents();
		int reportEvery = Math.max(1, events / 5);
		for (int i = 0; i < events; i++) {
			String key = "key-" + (i % 1_000);
			// B writes the key itself: it lands in B's L1 and no message of its own can
			// remove it later
			onB.put(key, "value-" + i);
			if (kind == ManagerKind.MULTILEVEL_TRACKING) {
				holdAfterOwnWrite(b, onB, key);
			}
			if (!b.inL1(CACHE, key)) {
				throw new IllegalStateException("Instance B did not keep its own put of " + key + " in L1");
			}
			long before = System.nanoTime();
			onA.evict(key);
			long returned = System.nanoTime();
			evictCall.recordValue(returned - before);
			long deadline = returned + GIVE_UP.toNanos();
			while (b.inL1(CACHE, key) && System.nanoTime() < deadline) {
				// a short park, not a spin: on a small machine a spinning watcher would
				// take the core the
				// receiving event loop needs, and measure the scheduler instead of the
				// cache
				LockSupport.parkNanos(POLL_NANOS);
			}
			long gone = System.nanoTime();
			if (gone >= deadline) {
				lost++;
			}
			else {
				propagation.recordValue(gone - returned);
			}
			if ((i + 1) % reportEvery == 0) {
				this.harness.progress().step("  %s: %,d of %,d evictions timed", kind.label(), i + 1, events);
			}
		}
		return new Result(kind, Latency.of(propagation), Latency.of(evictCall), lost);
	}

	/**
	 * With tracking, Redis announces B's own put back to B, which drops it from L1 (the
	 * documented cost of self-invalidation); B waits for that and reads the key back from
	 * Redis into L1, which no later announcement undoes. An announcement that arrived
	 * before the put reached L1 removes nothing, so B waits for it at most
	 * {@link #OWN_ANNOUNCEMENT}.
	 */
	private static void holdAfterOwnWrite(BenchmarkInstance b, MultiLevelCache onB, String key) {
		long announced = System.nanoTime() + OWN_ANNOUNCEMENT.toNanos();
		while (b.inL1(CACHE, key) && System.nanoTime() < announced) {
			LockSupport.parkNanos(POLL_NANOS);
		}
		long deadline = System.nanoTime() + GIVE_UP.toNanos();
		while (!b.inL1(CACHE, key) && System.nanoTime() < deadline) {
			onB.get(key);
		}
	}

	/**
	 * The result of one invalidation mode.
	 *
	 * @param kind multilevel in one mode
	 * @param propagation from {@code evict} returning on A to the key leaving B's L1
	 * @param evictCall how long {@code evict} took on A
	 * @param lost evictions B never saw within five seconds
	 */
	record Result(ManagerKind kind, Latency propagation, Latency evictCall, long lost) {
	}

}
