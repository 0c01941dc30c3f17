package io.github.multilevelcache.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.multilevelcache.benchmarks.BenchmarkApplication.LoadCounter;
import io.github.multilevelcache.benchmarks.BenchmarkApplication.StampedeService;

/**
 * Scenario 5: many concurrent cold misses of one key, spread over four instances, through
 * {@code @Cacheable(sync = true)} or a plain {@code @Cacheable} with a 100 ms loader;
 * counts how often the loader ran.
 */
final class StampedeScenario {

	static final int INSTANCES = 4;

	private final Harness harness;

	StampedeScenario(Harness harness) {
		this.harness = harness;
	}

	static final Variant DISTRIBUTED = new Variant("multilevel, distributed lease", ManagerKind.MULTILEVEL, true);

	static final Variant LOCAL_ONLY = new Variant("multilevel, single-flight per JVM only", ManagerKind.MULTILEVEL,
			true, "multilevel-cache.defaults.stampede.distributed=false");

	static final Variant PLAIN = new Variant("multilevel, plain @Cacheable (fill guard, no waiting)",
			ManagerKind.MULTILEVEL, false);

	static final Variant REDIS = new Variant("RedisCacheManager, sync = true", ManagerKind.REDIS, true);

	static final Variant REDIS_PLAIN = new Variant("RedisCacheManager, plain @Cacheable", ManagerKind.REDIS, false);

	Result run(Variant variant) throws InterruptedException {
		LoadCounter loads = new LoadCounter();
		List<BenchmarkInstance> instances = this.harness.start(INSTANCES, variant.kind(), Map.of("loadCounter", loads),
				variant.properties());
		try {
			List<StampedeService> services = instances.stream().map((i) -> i.bean(StampedeService.class)).toList();
			List<Long> perRound = new ArrayList<>();
			long totalNanos = 0;
			int rounds = this.harness.settings().stampedeRounds();
			for (int round = 0; round < rounds; round++) {
				long before = loads.get();
				long start = System.nanoTime();
				stampede(services, "cold-" + round, variant.sync());
				totalNanos += System.nanoTime() - start;
				perRound.add(loads.get() - before);
				this.harness.progress()
					.step("  %s: round %d of %d, %d loader calls", variant.label(), round + 1, rounds,
							perRound.get(round));
			}
			return new Result(variant, List.copyOf(perRound), totalNanos / 1e6 / rounds);
		}
		finally {
			this.harness.stop(instances);
		}
	}

	private void stampede(List<StampedeService> services, String key, boolean sync) throws InterruptedException {
		int callers = this.harness.settings().stampedeThreads();
		CountDownLatch ready = new CountDownLatch(callers);
		CountDownLatch go = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(callers);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		for (int i = 0; i < callers; i++) {
			StampedeService service = services.get(i % services.size());
			Thread caller = new Thread(() -> {
				try {
					ready.countDown();
					go.await();
					String value = sync ? service.load(key) : service.loadPlain(key);
					if (!value.equals("value-of-" + key)) {
						throw new IllegalStateException("Wrong value " + value);
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
				finally {
					done.countDown();
				}
			}, "stampede-" + i);
			caller.setDaemon(true);
			caller.start();
		}
		ready.await();
		go.countDown();
		if (!done.await(2, TimeUnit.MINUTES)) {
			throw new IllegalStateException("Callers of " + key + " did not finish");
		}
		if (failure.get() != null) {
			throw new IllegalStateException("A caller of " + key + " failed", failure.get());
		}
	}

	/**
	 * A configuration to compare.
	 *
	 * @param label how tables name it
	 * @param kind the manager
	 * @param sync whether the callers use {@code @Cacheable(sync = true)}
	 * @param properties extra properties
	 */
	record Variant(String label, ManagerKind kind, boolean sync, String... properties) {
	}

	/**
	 * The result of one variant.
	 *
	 * @param variant what ran
	 * @param loadsPerRound loader calls of each round
	 * @param meanRoundMillis mean time until every caller of a round had its value
	 */
	record Result(Variant variant, List<Long> loadsPerRound, double meanRoundMillis) {

		long maxLoads() {
			return this.loadsPerRound.stream().mapToLong(Long::longValue).max().orElse(0);
		}

		double meanLoads() {
			return this.loadsPerRound.stream().mapToLong(Long::longValue).average().orElse(0);
		}

	}

}
