package io.github.multilevelcache.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

import io.github.multilevelcache.CacheStatistics;
import io.github.multilevelcache.benchmarks.BenchmarkApplication.Item;
import io.github.multilevelcache.benchmarks.BenchmarkApplication.ItemService;
import io.github.multilevelcache.invalidation.InvalidationStatistics;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import org.HdrHistogram.Histogram;

/**
 * Scenario 3: two instances on one Redis, four threads each, Zipf(0.99) keys, 90 % reads
 * through {@code @Cacheable(sync = true)} and 10 % updates of a {@link Database} with
 * about 1 ms latency, half followed by {@code @CachePut}, half by {@code @CacheEvict},
 * after every instance has read every key once (a long-running system, not a cold start).
 * <p>
 * A read is <em>stale</em> when it returns an older version than the latest update that
 * had completed (its cache operation returned) before the read began. Updates of one key
 * are serialized (a row lock held across the update and its cache operation), so versions
 * of a key complete in order and a stale read is the cache's fault, never a race between
 * two writers.
 */
final class ZipfScenario {

	static final int INSTANCES = 2;

	static final int THREADS_PER_INSTANCE = 4;

	static final double EXPONENT = 0.99;

	static final int READ_PERCENT = 90;

	static final Duration DATABASE_LATENCY = Duration.ofMillis(1);

	private static final int LOCK_STRIPES = 4096;

	private static final int PINGS = 200;

	private static final int PREFILL_THREADS = 32;

	private final Harness harness;

	private final Zipf zipf;

	private final Long[] keys;

	ZipfScenario(Harness harness) {
		this.harness = harness;
		int size = harness.settings().zipfKeys();
		this.zipf = new Zipf(size, EXPONENT);
		this.keys = new Long[size];
		for (int i = 0; i < size; i++) {
			this.keys[i] = (long) i;
		}
	}

	Result run(ManagerKind kind, Workload workload) throws InterruptedException {
		Database database = new Database(this.keys.length, DATABASE_LATENCY);
		// L1 and the per-instance Caffeine both sized for the key space, as a user would
		// size them here
		List<String> properties = new ArrayList<>(
				List.of("multilevel-cache.caches.items.l1.maximum-size=" + this.keys.length,
						"spring.cache.caffeine.spec=maximumSize=" + this.keys.length + ",expireAfterWrite=5m"));
		// extra properties when investigating, separated by ';'
		Arrays.stream(System.getProperty("benchmarks.zipf-properties", "").split(";"))
			.filter((property) -> !property.isBlank())
			.forEach(properties::add);
		properties.add("benchmarks.local-size=" + this.keys.length);
		DelayProxy proxy = (workload.delay().isZero()) ? null
				: new DelayProxy(this.harness.redis().host(), this.harness.redis().port(), workload.delay()).start();
		double roundTrip = (proxy != null) ? proxy.pingRoundTripMicros(PINGS) : Double.NaN;
		if (proxy != null) {
			this.harness.progress().step("  PING through the proxy: median %.0f µs", roundTrip);
		}
		String url = (proxy != null) ? proxy.url() : this.harness.redis().url();
		List<BenchmarkInstance> instances = this.harness.start(INSTANCES, kind, url, Map.of("database", database),
				properties.toArray(new String[0]));
		try {
			return measure(kind, workload, instances, database, roundTrip);
		}
		finally {
			this.harness.stop(instances);
			if (proxy != null) {
				proxy.close();
			}
		}
	}

