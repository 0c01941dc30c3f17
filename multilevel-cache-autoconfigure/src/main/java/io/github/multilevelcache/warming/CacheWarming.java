package io.github.multilevelcache.warming;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.github.multilevelcache.MultiLevelCache;
import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.WarmedBatch;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Runs the {@link CacheWarmer}s of an application: each warmer's keys in batches of
 * {@code batchSize}, at most {@code concurrency} batches at a time over all caches, every
 * batch through {@link MultiLevelCache#warm} (one {@code MGET}, then the loader under the
 * lease for what Redis lacks). A run waits at most {@code timeout}: after it, batches not
 * yet started are skipped, batches under way stop after their current key, and the run
 * reports itself incomplete. A warmer whose {@code keys()} throws is reported incomplete
 * with a warning and does not stop the others; a batch that fails counts its keys as
 * failed. Progress is logged at {@code INFO}, a run that ran out of time at {@code WARN}.
 * Holds no thread between runs.
 */
public final class CacheWarming {

	private static final Log logger = LogFactory.getLog(CacheWarming.class);

	private final MultiLevelCacheManager manager;

	private final List<CacheWarmer<?>> warmers;

	private final int concurrency;

	private final int batchSize;

	private final Duration timeout;

	private final AtomicInteger runs = new AtomicInteger();

	/**
	 * Creates the warming of an application.
	 * @param manager the manager whose caches are warmed
	 * @param warmers the warmers, one per cache
	 * @param concurrency batches loaded at the same time, at least 1
	 * @param batchSize keys per batch (one {@code MGET}), at least 1
	 * @param timeout longest wait of one run
	 */
	public CacheWarming(MultiLevelCacheManager manager, List<CacheWarmer<?>> warmers, int concurrency, int batchSize,
			Duration timeout) {
		if (concurrency < 1 || batchSize < 1 || timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException(
					"concurrency and batch size must be at least 1 and the timeout positive");
		}
		this.manager = manager;
		this.warmers = List.copyOf(warmers);
		this.concurrency = concurrency;
		this.batchSize = batchSize;
		this.timeout = timeout;
	}

	/**
	 * Warms every cache that has a warmer.
	 * @return one result per warmer
	 */
	public List<Result> warmAll() {
		return run(this.warmers);
	}

	/**
	 * Warms one cache now.
	 * @param cacheName the cache
	 * @return the result, {@code null} when no warmer is declared for that cache
	 */
	public @Nullable Result warm(String cacheName) {
		List<CacheWarmer<?>> selected = this.warmers.stream()
			.filter((warmer) -> warmer.cacheName().equals(cacheName))
			.toList();
		return selected.isEmpty() ? null : run(selected).get(0);
	}

	private List<Result> run(List<CacheWarmer<?>> selected) {
		if (selected.isEmpty()) {
			return List.of();
		}
		long started = System.nanoTime();
		AtomicBoolean expired = new AtomicBoolean();
		List<Progress> progress = new ArrayList<>();
		List<Future<?>> batches = new ArrayList<>();
		long deadline = started + this.timeout.toNanos();
		awaitL1InUse(deadline);
		ExecutorService executor = Executors.newFixedThreadPool(this.concurrency, threads());
		try {
			for (CacheWarmer<?> warmer : selected) {
				MultiLevelCache target = cacheOf(warmer);
				List<?> keys;
				try {
					keys = List.copyOf(warmer.keys());
				}
				catch (RuntimeException ex) {
					logger.warn("CacheWarmer " + warmer.getClass().getName() + " could not list the keys of cache '"
							+ target.getName() + "'; it is not warmed", ex);
					progress.add(new Progress(target, warmer, List.of(), false));
					continue;
				}
				Progress cache = new Progress(target, warmer, keys, true);
				progress.add(cache);
				for (List<Object> batch : cache.batches(this.batchSize)) {
					batches.add(executor.submit(() -> {
						if (expired.get()) {
							return;
						}
						try {
							cache.add(cache.cache.warm(batch, cache::load, expired::get), expired.get());
						}
						catch (RuntimeException ex) {
							logger.warn("A warming batch of cache '" + cache.cache.getName() + "' failed", ex);
							cache.add(new WarmedBatch(0, 0, batch.size()), expired.get());
						}
					}));
				}
			}
			for (Future<?> batch : batches) {
				try {
					batch.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
				}
				catch (TimeoutException ex) {
					expired.set(true);
					break;
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					expired.set(true);
					break;
				}
				catch (ExecutionException ex) {
					// each batch catches its own failures
					logger.warn("A warming batch failed", ex.getCause());
				}
			}
		}
		finally {
			executor.shutdown();
		}
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
		List<Result> results = progress.stream().map((cache) -> cache.result(millis)).toList();
		for (Result result : results) {
			if (!result.complete() && result.keys() == 0) {
				// its keys could not be listed: said above
				continue;
			}
			if (result.complete()) {
				logger.info("Warmed cache '" + result.cache() + "' in " + millis + " ms: " + result.summary());
			}
			else {
				logger.warn("Warming cache '" + result.cache() + "' did not finish within " + this.timeout.toMillis()
						+ " ms (multilevel-cache.warming.timeout); going on without waiting: " + result.summary());
			}
		}
		return results;
	}

