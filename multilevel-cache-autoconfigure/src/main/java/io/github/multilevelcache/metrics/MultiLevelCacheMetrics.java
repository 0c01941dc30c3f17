package io.github.multilevelcache.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.github.multilevelcache.CacheStatistics;
import io.github.multilevelcache.MultiLevelCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters of one {@link MultiLevelCache}. The standard cache meters count the
 * cache as a whole: {@code cache.gets{result=hit}} is a hit in either level,
 * {@code result=miss} a miss in both, {@code cache.size} and {@code cache.evictions} are
 * L1's. Per-level and cache-specific meters:
 * <ul>
 * <li>{@code cache.level.gets{level=l1|l2, result=hit|miss}}</li>
 * <li>{@code cache.loads{result=success|failure}} and the timer
 * {@code cache.load.duration} (enable percentiles with
 * {@code management.metrics.distribution.percentiles.cache.load.duration})</li>
 * <li>{@code cache.lock.acquired}, {@code cache.lock.waits},
 * {@code cache.lock.wait.timeouts}, {@code cache.lock.wait.duration} (seconds),
 * {@code cache.lease.lost}</li>
 * <li>{@code cache.refreshes{result=scheduled|rejected|failed|succeeded}},
 * {@code cache.early.recomputes}</li>
 * <li>{@code cache.corrupt.values}, {@code cache.l2.errors}</li>
 * <li>write-behind caches: {@code cache.write.behind.queue.size},
 * {@code cache.write.behind.writes{result=accepted|coalesced|flushed|dead.lettered|written.through}},
 * {@code cache.write.behind.retries}</li>
 * </ul>
 */
public class MultiLevelCacheMetrics extends CacheMeterBinder<MultiLevelCache> {

	private final MultiLevelCache cache;

	private final Tags tags;

	public MultiLevelCacheMetrics(MultiLevelCache cache, Iterable<Tag> tags) {
		super(cache, cache.getName(), tags);
		this.cache = cache;
		this.tags = Tags.concat(tags, "cache", cache.getName());
	}

	private CacheStatistics stats() {
		return this.cache.getStatistics();
	}

	@Override
	protected @Nullable Long size() {
		return stats().l1Size();
	}

	@Override
	protected long hitCount() {
		return stats().l1Hits() + stats().l2Hits();
	}

	@Override
	protected @Nullable Long missCount() {
		return this.cache.getSettings().l2().enabled() ? stats().l2Misses() : stats().l1Misses();
	}

	@Override
	protected @Nullable Long evictionCount() {
		return stats().l1Evictions();
	}

	@Override
	protected long putCount() {
		return stats().puts();
	}