	private Result measure(ManagerKind kind, Workload workload, List<BenchmarkInstance> instances, Database database,
			double roundTripMicros) throws InterruptedException {
		Progress progress = this.harness.progress();
		if (workload.prefilled()) {
			prefill(kind, instances);
		}
		Shared shared = new Shared(this.keys.length);
		List<Worker> workers = new ArrayList<>();
		List<Thread> threads = new ArrayList<>();
		for (BenchmarkInstance instance : instances) {
			for (int t = 0; t < THREADS_PER_INSTANCE; t++) {
				Worker worker = new Worker(instance.bean(ItemService.class), workload, shared,
						new SplittableRandom(31L * workers.size() + 17));
				workers.add(worker);
				Thread thread = new Thread(worker, "zipf-" + kind.name().toLowerCase() + "-" + workers.size());
				thread.setDaemon(true);
				threads.add(thread);
				thread.start();
			}
		}
		progress.timed("warm-up " + kind.label() + ", " + workload.label(), this.harness.settings().zipfWarmup(),
				Duration.ofSeconds(5), () -> shared.operations.sum() + " operations");
		RedisCommandCounter commands = new RedisCommandCounter(this.harness.redis());
		long loadsBefore = database.loads();
		List<InstanceFigures> before = figures(kind, instances);
		commands.start();
		CpuSample cpuBefore = CpuSample.now(this.harness.redis());
		shared.measuring = true;
		long start = System.nanoTime();
		progress.timed("measuring " + kind.label(), this.harness.settings().zipfMeasurement(), Duration.ofSeconds(5),
				() -> String.format("%,d operations, %,d stale reads", shared.measuredOperations.sum(),
						shared.staleReads.sum()));
		shared.measuring = false;
		double seconds = (System.nanoTime() - start) / 1e9;
		CpuSample cpuAfter = CpuSample.now(this.harness.redis());
		List<InstanceFigures> after = figures(kind, instances);
		Map<String, Long> byCommand = commands.sinceStart();
		long redisCommands = byCommand.values().stream().mapToLong(Long::longValue).sum();
		long loads = database.loads() - loadsBefore;
		shared.running = false;
		for (Thread thread : threads) {
			thread.join(10_000);
		}
		Throwable failure = shared.failure.get();
		if (failure != null) {
			throw new IllegalStateException("A worker of " + kind.label() + " failed", failure);
		}
		long operations = shared.measuredOperations.sum();
		List<InstanceFigures> measured = new ArrayList<>();
		for (int i = 0; i < after.size(); i++) {
			measured.add(after.get(i).minus(before.get(i)));
		}
		printDiagnostics(kind, measured, byCommand, operations);
		CpuSample.PerOperation cpu = cpuAfter.perOperationSince(cpuBefore, operations);
		progress.step("  CPU per operation: %s", cpu);
		return new Result(kind, workload, operations, seconds,
				Latency.of(workers.stream().map((worker) -> worker.reads).toList()),
				Latency.of(workers.stream().map((worker) -> worker.updates).toList()), redisCommands, loads,
				shared.staleReads.sum(), measured, byCommand, roundTripMicros, cpu);
	}

	private static List<InstanceFigures> figures(ManagerKind kind, List<BenchmarkInstance> instances) {
		if (!kind.isMultilevel()) {
			return List.of();
		}
		List<InstanceFigures> figures = new ArrayList<>();
		for (BenchmarkInstance instance : instances) {
			CacheStatistics stats = instance.multiLevelCache("items").getStatistics();
			InvalidationStatistics bus = instance.bean(RedisInvalidationBus.class).statistics();
			figures.add(new InstanceFigures(stats.l1Hits(), stats.l1Misses(), bus.sent(), bus.received(), bus.gaps(),
					stats.fills(), stats.fillsLost(), stats.loads(), stats.lockWaits(), stats.lockWaitNanos(),
					bus.resubscriptions() + bus.epochChanges(), stats.l2Errors(), stats.l1Evictions()));
		}
		return figures;
	}

	/**
	 * Where the Redis commands went and, for multilevel, how L1 and the invalidation bus
	 * fared: what to look at when a figure surprises.
	 */
	private void printDiagnostics(ManagerKind kind, List<InstanceFigures> instances, Map<String, Long> byCommand,
			long operations) {
		Progress progress = this.harness.progress();
		progress.step("  Redis commands per operation: %s",
				byCommand.entrySet()
					.stream()
					.limit(6)
					.map((entry) -> String.format(Locale.ROOT, "%s %.3f", entry.getKey(),
							(double) entry.getValue() / Math.max(1, operations)))
					.collect(Collectors.joining(", ")));
		for (InstanceFigures instance : instances) {
			progress.step(
					"  instance: L1 hit rate %.3f (%,d evicted for size or expiry), fills %,d stored / %,d lost, invalidations sent %,d, "
							+ "received %,d, gaps %,d; loads %,d, lease waits %,d (mean %.0f µs); "
							+ "resubscriptions and epoch changes (each clears L1) %,d, Redis errors %,d",
					instance.l1HitRate(), instance.l1Evictions(), instance.fills(), instance.fillsLost(),
					instance.sent(), instance.received(), instance.gaps(), instance.loads(), instance.leaseWaits(),
					instance.leaseWaitNanos() / 1e3 / Math.max(1, instance.leaseWaits()), instance.l1Clears(),
					instance.l2Errors());
		}
	}

