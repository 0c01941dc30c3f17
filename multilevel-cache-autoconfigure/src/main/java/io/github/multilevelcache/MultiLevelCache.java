package io.github.multilevelcache;

import java.util.Collection;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.multilevelcache.write.WriteBehindStatistics;
import io.github.multilevelcache.write.WriteStrategyHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.support.AbstractValueAdaptingCache;

/**
 * A Spring {@link Cache} with two levels: Caffeine in this JVM (L1) over Redis (L2).
 * Created by {@link MultiLevelCacheManager}. Keys are {@code prefix + name + "::" + key}
 * in both levels.
 * <p>
 * Guarantees:
 * <ul>
 * <li>The whole Spring {@code Cache} contract holds (G5): {@code get(key, Callable)}
 * wraps loader failures in {@link ValueRetrievalException} and caches nothing;
 * {@code putIfAbsent} is atomic in Redis; {@code evictIfPresent} and {@code invalidate}
 * are immediate; {@code retrieve} checks L1 first and never blocks the caller on Redis. A
 * cached {@code null} (when enabled) is stored with its own TTL and is a hit for
 * {@code null} (G4).</li>
 * <li>A {@code put} that follows a miss of the same key (plain {@code @Cacheable}, or
 * {@code get} → load → {@code put} on one thread) is a <em>fill</em>: stored in Redis
 * only if nothing wrote or evicted the key since the miss, in L1 only if no invalidation
 * arrived since, published to nobody (G3). Every other {@code put} is a write: it
 * replaces the value in both levels and every other instance drops its copy.</li>
 * <li>A value read from Redis is not put into L1 when an invalidation of its key arrived
 * after the read began (G2).</li>
 * <li>No call waits for Redis longer than {@code resilience.l2-timeout}; while Redis
 * fails, reads are answered from L1 and the loader, writes update L1 and are repaired
 * everywhere once Redis is back, and no exception of Redis reaches the caller. Bytes in
 * Redis that do not decode are a miss (G12).</li>
 * </ul>
 * The work is split the way Spring Data Redis splits {@code RedisCache} and its writer:
 * the load path ({@link LoadPath}), the writes ({@link WritePath}), freshness
 * ({@link Freshness}), the value format ({@link ValueCodec}), tags ({@link CacheTags})
 * and warming ({@link BatchWarmup}); this class adapts them to the {@code Cache}
 * contract.
 */
public class MultiLevelCache extends AbstractValueAdaptingCache {

	private final String name;

	private final CacheSettings settings;

	private final CacheKeys keys;

	private final LocalLevel l1;

	private final CacheStatistics statistics;

	private final LoadPath loads;

	private final RetrievePath retrieves;

	private final WritePath writes;

	private final Freshness freshness;

	private final Outage outage;

	private final PendingFills pendingFills;

	private final WriteBehindStatistics writeBehindStatistics;

	private final CacheTags tags;

	MultiLevelCache(String name, CacheSettings settings, CacheKeys keys, LocalLevel l1, CacheStatistics statistics,
			LoadPath loads, RetrievePath retrieves, WritePath writes, Freshness freshness, Outage outage,
			WriteBehindStatistics writeBehindStatistics, CacheTags tags) {
		super(settings.nullValues().enabled());
		this.name = name;
		this.settings = settings;
		this.keys = keys;
		this.l1 = l1;
		this.statistics = statistics;
		this.loads = loads;
		this.retrieves = retrieves;
		this.writes = writes;
		this.freshness = freshness;
		this.outage = outage;
		this.writeBehindStatistics = writeBehindStatistics;
		this.tags = tags;
		this.pendingFills = new PendingFills(settings.stampede().lockLease().toNanos());
	}

	@Override
	public String getName() {
		return this.name;
	}

	/**
	 * Returns this cache: both of its levels sit behind it.
	 * @return this cache
	 */
	@Override
	public MultiLevelCache getNativeCache() {
		return this;
	}

	/**
	 * The effective settings of this cache.
	 * @return the settings
	 */
	public CacheSettings getSettings() {
		return this.settings;
	}

	/**
	 * Counters of this cache.
	 * @return the statistics
	 */
	public CacheStatistics getStatistics() {
		return this.statistics;
	}

	/**
	 * The canonical key of a cache key: {@code prefix + name + "::" + key}, the Redis key
	 * and the L1 key.
	 * @param key the cache key
	 * @return the key used in both levels
	 */
	public String canonicalKey(Object key) {
		return this.keys.canonical(key);
	}

	/**
	 * Whether this instance's L1 holds the key now, without counting a lookup, touching
	 * its access time or asking Redis.
	 * @param key the cache key
	 * @return {@code true} when a read would be answered from L1
	 */
	public boolean holdsLocally(Object key) {
		return this.l1.peek(canonicalKey(key)) != null;
	}

	/**
	 * Which level holds a key, without changing either level or counting anything: lets
	 * applications show where a value came from. Reads Redis when L1 does not hold it.
	 * @param key the cache key
	 * @return {@link CacheLevel#L1}, {@link CacheLevel#L2}, or {@code null} when neither
	 * holds it (or Redis cannot be read)
	 */
	public @Nullable CacheLevel locate(Object key) {
		return this.loads.locate(canonicalKey(key));
	}

	@Override
	protected @Nullable Object lookup(Object key) {
		LocalEntry entry = lookup(canonicalKey(key), this.pendingFills);
		return (entry != null) ? entry.storeValue() : null;
	}