	@Override
	protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
		counter(registry, "cache.level.gets", "Lookups per level", Tags.of("level", "l1", "result", "hit"),
				(c) -> c.getStatistics().l1Hits());
		counter(registry, "cache.level.gets", "Lookups per level", Tags.of("level", "l1", "result", "miss"),
				(c) -> c.getStatistics().l1Misses());
		counter(registry, "cache.level.gets", "Lookups per level", Tags.of("level", "l2", "result", "hit"),
				(c) -> c.getStatistics().l2Hits());
		counter(registry, "cache.level.gets", "Lookups per level", Tags.of("level", "l2", "result", "miss"),
				(c) -> c.getStatistics().l2Misses());
		counter(registry, "cache.loads", "Loader calls", Tags.of("result", "success"),
				(c) -> c.getStatistics().loads());
		counter(registry, "cache.loads", "Loader calls", Tags.of("result", "failure"),
				(c) -> c.getStatistics().loadFailures());
		Timer loadTimer = Timer.builder("cache.load.duration")
			.description("Time spent in loaders")
			.tags(this.tags)
			.register(registry);
		this.cache.getStatistics().onLoad((nanos) -> loadTimer.record(nanos, TimeUnit.NANOSECONDS));
		counter(registry, "cache.lock.acquired", "Leases taken on a Redis miss", Tags.empty(),
				(c) -> c.getStatistics().lockAcquired());
		counter(registry, "cache.lock.waits", "Misses that waited for another instance's loader", Tags.empty(),
				(c) -> c.getStatistics().lockWaits());
		counter(registry, "cache.lock.wait.timeouts", "Waits that gave up and loaded themselves", Tags.empty(),
				(c) -> c.getStatistics().lockWaitTimeouts());
		FunctionTimer
			.builder("cache.lock.wait.duration", this.cache, (c) -> c.getStatistics().lockWaits(),
					(c) -> c.getStatistics().lockWaitNanos(), TimeUnit.NANOSECONDS)
			.description("Time spent waiting for lease holders")
			.tags(this.tags)
			.register(registry);
		counter(registry, "cache.lease.lost", "Loaded values refused because an evict or put ended the lease",
				Tags.empty(), (c) -> c.getStatistics().leaseLost());
		counter(registry, "cache.refreshes", "Refresh-ahead reloads", Tags.of("result", "scheduled"),
				(c) -> c.getStatistics().refreshScheduled());
		counter(registry, "cache.refreshes", "Refresh-ahead reloads", Tags.of("result", "rejected"),
				(c) -> c.getStatistics().refreshRejected());
		counter(registry, "cache.refreshes", "Refresh-ahead reloads", Tags.of("result", "failed"),
				(c) -> c.getStatistics().refreshFailed());
		counter(registry, "cache.refreshes", "Refresh-ahead reloads", Tags.of("result", "succeeded"),
				(c) -> c.getStatistics().refreshed());
		counter(registry, "cache.early.recomputes", "Probabilistic early recomputations started", Tags.empty(),
				(c) -> c.getStatistics().earlyRecomputes());
		counter(registry, "cache.fills", "Puts after a miss (plain @Cacheable)", Tags.of("result", "stored"),
				(c) -> c.getStatistics().fills());
		counter(registry, "cache.fills", "Puts after a miss (plain @Cacheable)", Tags.of("result", "lost"),
				(c) -> c.getStatistics().fillsLost());
		counter(registry, "cache.unstorable.values", "Values whose type may not be stored in Redis (L1 only)",
				Tags.empty(), (c) -> c.getStatistics().unstorableValues());
		counter(registry, "cache.remembered.writes", "Writes Redis missed, repaired everywhere once it is back",
				Tags.empty(), (c) -> c.getStatistics().rememberedWrites());
		counter(registry, "cache.corrupt.values", "Undecodable values found in Redis (treated as misses)", Tags.empty(),
				(c) -> c.getStatistics().corruptValues());
		counter(registry, "cache.l2.errors", "Redis calls that failed or timed out", Tags.empty(),
				(c) -> c.getStatistics().l2Errors());
		if (this.cache.getSettings().strategy() == io.github.multilevelcache.WriteStrategy.WRITE_BEHIND) {
			io.micrometer.core.instrument.Gauge
				.builder("cache.write.behind.queue.size", this.cache, (c) -> c.getWriteBehindStatistics().queueSize())
				.description("Keys waiting for the writer")
				.tags(this.tags)
				.register(registry);
			counter(registry, "cache.write.behind.writes", "Write-behind entries", Tags.of("result", "accepted"),
					(c) -> c.getWriteBehindStatistics().accepted());
			counter(registry, "cache.write.behind.writes", "Write-behind entries", Tags.of("result", "coalesced"),
					(c) -> c.getWriteBehindStatistics().coalesced());
			counter(registry, "cache.write.behind.writes", "Write-behind entries", Tags.of("result", "flushed"),
					(c) -> c.getWriteBehindStatistics().flushed());
			counter(registry, "cache.write.behind.writes", "Write-behind entries", Tags.of("result", "dead.lettered"),
					(c) -> c.getWriteBehindStatistics().deadLettered());
			counter(registry, "cache.write.behind.writes", "Write-behind entries", Tags.of("result", "written.through"),
					(c) -> c.getWriteBehindStatistics().writtenThrough());
			counter(registry, "cache.write.behind.retries", "Retried write-behind batches", Tags.empty(),
					(c) -> c.getWriteBehindStatistics().retries());
		}
	}

	private void counter(MeterRegistry registry, String name, String description, Tags extra,
			ToDoubleFunction<MultiLevelCache> count) {
		FunctionCounter.builder(name, this.cache, count)
			.description(description)
			.tags(this.tags.and(extra))
			.register(registry);
	}

}
