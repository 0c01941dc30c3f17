package io.github.multilevelcache.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.github.multilevelcache.WriteStrategy;
import io.github.multilevelcache.benchmarks.BenchmarkApplication.ViewsService;
import io.github.multilevelcache.write.WriteBehindStatistics;

import org.springframework.cache.Cache;

/**
 * Scenario 6: eight threads record views of Zipf(0.99)-popular pages (1,000 keys) through
 * {@code @CachePut}, on a cache whose writer costs 1 ms per database round trip.
 * Write-behind is compared with write-through, which pays the round trip on every put.
 * After the run the instance is closed (flushing what is queued) and the database row of
 * every key that was put is compared with the value the cache held: a difference is a
 * lost write.
 */
final class WriteBehindScenario {

	static final int THREADS = 8;

	static final int KEYS = 1_000;

	static final Duration DATABASE_LATENCY = Duration.ofMillis(1);

	private static final String CACHE = "views";

	private final Harness harness;

	private final Zipf zipf = new Zipf(KEYS, 0.99);

	WriteBehindScenario(Harness harness) {
		this.harness = harness;
	}

	/**
	 * A strategy as the {@code strategy} property spells it ({@code write-behind}).
	 */
	static String propertyValue(WriteStrategy strategy) {
		return strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	Result run(WriteStrategy strategy) throws InterruptedException {
		RecordingWriter writer = new RecordingWriter(DATABASE_LATENCY);
		String name = propertyValue(strategy);
		List<BenchmarkInstance> instances = this.harness.start(1, ManagerKind.MULTILEVEL, Map.of("viewsWriter", writer),
				"multilevel-cache.caches.views.strategy=" + name, "multilevel-cache.caches.views.writer=viewsWriter");
		BenchmarkInstance instance = instances.get(0);
		AtomicLongArray counters = new AtomicLongArray(KEYS);
		LongAdder puts = new LongAdder();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		List<Thread> threads = new ArrayList<>();
		ViewsService service = instance.bean(ViewsService.class);
		AtomicBoolean running = new AtomicBoolean(true);
		for (int t = 0; t < THREADS; t++) {
			SplittableRandom random = new SplittableRandom(7L * t + 3);
			Thread thread = new Thread(() -> {
				try {
					while (running.get()) {
						int id = this.zipf.next(random);
						service.record((long) id, counters.incrementAndGet(id));
						puts.increment();
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
			}, "views-" + t);
			thread.setDaemon(true);
			threads.add(thread);
		}
		long start = System.nanoTime();
		threads.forEach(Thread::start);
		WriteBehindStatistics statistics = instance.multiLevelCache(CACHE).getWriteBehindStatistics();
		this.harness.progress()
			.timed(name, this.harness.settings().writeBehindMeasurement(), Duration.ofSeconds(2), () -> String
				.format("%,d puts, %,d database calls, queue %d", puts.sum(), writer.calls(), statistics.queueSize()));
		running.set(false);
		long measured = puts.sum();
		double seconds = (System.nanoTime() - start) / 1e9;
		for (Thread thread : threads) {
			thread.join(10_000);
		}
		if (failure.get() != null) {
			throw new IllegalStateException("A writer thread failed", failure.get());
		}
		Cache cache = instance.cacheManager().getCache(CACHE);
		Object[] cached = new Object[KEYS];
		for (int id = 0; id < KEYS; id++) {
			Cache.ValueWrapper wrapper = Objects.requireNonNull(cache).get((long) id);
			cached[id] = (wrapper != null) ? wrapper.get() : null;
		}
		this.harness.stop(instances);
		long lost = 0;
		long keysPut = 0;
		for (int id = 0; id < KEYS; id++) {
			if (counters.get(id) == 0) {
				continue;
			}
			keysPut++;
			if (cached[id] == null || !cached[id].equals(writer.row((long) id))) {
				lost++;
			}
		}
		return new Result(strategy, measured, seconds, writer.calls(), writer.rowsWritten(), lost, keysPut,
				writer.rowCount());
	}

	/**
	 * The result of one strategy.
	 *
	 * @param strategy the write strategy of the cache
	 * @param puts puts that returned while measuring
	 * @param seconds measured time
	 * @param databaseCalls database round trips, including the flush on shutdown
	 * @param rowsWritten rows written, including the flush on shutdown
	 * @param lostWrites keys put whose database row differs from the cache's value after
	 * shutdown (or either is missing)
	 * @param keysPut distinct keys put
	 * @param keysInDatabase distinct keys with a database row after shutdown
	 */
	record Result(WriteStrategy strategy, long puts, double seconds, long databaseCalls, long rowsWritten,
			long lostWrites, long keysPut, long keysInDatabase) {

		double putsPerSecond() {
			return this.puts / this.seconds;
		}

		double rowsPerCall() {
			return (double) this.rowsWritten / Math.max(1, this.databaseCalls);
		}

	}

}