	/**
	 * Reads every key once on every instance, so the measured run sees a long-running
	 * system (every level holds the key space) rather than the cold start, whose misses
	 * would dominate a short run.
	 */
	private void prefill(ManagerKind kind, List<BenchmarkInstance> instances) throws InterruptedException {
		long start = System.nanoTime();
		ExecutorService pool = Executors.newFixedThreadPool(PREFILL_THREADS);
		try {
			List<Future<?>> parts = new ArrayList<>();
			for (BenchmarkInstance instance : instances) {
				ItemService service = instance.bean(ItemService.class);
				for (int part = 0; part < PREFILL_THREADS; part++) {
					int first = part;
					parts.add(pool.submit(() -> {
						for (int id = first; id < this.keys.length; id += PREFILL_THREADS) {
							service.getPlain(this.keys[id]);
						}
					}));
				}
			}
			for (Future<?> part : parts) {
				part.get();
			}
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("Prefill of " + kind.label() + " failed", ex.getCause());
		}
		finally {
			pool.shutdownNow();
		}
		this.harness.progress()
			.step("  prefill %s: %,d keys read on each instance in %.1f s", kind.label(), this.keys.length,
					(System.nanoTime() - start) / 1e9);
	}

	/**
	 * The result of one manager.
	 *
	 * @param kind the manager
	 * @param workload how reads and updates used the cache
	 * @param operations operations completed while measuring
	 * @param seconds measured time
	 * @param reads latency of reads
	 * @param updates latency of updates (database write and cache operation)
	 * @param redisCommands Redis commands executed while measuring
	 * @param databaseLoads rows the caches loaded while measuring
	 * @param staleReads reads that returned an older version than an update completed
	 * before they began
	 * @param instances per instance, for multilevel only: L1 hit rate and messages over
	 * the measured time
	 * @param commandsByName Redis commands by name while measuring
	 * @param proxyRoundTripMicros median {@code PING} through the delaying proxy before
	 * the run, {@code NaN} on loopback
	 */
	record Result(ManagerKind kind, Workload workload, long operations, double seconds, Latency reads, Latency updates,
			long redisCommands, long databaseLoads, long staleReads, List<InstanceFigures> instances,
			Map<String, Long> commandsByName, double proxyRoundTripMicros, CpuSample.PerOperation cpu) {

		/**
		 * The mean L1 hit rate of the instances over the measured time, {@code NaN} for a
		 * manager without one.
		 */
		double l1HitRate() {
			return this.instances.stream().mapToDouble(InstanceFigures::l1HitRate).average().orElse(Double.NaN);
		}

		double throughput() {
			return this.operations / this.seconds;
		}

		double commandsPerOperation() {
			return (double) this.redisCommands / Math.max(1, this.operations);
		}

		double staleReadPercent() {
			return 100.0 * this.staleReads / Math.max(1, this.reads.count());
		}

	}

	/**
	 * State the workers of one run share.
	 */
	private static final class Shared {

		/** per key, the newest version whose update (and cache operation) has returned */
		final AtomicLongArray completed;

		final ReentrantLock[] rowLocks = new ReentrantLock[LOCK_STRIPES];

		final LongAdder operations = new LongAdder();

		final LongAdder measuredOperations = new LongAdder();

		final LongAdder staleReads = new LongAdder();

		final AtomicReference<Throwable> failure = new AtomicReference<>();

		volatile boolean running = true;

		volatile boolean measuring;

		Shared(int keys) {
			this.completed = new AtomicLongArray(keys);
			for (int i = 0; i < LOCK_STRIPES; i++) {
				this.rowLocks[i] = new ReentrantLock();
			}
		}

	}

	private final class Worker implements Runnable {

		private final ItemService service;

		private final Workload workload;

		private final Shared shared;

		private final SplittableRandom random;

		final Histogram reads = Latency.histogram();

		final Histogram updates = Latency.histogram();

		Worker(ItemService service, Workload workload, Shared shared, SplittableRandom random) {
			this.service = service;
			this.workload = workload;
			this.shared = shared;
			this.random = random;
		}

		@Override
		public void run() {
			try {
				while (this.shared.running) {
					boolean measured = this.shared.measuring;
					int id = ZipfScenario.this.zipf.next(this.random);
					if (this.random.nextInt(100) < READ_PERCENT) {
						read(id, measured);
					}
					else {
						update(id, measured);
					}
					this.shared.operations.increment();
					if (measured) {
						this.shared.measuredOperations.increment();
					}
				}
			}
			catch (Throwable ex) {
				this.shared.failure.compareAndSet(null, ex);
			}
		}