	/**
	 * L1 takes entries only once the invalidation subscription is up (which the bus
	 * starts while the context starts): warming earlier would fill Redis only.
	 */
	private void awaitL1InUse(long deadline) {
		while (!this.manager.isL1InUse() && System.nanoTime() < deadline) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
			if (Thread.currentThread().isInterrupted()) {
				return;
			}
		}
		if (!this.manager.isL1InUse()) {
			logger.warn("The invalidation subscription is not up: warming fills Redis, not L1");
		}
	}

	private MultiLevelCache cacheOf(CacheWarmer<?> warmer) {
		MultiLevelCache cache = this.manager.getCache(warmer.cacheName());
		if (cache == null) {
			throw new IllegalStateException("CacheWarmer " + warmer.getClass().getName() + " names cache '"
					+ warmer.cacheName() + "', which multilevel-cache.caches does not declare");
		}
		return cache;
	}

	private ThreadFactory threads() {
		int run = this.runs.incrementAndGet();
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, "multilevel-cache-warming-" + run + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * What one run did for one cache.
	 *
	 * @param cache the cache's name
	 * @param keys keys the warmer named
	 * @param fromRedis keys whose value Redis already held
	 * @param loaded keys loaded (by this instance's warmer or by another instance holding
	 * the lease)
	 * @param failed keys whose loader threw
	 * @param complete whether every batch finished within the timeout
	 * @param millis duration of the run
	 */
	public record Result(String cache, int keys, int fromRedis, int loaded, int failed, boolean complete, long millis) {

		String summary() {
			return (this.fromRedis + this.loaded) + " of " + this.keys + " keys (" + this.fromRedis + " from Redis, "
					+ this.loaded + " loaded, " + this.failed + " failed)";
		}

	}

	/**
	 * The counts of one cache during a run.
	 */
	private static final class Progress {

		private final MultiLevelCache cache;

		private final CacheWarmer<Object> warmer;

		private final List<Object> keys;

		private final AtomicInteger fromRedis = new AtomicInteger();

		private final AtomicInteger loaded = new AtomicInteger();

		private final AtomicInteger failed = new AtomicInteger();

		private final AtomicInteger done = new AtomicInteger();

		private final AtomicInteger batchesDone = new AtomicInteger();

		private volatile boolean late;

		private final boolean listed;

		private int batchCount;

		@SuppressWarnings("unchecked")
		Progress(MultiLevelCache cache, CacheWarmer<?> warmer, List<?> keys, boolean listed) {
			this.cache = cache;
			this.warmer = (CacheWarmer<Object>) warmer;
			this.keys = (List<Object>) keys;
			this.listed = listed;
		}

		List<List<Object>> batches(int size) {
			List<List<Object>> batches = new ArrayList<>();
			for (int from = 0; from < this.keys.size(); from += size) {
				batches.add(this.keys.subList(from, Math.min(this.keys.size(), from + size)));
			}
			this.batchCount = batches.size();
			return batches;
		}

		@Nullable Object load(Object key) {
			try {
				return this.warmer.load(key);
			}
			catch (RuntimeException ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new IllegalStateException("CacheWarmer could not load " + key, ex);
			}
		}

		void add(WarmedBatch batch, boolean afterTimeout) {
			this.fromRedis.addAndGet(batch.fromRedis());
			this.loaded.addAndGet(batch.loaded());
			this.failed.addAndGet(batch.failed());
			int keysDone = this.done.addAndGet(batch.fromRedis() + batch.loaded() + batch.failed());
			int finished = this.batchesDone.incrementAndGet();
			if (afterTimeout) {
				this.late = true;
			}
			// about ten progress lines per cache, whatever its size
			if (this.batchCount > 1 && finished < this.batchCount
					&& finished % Math.max(1, this.batchCount / 10) == 0) {
				logger.info("Warming cache '" + this.cache.getName() + "': " + keysDone + " of " + this.keys.size()
						+ " keys");
			}
		}

		Result result(long millis) {
			boolean complete = this.listed && !this.late && this.batchesDone.get() == this.batchCount;
			return new Result(this.cache.getName(), this.keys.size(), this.fromRedis.get(), this.loaded.get(),
					this.failed.get(), complete, millis);
		}

	}

}