	@Nullable ValueWrapper get(Object key, Fill.@Nullable Slot slot) {
		LocalEntry entry = lookup(canonicalKey(key), slot);
		return (entry != null) ? toValueWrapper(entry.storeValue()) : null;
	}

	private @Nullable LocalEntry lookup(String canonical, Fill.@Nullable Slot slot) {
		LocalEntry entry = this.loads.lookup(canonical, slot);
		if (entry == null && slot != null) {
			// before the method reads its data, so that a tag eviction after that read
			// is seen by the fill
			this.tags.missed(canonical);
		}
		return entry;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		String canonical = canonicalKey(key);
		LocalEntry entry = this.l1.get(canonical);
		if (entry != null) {
			return (T) fromStoreValue(this.freshness.onHit(key, canonical, entry, valueLoader));
		}
		return this.tags.load(key, canonical, () -> (T) fromStoreValue(this.loads.load(key, canonical, valueLoader)),
				this::evict);
	}

	/**
	 * Loads keys into this instance's L1 ahead of traffic: what Redis holds is read in
	 * one {@code MGET} per call; each key it lacks goes through
	 * {@link #get(Object, Callable)} with the loader, so the cache's stampede protection
	 * applies (with the distributed lease, instances warming together load each key
	 * once). A loader that throws leaves its key out and is counted; it does not stop the
	 * others.
	 * @param keys the keys of one batch
	 * @param loader loads a key Redis does not hold
	 * @param stop asked before each loader call: once it answers {@code true} the keys
	 * left are skipped (not counted)
	 * @return what happened to the batch
	 */
	public WarmedBatch warm(Collection<?> keys, Function<Object, ?> loader, BooleanSupplier stop) {
		return new BatchWarmup(this, this.loads).warm(keys, loader, stop);
	}

	/**
	 * Stores a value: a fill when this thread missed the key just before (see the class
	 * description), a write otherwise. With write-through the writer runs first and its
	 * exception reaches the caller with the cache unchanged (G8); with write-behind the
	 * write is queued.
	 */
	@Override
	public void put(Object key, @Nullable Object value) {
		put(key, value, this.pendingFills);
	}

	void put(Object key, @Nullable Object value, Fill.Slot slot) {
		String canonical = canonicalKey(key);
		this.tags.write(key, canonical, value, true, () -> {
			Fill fill = slot.take(canonical);
			if (fill != null) {
				this.loads.fill(fill, toStoreValue(value));
			}
			else {
				this.writes.put(key, canonical, toStoreValue(value), value);
			}
			return null;
		}, this::evict);
	}

	/**
	 * Stores a value as a write, never as a fill ({@code @CachePut}).
	 */
	void write(Object key, @Nullable Object value) {
		String canonical = canonicalKey(key);
		this.tags.write(key, canonical, value, false, () -> {
			this.pendingFills.take(canonical);
			this.writes.put(key, canonical, toStoreValue(value), value);
			return null;
		}, this::evict);
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		String canonical = canonicalKey(key);
		LocalEntry present = this.tags.write(key, canonical, value, false,
				() -> this.writes.putIfAbsent(key, canonical, toStoreValue(value), value), this::evict);
		return (present != null) ? toValueWrapper(present.storeValue()) : null;
	}

	@Override
	public void evict(Object key) {
		this.writes.evict(key, canonicalKey(key));
	}

	@Override
	public boolean evictIfPresent(Object key) {
		return this.writes.evictIfPresent(key, canonicalKey(key));
	}

	@Override
	public void clear() {
		this.writes.clear();
	}

	@Override
	public boolean invalidate() {
		return this.writes.invalidate();
	}

	@Override
	public @Nullable CompletableFuture<?> retrieve(Object key) {
		return retrieve(key, (Fill.Slot) null);
	}

	@Nullable CompletableFuture<?> retrieve(Object key, Fill.@Nullable Slot slot) {
		return this.loads.retrieve(canonicalKey(key), slot, this::toRetrieved);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		String canonical = canonicalKey(key);
		LocalEntry entry = this.l1.get(canonical);
		if (entry != null) {
			return CompletableFuture.completedFuture((T) fromStoreValue(entry.storeValue()));
		}
		return this.tags.loadAsync(key, canonical, () -> this.retrieves.loadAsync(canonical, valueLoader)
			.thenApply((stored) -> (T) fromStoreValue(stored)), this::evict);
	}

	private @Nullable Object toRetrieved(Object storeValue) {
		return isAllowNullValues() ? toValueWrapper(storeValue) : fromStoreValue(storeValue);
	}

	/**
	 * The write strategy handler of this cache, to flush or close it.
	 * @return the handler
	 */
	public WriteStrategyHandler getWriteStrategy() {
		return this.writes.strategy();
	}

	/**
	 * Write-behind counters of this cache (all zero for other strategies).
	 * @return the statistics
	 */
	public WriteBehindStatistics getWriteBehindStatistics() {
		return this.writeBehindStatistics;
	}

	/**
	 * Whether writes that may not have reached Redis still wait to be repaired.
	 * @return {@code true} while some are remembered
	 */
	public boolean hasRememberedWrites() {
		return this.outage.isPending();
	}

	LocalLevel l1() {
		return this.l1;
	}

	Outage outage() {
		return this.outage;
	}

	CacheKeys keys() {
		return this.keys;
	}

	/**
	 * The load path, for its test seam.
	 */
	LoadPath loads() {
		return this.loads;
	}

	/**
	 * The write path, for its test seam.
	 */
	WritePath writes() {
		return this.writes;
	}

}