		private void read(int id, boolean measured) {
			long newest = this.shared.completed.get(id);
			long start = System.nanoTime();
			Long key = ZipfScenario.this.keys[id];
			Item item = (this.workload.reads() == Reads.SYNC) ? this.service.get(key) : this.service.getPlain(key);
			long nanos = System.nanoTime() - start;
			if (measured) {
				this.reads.recordValue(nanos);
				if (item.version() < newest) {
					this.shared.staleReads.increment();
				}
			}
		}

		private void update(int id, boolean measured) {
			ReentrantLock rowLock = this.shared.rowLocks[id % LOCK_STRIPES];
			rowLock.lock();
			try {
				Long key = ZipfScenario.this.keys[id];
				long start = System.nanoTime();
				Item item = (this.workload.updates() == Updates.PUT_OR_EVICT && this.random.nextBoolean())
						? this.service.update(key) : this.service.updateAndEvict(key);
				long nanos = System.nanoTime() - start;
				this.shared.completed.accumulateAndGet(id, item.version(), Math::max);
				if (measured) {
					this.updates.recordValue(nanos);
				}
			}
			finally {
				rowLock.unlock();
			}
		}

	}

	/**
	 * How reads go through the cache.
	 */
	enum Reads {

		/** {@code @Cacheable}: a miss runs the method, then puts (a fill). */
		PLAIN,

		/** {@code @Cacheable(sync = true)}: {@code get(key, loader)}. */
		SYNC

	}

	/**
	 * How updates reach the cache after the database write.
	 */
	enum Updates {

		/** Half {@code @CachePut}, half {@code @CacheEvict}. */
		PUT_OR_EVICT,

		/** Always {@code @CacheEvict}. */
		EVICT

	}

	/**
	 * One workload of scenario 3.
	 *
	 * @param reads how reads are cached
	 * @param updates how updates reach the cache
	 * @param prefilled whether every key is read once on every instance before the
	 * warm-up
	 * @param delay added to each direction between the instances and Redis, zero for
	 * loopback
	 */
	record Workload(Reads reads, Updates updates, boolean prefilled, Duration delay) {

		static final Workload PLAIN_COLD = new Workload(Reads.PLAIN, Updates.EVICT, false, Duration.ZERO);

		static final Workload PLAIN_COLD_DISTANT = new Workload(Reads.PLAIN, Updates.EVICT, false,
				Duration.ofNanos(250_000));

		static final Workload SYNC_PREFILLED = new Workload(Reads.SYNC, Updates.PUT_OR_EVICT, true, Duration.ZERO);

		String label() {
			return ((this.reads == Reads.PLAIN) ? "plain @Cacheable" : "@Cacheable(sync = true)") + ", "
					+ (this.prefilled ? "prefilled" : "from cold") + ", "
					+ ((this.updates == Updates.EVICT) ? "updates evict" : "updates put or evict")
					+ (this.delay.isZero() ? "" : ", Redis " + this.delay.toNanos() / 1000 + " µs away each way");
		}

	}

	/**
	 * What one multilevel instance did over the measured time.
	 *
	 * @param l1Hits L1 hits
	 * @param l1Misses L1 misses
	 * @param sent invalidation messages sent
	 * @param received invalidation messages received
	 * @param gaps lost messages detected
	 * @param fills fills stored
	 * @param fillsLost fills not stored
	 * @param loads loader calls
	 * @param leaseWaits waits for another instance's lease
	 * @param leaseWaitNanos time spent in those waits
	 * @param l1Clears resubscriptions and epoch changes, each of which clears every L1
	 * @param l2Errors Redis calls that failed or timed out
	 * @param l1Evictions L1 entries evicted for size or expiry
	 */
	record InstanceFigures(long l1Hits, long l1Misses, long sent, long received, long gaps, long fills, long fillsLost,
			long loads, long leaseWaits, long leaseWaitNanos, long l1Clears, long l2Errors, long l1Evictions) {

		double l1HitRate() {
			return (double) this.l1Hits / Math.max(1, this.l1Hits + this.l1Misses);
		}

		InstanceFigures minus(InstanceFigures before) {
			return new InstanceFigures(this.l1Hits - before.l1Hits, this.l1Misses - before.l1Misses,
					this.sent - before.sent, this.received - before.received, this.gaps - before.gaps,
					this.fills - before.fills, this.fillsLost - before.fillsLost, this.loads - before.loads,
					this.leaseWaits - before.leaseWaits, this.leaseWaitNanos - before.leaseWaitNanos,
					this.l1Clears - before.l1Clears, this.l2Errors - before.l2Errors,
					this.l1Evictions - before.l1Evictions);
		}

	}

}
