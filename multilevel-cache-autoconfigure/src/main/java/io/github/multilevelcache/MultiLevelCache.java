package io.github.multilevelcache;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.support.AbstractValueAdaptingCache;
import org.springframework.cache.support.NullValue;
import org.springframework.core.convert.ConversionService;
import org.springframework.util.Assert;

import io.github.multilevelcache.invalidation.InvalidationPublisher;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;
import io.github.multilevelcache.l1.L1Cache;
import io.github.multilevelcache.l1.L1Entry;
import io.github.multilevelcache.l2.CacheValueSerializer;
import io.github.multilevelcache.l2.CorruptValueException;
import io.github.multilevelcache.l2.Envelope;
import io.github.multilevelcache.l2.RedisL2;
import io.github.multilevelcache.resilience.RememberedEvictions;
import io.github.multilevelcache.stampede.SingleFlight;
import io.github.multilevelcache.stampede.StampedeSupport;
import io.github.multilevelcache.write.WriteBehindStatistics;
import io.github.multilevelcache.write.WriteStrategyHandler;

/**
 * A Spring {@link org.springframework.cache.Cache} with two levels: Caffeine in this JVM (L1) over Redis
 * (L2).
 * <p>
 * Reads go L1 → L2 → loader and fill the levels they missed; writes go to L2 first, then L1, then tell the
 * other instances to drop the key from their L1. Keys are {@code prefix + name + "::" + key} in both levels.
 * Guarantees:
 * <ul>
 * <li>The whole Spring {@code Cache} contract holds (G5): {@code get(key, Callable)} wraps loader failures in
 * {@link ValueRetrievalException} and caches nothing; {@code putIfAbsent} is atomic in Redis;
 * {@code evictIfPresent} and {@code invalidate} are immediate; {@code retrieve} checks L1 first and never
 * blocks the caller on Redis.</li>
 * <li>A cached {@code null} (when enabled) is stored with its own TTL and returned as a hit for {@code null}
 * (G4).</li>
 * <li>Concurrent {@code get(key, loader)} misses on one key in this JVM run the loader once.</li>
 * <li>A value read from L2 is not put into L1 when an invalidation of its key arrived after the read
 * began.</li>
 * <li>Bytes in Redis that do not decode (foreign, corrupt, a type outside the allow-list) are a miss and
 * are deleted, never an exception (G12). A failing Redis call is answered from L1 or the loader, logged
 * and counted.</li>
 * </ul>
 */
public class MultiLevelCache extends AbstractValueAdaptingCache {

	private static final Log logger = LogFactory.getLog(MultiLevelCache.class);

	private static final long ERROR_LOG_INTERVAL_MILLIS = 10_000;

	private static final int WRITE_LOCK_STRIPES = 1024;

	private final String name;

	private final CacheSettings settings;

	private final CacheKeys keys;

	private final L1Cache l1;

	private final RedisL2 l2;

	private final CacheValueSerializer serializer;

	private final InvalidationPublisher publisher;

	private final SingleFlight singleFlight = new SingleFlight();

	private final StampedeSupport stampede;

	private final java.util.Set<String> refreshing = java.util.concurrent.ConcurrentHashMap.newKeySet();

	private final CacheStatistics statistics = new CacheStatistics();

	private final Clock clock;

	private final AtomicLong lastErrorLog = new AtomicLong(Long.MIN_VALUE / 2);

	private volatile @Nullable Runnable afterL2Read;

	private final RememberedEvictions outage;

	private final WriteBehindStatistics writeBehindStatistics = new WriteBehindStatistics();

	private volatile WriteStrategyHandler writes = WriteStrategyHandler.CACHE_ASIDE;

	/** stripe locks that order the writes of a cache with a writer; none for cache-aside */
	private volatile ReentrantLock @Nullable [] writeLocks;

	/** set while this thread holds one of {@link #writeLocks} */
	private final ThreadLocal<@Nullable Boolean> writingThread = new ThreadLocal<>();

	private final java.util.concurrent.atomic.AtomicBoolean recovering = new java.util.concurrent.atomic.AtomicBoolean();

	/**
	 * Creates a cache.
	 * @param name the cache name
	 * @param settings its settings
	 * @param l1 its L1
	 * @param l2 Redis access
	 * @param serializer value serializer
	 * @param conversionService converts keys to strings
	 * @param publisher tells other instances about changes
	 * @param clock wall clock for envelope times
	 * @param stampede leases, watchdog and refresh executor shared by the manager's caches
	 * @param outage where evictions that could not reach Redis are remembered until it is back
	 */
	public MultiLevelCache(String name, CacheSettings settings, L1Cache l1, RedisL2 l2,
			CacheValueSerializer serializer, ConversionService conversionService, InvalidationPublisher publisher,
			Clock clock, StampedeSupport stampede, RememberedEvictions outage) {
		super(settings.nullValues().enabled());
		Assert.hasText(name, "Name must not be empty");
		this.name = name;
		this.settings = settings;
		this.keys = new CacheKeys(settings.keyPrefix(), name, conversionService);
		this.l1 = l1;
		this.l2 = l2;
		this.serializer = serializer;
		this.publisher = publisher;
		this.clock = clock;
		this.stampede = stampede;
		this.outage = outage;
	}

	private static ReentrantLock[] newWriteLocks() {
		ReentrantLock[] locks = new ReentrantLock[WRITE_LOCK_STRIPES];
		for (int i = 0; i < locks.length; i++) {
			locks[i] = new ReentrantLock();
		}
		return locks;
	}

	@Override
	public String getName() {
		return this.name;
	}

	/**
	 * Returns the Redis access object, as Spring's {@code RedisCache} returns its writer.
	 * @return the L2 access
	 */
	@Override
	public RedisL2 getNativeCache() {
		return this.l2;
	}

	/**
	 * The effective settings of this cache.
	 * @return the settings
	 */
	public CacheSettings getSettings() {
		return this.settings;
	}

	/**
	 * The in-process level, for invalidation and metrics.
	 * @return the L1
	 */
	public L1Cache getL1() {
		return this.l1;
	}

	/**
	 * Counters of this cache.
	 * @return the statistics
	 */
	public CacheStatistics getStatistics() {
		return this.statistics;
	}

	/**
	 * The canonical key of a cache key: {@code prefix + name + "::" + key}.
	 * @param key the cache key
	 * @return the key used in both levels
	 */
	public String canonicalKey(Object key) {
		return this.keys.canonical(key);
	}

	/**
	 * Which level currently holds a key, without changing either level or any statistics: lets applications
	 * show where a value came from.
	 * @param key the cache key
	 * @return {@link CacheLevel#L1}, {@link CacheLevel#L2}, or {@code null} when neither holds it
	 */
	public @Nullable CacheLevel locate(Object key) {
		String canonical = canonicalKey(key);
		if (this.l1.nativeCache() != null && this.l1.nativeCache().policy().getIfPresentQuietly(canonical) != null) {
			return CacheLevel.L1;
		}
		Envelope envelope = this.settings.l2().enabled() ? readL2(canonical) : null;
		return (envelope != null) ? CacheLevel.L2 : null;
	}

	@Override
	protected @Nullable Object lookup(Object key) {
		String canonical = canonicalKey(key);
		L1Entry entry = this.l1.get(canonical);
		if (entry != null) {
			return entry.storeValue();
		}
		entry = lookupL2(canonical);
		return (entry != null) ? entry.storeValue() : null;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		String canonical = canonicalKey(key);
		L1Entry entry = this.l1.get(canonical);
		if (entry != null) {
			return (T) fromStoreValue(freshen(key, canonical, entry, valueLoader));
		}
		Supplier<@Nullable Object> load = () -> loadThrough(key, canonical, valueLoader);
		Object storeValue = this.settings.stampede().local() ? this.singleFlight.execute(canonical, this.l1.stamp(),
				(started) -> this.l1.invalidatedSince(canonical, started), load) : load.get();
		return (T) fromStoreValue(storeValue);
	}

	/**
	 * On a hit in {@code get(key, loader)}: schedules a refresh-ahead reload when the entry is old enough, and
	 * recomputes early when XFetch says so (Vattani et al., PVLDB 2015).
	 * @return the store value to return: the current one, or the early recomputed one
	 */
	private Object freshen(Object key, String canonical, L1Entry entry, Callable<?> valueLoader) {
		CacheSettings.Freshness freshness = this.settings.freshness();
		if ((freshness.refreshAheadRatio() == 0 && freshness.earlyExpirationBeta() == 0)
				|| !this.settings.l2().enabled() || entry.expiresAt() <= 0) {
			// the common case: an L1 hit costs no clock read
			return entry.storeValue();
		}
		long now = this.clock.millis();
		if (freshness.earlyExpirationBeta() > 0 && entry.loadMillis() > 0) {
			double gap = -entry.loadMillis() * freshness.earlyExpirationBeta() * Math.log(this.stampede.random());
			if (now + gap >= entry.expiresAt()) {
				this.statistics.countEarlyRecomputes();
				Object recomputed = refresh(key, canonical, entry, valueLoader);
				if (recomputed != null) {
					return recomputed;
				}
			}
		}
		double ratio = freshness.refreshAheadRatio();
		long lifetime = entry.expiresAt() - entry.writtenAt();
		if (ratio > 0 && lifetime > 0 && now - entry.writtenAt() >= ratio * lifetime) {
			scheduleRefresh(key, canonical, entry, valueLoader);
		}
		return entry.storeValue();
	}

	private void scheduleRefresh(Object key, String canonical, L1Entry entry, Callable<?> valueLoader) {
		if (!this.refreshing.add(canonical)) {
			return;
		}
		try {
			this.stampede.refreshExecutor().execute(() -> {
				try {
					refresh(key, canonical, entry, valueLoader);
				}
				finally {
					this.refreshing.remove(canonical);
				}
			});
			this.statistics.countRefreshScheduled();
		}
		catch (java.util.concurrent.RejectedExecutionException ex) {
			this.refreshing.remove(canonical);
			this.statistics.countRefreshRejected();
		}
	}

	/**
	 * Reloads an entry that is still cached. One instance at a time (a short refresh lock next to the key), and
	 * the new value replaces the entry only if Redis still holds the very write it replaces: a refresh never
	 * overwrites a newer put nor resurrects an evicted key.
	 * @return the new store value, or {@code null} when this caller did not refresh
	 */
	private @Nullable Object refresh(Object key, String canonical, L1Entry current, Callable<?> valueLoader) {
		byte[] lockKey = bytes(canonical + "~refresh");
		byte[] token = this.stampede.newToken();
		try {
			if (!this.l2.setMarkerIfAbsent(lockKey, token, this.settings.stampede().lockLease())) {
				return null;
			}
		}
		catch (RuntimeException ex) {
			l2Failed("refresh lock", ex);
			return null;
		}
		try {
			Envelope.Kind kind = (current.storeValue() == NullValue.INSTANCE) ? Envelope.Kind.NULL : Envelope.Kind.VALUE;
			byte[] identity = new Envelope(kind, current.writtenAt(), current.expiresAt(), current.loadMillis(),
					new byte[0])
				.identity();
			byte[] stored = this.l2.get(bytes(canonical));
			if (stored == null || !java.util.Arrays.equals(stored, 0, identity.length, identity, 0, identity.length)) {
				// someone refreshed, wrote or evicted it meanwhile: nothing to do
				return null;
			}
			long start = System.nanoTime();
			Object value;
			try {
				value = valueLoader.call();
			}
			catch (Throwable ex) {
				this.statistics.countRefreshFailed();
				logger.debug("Refresh of '" + canonical + "' failed; keeping the current value", ex);
				return null;
			}
			if (value == null && !isAllowNullValues()) {
				return null;
			}
			Object storeValue = toStoreValue(value);
			int loadMillis = (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - start) / 1_000_000);
			Duration ttl = ttlFor(storeValue);
			Envelope fresh = envelope(storeValue, loadMillis, ttl);
			if (this.l2.replaceIfStartsWith(bytes(canonical), identity, fresh.encode(), ttl)) {
				this.statistics.countRefreshed();
				this.l1.put(canonical, toEntry(fresh, storeValue));
				this.publisher.keysChanged(this.name, Operation.PUT, List.of(canonical));
			}
			return storeValue;
		}
		catch (RuntimeException ex) {
			l2Failed("refresh", ex);
			return null;
		}
		finally {
			try {
				this.l2.deleteIfEquals(lockKey, token);
			}
			catch (RuntimeException ex) {
				logger.debug("Could not release the refresh lock of '" + canonical + "'", ex);
			}
		}
	}

	private @Nullable Object loadThrough(Object key, String canonical, Callable<?> valueLoader) {
		L1Entry entry = this.l1.get(canonical);
		if (entry != null) {
			return entry.storeValue();
		}
		long stamp = this.l1.stamp();
		if (!this.settings.l2().enabled()) {
			return loadAndStore(key, canonical, valueLoader, stamp, null);
		}
		Peek peek = peekL2(canonical);
		if (peek.entry != null) {
			this.statistics.l2Hit();
			this.l1.putIfNotInvalidatedSince(canonical, peek.entry, stamp);
			return peek.entry.storeValue();
		}
		this.statistics.l2Miss();
		if (!this.settings.stampede().distributed() || peek == Peek.FAILED) {
			return loadAndStore(key, canonical, valueLoader, stamp, null);
		}
		return loadWithLease(key, canonical, valueLoader, stamp);
	}

	/**
	 * Distributed stampede protection (G1, G3): one instance takes the key's lease and loads; the others wait
	 * for its value, up to {@code stampede.wait-timeout}, then load themselves.
	 */
	private @Nullable Object loadWithLease(Object key, String canonical, Callable<?> valueLoader, long stamp) {
		CacheSettings.Stampede stampede = this.settings.stampede();
		long deadline = System.nanoTime() + stampede.waitTimeout().toNanos();
		boolean counted = false;
		while (true) {
			StampedeSupport.Lease lease;
			try {
				lease = this.stampede.tryAcquire(this.l2, bytes(canonical), stampede.lockLease());
			}
			catch (RuntimeException ex) {
				l2Failed("lease", ex);
				return loadAndStore(key, canonical, valueLoader, stamp, null);
			}
			if (lease != null) {
				this.statistics.countLockAcquired();
				try (lease) {
					lease.startWatchdog();
					return loadAndStore(key, canonical, valueLoader, stamp, lease);
				}
			}
			if (!counted) {
				this.statistics.countLockWaits();
				counted = true;
			}
			long waitStart = System.nanoTime();
			Peek peek = awaitHolder(canonical, deadline);
			this.statistics.lockWaited(System.nanoTime() - waitStart);
			if (peek.entry != null) {
				this.l1.putIfNotInvalidatedSince(canonical, peek.entry, stamp);
				return peek.entry.storeValue();
			}
			if (peek == Peek.FAILED || System.nanoTime() >= deadline) {
				this.statistics.countLockWaitTimeouts();
				return loadAndStore(key, canonical, valueLoader, stamp, null);
			}
			// the key is free again (holder failed, lease expired, or evicted): try to take the lease
		}
	}

	/**
	 * Polls L2 with backoff (1 ms doubling to 100 ms) while another instance holds the lease. The first poll
	 * comes early because most loaders take about a database round trip; a slow loader costs a few more polls.
	 */
	private Peek awaitHolder(String canonical, long deadline) {
		long sleepMillis = 1;
		while (true) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				return Peek.LEASED;
			}
			try {
				Thread.sleep(Math.min(sleepMillis, Math.max(1, remaining / 1_000_000)));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new org.springframework.dao.PessimisticLockingFailureException(
						"Interrupted while waiting for the lease holder of '" + canonical + "'", ex);
			}
			sleepMillis = Math.min(100, sleepMillis * 2);
			Peek peek = peekL2(canonical);
			if (peek != Peek.LEASED) {
				return peek;
			}
		}
	}

	/**
	 * Runs the loader and stores its value: under a lease only if the lease is still held (so an evict or
	 * put during the load wins), otherwise unconditionally; L1 is filled unless an invalidation arrived since
	 * {@code stamp}.
	 */
	private @Nullable Object loadAndStore(Object key, String canonical, Callable<?> valueLoader, long stamp,
			StampedeSupport.@Nullable Lease lease) {
		long start = System.nanoTime();
		Object value;
		try {
			value = valueLoader.call();
		}
		catch (Throwable ex) {
			this.statistics.load(System.nanoTime() - start, false);
			if (lease != null) {
				lease.release();
			}
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
		long loadNanos = System.nanoTime() - start;
		this.statistics.load(loadNanos, true);
		if (value == null && !isAllowNullValues()) {
			if (lease != null) {
				lease.release();
			}
			return null;
		}
		Object storeValue = toStoreValue(value);
		int loadMillis = (int) Math.min(Integer.MAX_VALUE, loadNanos / 1_000_000);
		if (lease == null) {
			L1Entry stored = writeL2(canonical, storeValue, loadMillis);
			this.l1.putIfNotInvalidatedSince(canonical, stored, stamp);
			return storeValue;
		}
		Duration ttl = ttlFor(storeValue);
		Envelope envelope = envelope(storeValue, loadMillis, ttl);
		boolean stored;
		try {
			stored = lease.store(envelope.encode(), ttl);
		}
		catch (RuntimeException ex) {
			l2Failed("put", ex);
			stored = false;
		}
		if (stored) {
			this.statistics.put();
			this.l1.putIfNotInvalidatedSince(canonical, toEntry(envelope, storeValue), stamp);
		}
		else {
			this.statistics.countLeaseLost();
		}
		return storeValue;
	}

	/**
	 * Stores a value in both levels and tells the other instances. With write-through the writer runs first and
	 * its exception reaches the caller with the cache unchanged (G8); with write-behind the write is queued.
	 */
	@Override
	public void put(Object key, @Nullable Object value) {
		String canonical = canonicalKey(key);
		Object storeValue = toStoreValue(value);
		WriteStrategyHandler writes = this.writes;
		inKeyOrder(writes, canonical, () -> {
			writes.beforePut(key, value);
			L1Entry entry = writeL2(canonical, storeValue, 0);
			this.l1.put(canonical, entry);
			writes.afterPut(key, value);
			return null;
		});
		this.publisher.keysChanged(this.name, Operation.PUT, List.of(canonical));
	}

	/**
	 * Runs a write of a cache with a writer while holding the key's stripe lock, so that two threads writing
	 * one key reach the database (or the write-behind queue) and the cache in the same order: without it the
	 * database could keep one thread's value and the cache the other's. Cache-aside writes take no lock. A
	 * write the writer itself makes on this cache (from inside {@code write}) takes no second lock, so two
	 * writers writing each other's keys cannot deadlock.
	 */
	private <T> T inKeyOrder(WriteStrategyHandler writes, String canonical, Supplier<T> write) {
		ReentrantLock[] locks = this.writeLocks;
		if (writes == WriteStrategyHandler.CACHE_ASIDE || locks == null) {
			return write.get();
		}
		if (this.writingThread.get() != null) {
			return write.get();
		}
		int hash = canonical.hashCode();
		ReentrantLock lock = locks[(hash ^ (hash >>> 16)) & (WRITE_LOCK_STRIPES - 1)];
		lock.lock();
		this.writingThread.set(Boolean.TRUE);
		try {
			return write.get();
		}
		finally {
			this.writingThread.remove();
			lock.unlock();
		}
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		String canonical = canonicalKey(key);
		return inKeyOrder(this.writes, canonical, () -> doPutIfAbsent(key, canonical, value));
	}

	private @Nullable ValueWrapper doPutIfAbsent(Object key, String canonical, @Nullable Object value) {
		Object storeValue = toStoreValue(value);
		if (!this.settings.l2().enabled()) {
			L1Entry existing = this.l1.putIfAbsent(canonical, newEntry(storeValue, 0, ttlFor(storeValue)));
			return (existing != null) ? toValueWrapper(existing.storeValue()) : null;
		}
		Duration ttl = ttlFor(storeValue);
		Envelope envelope = envelope(storeValue, 0, ttl);
		byte[] existing;
		try {
			existing = this.l2.setIfAbsent(bytes(canonical), envelope.encode(), ttl);
		}
		catch (RuntimeException ex) {
			l2Failed("putIfAbsent", ex);
			L1Entry present = this.l1.putIfAbsent(canonical, toEntry(envelope, storeValue));
			return (present != null) ? toValueWrapper(present.storeValue()) : null;
		}
		if (existing != null) {
			L1Entry present = decode(canonical, existing);
			if (present != null) {
				this.l1.put(canonical, present);
				return toValueWrapper(present.storeValue());
			}
			// corrupt bytes were there and are now deleted: store ours
			return doPutIfAbsent(key, canonical, value);
		}
		this.statistics.put();
		this.l1.put(canonical, toEntry(envelope, storeValue));
		this.publisher.keysChanged(this.name, Operation.PUT, List.of(canonical));
		try {
			// putIfAbsent can only know it stored after the fact: a failing write-through undoes the store
			this.writes.beforePut(key, value);
		}
		catch (RuntimeException ex) {
			removeFromLevels(canonical);
			throw ex;
		}
		this.writes.afterPut(key, value);
		return null;
	}

	@Override
	public void evict(Object key) {
		evictIfPresent(key);
	}

	@Override
	public boolean evictIfPresent(Object key) {
		WriteStrategyHandler writes = this.writes;
		String canonical = canonicalKey(key);
		return inKeyOrder(writes, canonical, () -> {
			writes.beforeEvict(key);
			boolean removed = removeFromLevels(canonical);
			writes.afterEvict(key);
			return removed;
		});
	}

	private boolean removeFromLevels(String canonical) {
		boolean removed = false;
		if (this.settings.l2().enabled()) {
			try {
				removed = this.l2.delete(bytes(canonical));
			}
			catch (RuntimeException ex) {
				l2Failed("evict", ex);
				this.outage.evicted(canonical);
			}
		}
		removed |= this.l1.invalidate(canonical);
		if (removed) {
			this.statistics.eviction();
			this.publisher.keysChanged(this.name, Operation.EVICT, List.of(canonical));
		}
		return removed;
	}

	@Override
	public void clear() {
		invalidate();
	}

	@Override
	public boolean invalidate() {
		boolean removed = false;
		if (this.settings.l2().enabled()) {
			try {
				removed = this.l2.clear(bytes(this.keys.pattern())) > 0;
			}
			catch (RuntimeException ex) {
				l2Failed("clear", ex);
				this.outage.cleared();
			}
		}
		removed |= this.l1.invalidateAll();
		this.publisher.cacheCleared(this.name);
		return removed;
	}

	@Override
	public @Nullable CompletableFuture<?> retrieve(Object key) {
		String canonical = canonicalKey(key);
		L1Entry entry = this.l1.get(canonical);
		if (entry != null) {
			return CompletableFuture.completedFuture(toRetrieved(entry.storeValue()));
		}
		if (!this.settings.l2().enabled()) {
			return null;
		}
		return lookupL2Async(canonical).thenApply((found) -> (found != null) ? toRetrieved(found.storeValue()) : null);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		String canonical = canonicalKey(key);
		L1Entry entry = this.l1.get(canonical);
		if (entry != null) {
			return CompletableFuture.completedFuture((T) fromStoreValue(entry.storeValue()));
		}
		Supplier<CompletableFuture<@Nullable Object>> load = () -> loadThroughAsync(canonical,
				(Supplier<CompletableFuture<@Nullable Object>>) (Supplier<?>) valueLoader);
		CompletableFuture<@Nullable Object> storeValue = this.settings.stampede().local()
				? this.singleFlight.executeAsync(canonical, this.l1.stamp(),
						(started) -> this.l1.invalidatedSince(canonical, started), load)
				: load.get();
		return storeValue.thenApply((stored) -> (T) fromStoreValue(stored));
	}

	private CompletableFuture<@Nullable Object> loadThroughAsync(String canonical,
			Supplier<CompletableFuture<@Nullable Object>> valueLoader) {
		CompletableFuture<@Nullable L1Entry> cached = this.settings.l2().enabled() ? lookupL2Async(canonical)
				: CompletableFuture.completedFuture(null);
		return cached.thenCompose((found) -> {
			if (found != null) {
				return CompletableFuture.completedFuture(found.storeValue());
			}
			long stamp = this.l1.stamp();
			long start = System.nanoTime();
			return valueLoader.get().thenCompose((value) -> {
				long loadNanos = System.nanoTime() - start;
				this.statistics.load(loadNanos, true);
				if (value == null && !isAllowNullValues()) {
					return CompletableFuture.completedFuture(null);
				}
				Object storeValue = toStoreValue(value);
				return writeL2Async(canonical, storeValue, (int) Math.min(Integer.MAX_VALUE, loadNanos / 1_000_000))
					.thenApply((stored) -> {
						this.l1.putIfNotInvalidatedSince(canonical, stored, stamp);
						return storeValue;
					});
			});
		});
	}

	private @Nullable Object toRetrieved(Object storeValue) {
		return isAllowNullValues() ? toValueWrapper(storeValue) : fromStoreValue(storeValue);
	}

	private @Nullable L1Entry lookupL2(String canonical) {
		if (!this.settings.l2().enabled()) {
			return null;
		}
		long stamp = this.l1.stamp();
		Envelope envelope = readL2(canonical);
		Runnable hook = this.afterL2Read;
		if (hook != null) {
			hook.run();
		}
		return cacheInL1(canonical, envelope, stamp);
	}

	/**
	 * Replays the evictions that could not reach Redis during an outage (deleting the keys, or clearing the
	 * cache, and telling the other instances), then clears this cache's L1, so that no value evicted during
	 * the outage is served again (G11). Runs when the circuit breaker closes, or on the first successful Redis
	 * read after a failed eviction; what fails again stays remembered.
	 */
	public void recover() {
		if (!this.outage.isPending() || !this.recovering.compareAndSet(false, true)) {
			return;
		}
		try {
			RememberedEvictions.Replay replay = this.outage.snapshot();
			if (replay.clearAll()) {
				this.l2.clear(bytes(this.keys.pattern()));
				this.publisher.cacheCleared(this.name);
			}
			else if (!replay.keys().isEmpty()) {
				for (String key : replay.keys()) {
					this.l2.delete(bytes(key));
				}
				this.publisher.keysChanged(this.name, Operation.EVICT, replay.keys());
			}
			this.outage.replayed(replay);
			this.l1.invalidateAll();
		}
		catch (RuntimeException ex) {
			// Redis is still unreachable: everything stays remembered and L1 keeps serving
			logger.debug("Replay of evictions remembered during the outage failed; retrying", ex);
		}
		finally {
			this.recovering.set(false);
		}
	}

	/**
	 * When the value Redis holds for a key was written, without filling L1 (used to keep a replayed
	 * write-behind journal from overwriting a newer write).
	 * @param key the cache key
	 * @return epoch millis of the write, 0 when Redis holds no value for the key
	 */
	public long l2WriteTime(Object key) {
		Peek peek = peekL2(canonicalKey(key));
		return (peek.entry != null) ? peek.entry.writtenAt() : 0;
	}

	/**
	 * Sets how this cache's writes reach the application's store (the manager does, from the settings).
	 * @param writes the handler
	 */
	public void setWriteStrategy(WriteStrategyHandler writes) {
		if (writes != WriteStrategyHandler.CACHE_ASIDE && this.writeLocks == null) {
			this.writeLocks = newWriteLocks();
		}
		this.writes = writes;
	}

	/**
	 * The write strategy handler, to flush or close it.
	 * @return the handler
	 */
	public WriteStrategyHandler getWriteStrategy() {
		return this.writes;
	}

	/**
	 * Write-behind counters of this cache (all zero for other strategies).
	 * @return the statistics
	 */
	public WriteBehindStatistics getWriteBehindStatistics() {
		return this.writeBehindStatistics;
	}

	/**
	 * Whether evictions made during a Redis outage still wait to be replayed.
	 * @return {@code true} while some are remembered
	 */
	public boolean hasRememberedEvictions() {
		return this.outage.isPending();
	}

	/**
	 * Test seam: runs between a synchronous L2 read and the L1 fill that follows it.
	 * @param hook the hook, {@code null} to remove it
	 */
	void afterL2Read(@Nullable Runnable hook) {
		this.afterL2Read = hook;
	}

	private CompletableFuture<@Nullable L1Entry> lookupL2Async(String canonical) {
		long stamp = this.l1.stamp();
		CompletableFuture<byte @Nullable []> read;
		try {
			read = this.l2.getAsync(bytes(canonical));
		}
		catch (RuntimeException ex) {
			read = CompletableFuture.failedFuture(ex);
		}
		return read.handle((bytes, ex) -> {
			if (ex != null) {
				l2Failed("get", ex);
				return null;
			}
			Envelope envelope = decodeEnvelope(canonical, bytes, true);
			return cacheInL1(canonical, envelope, stamp);
		});
	}

	private @Nullable L1Entry cacheInL1(String canonical, @Nullable Envelope envelope, long stamp) {
		if (envelope == null) {
			this.statistics.l2Miss();
			return null;
		}
		L1Entry entry = toEntry(canonical, envelope);
		if (entry == null) {
			this.statistics.l2Miss();
			return null;
		}
		this.statistics.l2Hit();
		this.l1.putIfNotInvalidatedSince(canonical, entry, stamp);
		return entry;
	}

	/**
	 * Reads L2 and tells a value from a lease from nothing.
	 */
	private Peek peekL2(String canonical) {
		byte[] bytes;
		try {
			bytes = this.l2.get(bytes(canonical));
		}
		catch (RuntimeException ex) {
			l2Failed("get", ex);
			return Peek.FAILED;
		}
		if (this.outage.isPending()) {
			recover();
			return Peek.FAILED;
		}
		if (bytes == null) {
			return Peek.ABSENT;
		}
		if (Envelope.isLease(bytes)) {
			return Peek.LEASED;
		}
		Envelope envelope = decodeEnvelope(canonical, bytes, false);
		L1Entry entry = (envelope != null) ? toEntry(canonical, envelope) : null;
		return (entry != null) ? new Peek(entry) : Peek.ABSENT;
	}

	/**
	 * What an L2 read found.
	 */
	private record Peek(@Nullable L1Entry entry) {

		static final Peek ABSENT = new Peek(null);

		static final Peek LEASED = new Peek(null);

		static final Peek FAILED = new Peek(null);

	}

	private @Nullable Envelope readL2(String canonical) {
		byte[] bytes;
		try {
			bytes = this.l2.get(bytes(canonical));
		}
		catch (RuntimeException ex) {
			l2Failed("get", ex);
			return null;
		}
		if (this.outage.isPending()) {
			recover();
			return null;
		}
		return decodeEnvelope(canonical, bytes, false);
	}

	private @Nullable Envelope decodeEnvelope(String canonical, byte @Nullable [] bytes, boolean async) {
		if (bytes == null) {
			return null;
		}
		try {
			Envelope envelope = Envelope.decode(bytes);
			return (envelope.kind() == Envelope.Kind.LEASE) ? null : envelope;
		}
		catch (CorruptValueException ex) {
			corrupt(canonical, bytes, ex, async);
			return null;
		}
	}

	private @Nullable L1Entry decode(String canonical, byte[] bytes) {
		Envelope envelope = decodeEnvelope(canonical, bytes, false);
		return (envelope != null) ? toEntry(canonical, envelope) : null;
	}

	private @Nullable L1Entry toEntry(String canonical, Envelope envelope) {
		if (envelope.kind() == Envelope.Kind.NULL) {
			return toEntry(envelope, NullValue.INSTANCE);
		}
		try {
			return toEntry(envelope, this.serializer.deserialize(envelope.payload()));
		}
		catch (CorruptValueException ex) {
			corrupt(canonical, envelope.encode(), ex, false);
			return null;
		}
	}

	private void corrupt(String canonical, byte[] bytes, Exception ex, boolean async) {
		this.statistics.corruptValue();
		if (logger.isDebugEnabled()) {
			logger.debug("Treating undecodable value under '" + canonical + "' as a miss and deleting it: "
					+ ex.getMessage());
		}
		Runnable delete = () -> {
			try {
				this.l2.deleteIfEquals(bytes(canonical), bytes);
			}
			catch (RuntimeException deleteFailure) {
				l2Failed("delete corrupt value", deleteFailure);
			}
		};
		if (async) {
			CompletableFuture.runAsync(delete);
		}
		else {
			delete.run();
		}
	}

	private L1Entry writeL2(String canonical, Object storeValue, int loadMillis) {
		Duration ttl = ttlFor(storeValue);
		Envelope envelope = envelope(storeValue, loadMillis, ttl);
		if (this.settings.l2().enabled()) {
			try {
				this.l2.set(bytes(canonical), envelope.encode(), ttl);
			}
			catch (RuntimeException ex) {
				l2Failed("put", ex);
			}
		}
		this.statistics.put();
		return toEntry(envelope, storeValue);
	}

	private CompletableFuture<L1Entry> writeL2Async(String canonical, Object storeValue, int loadMillis) {
		Duration ttl = ttlFor(storeValue);
		Envelope envelope = envelope(storeValue, loadMillis, ttl);
		L1Entry entry = toEntry(envelope, storeValue);
		this.statistics.put();
		if (!this.settings.l2().enabled()) {
			return CompletableFuture.completedFuture(entry);
		}
		return this.l2.setAsync(bytes(canonical), envelope.encode(), ttl).handle((ignored, ex) -> {
			if (ex != null) {
				l2Failed("put", ex);
			}
			return entry;
		});
	}

	private Envelope envelope(Object storeValue, int loadMillis, @Nullable Duration ttl) {
		long now = this.clock.millis();
		long expiresAt = (ttl != null) ? now + ttl.toMillis() : 0;
		if (storeValue == NullValue.INSTANCE) {
			return Envelope.nullValue(now, expiresAt, loadMillis);
		}
		return Envelope.value(this.serializer.serialize(storeValue), now, expiresAt, loadMillis);
	}

	private L1Entry newEntry(Object storeValue, int loadMillis, @Nullable Duration ttl) {
		long now = this.clock.millis();
		return L1Entry.of(storeValue, now, (ttl != null) ? now + ttl.toMillis() : 0, loadMillis);
	}

	private static L1Entry toEntry(Envelope envelope, Object storeValue) {
		return L1Entry.of(storeValue, envelope.writtenAt(), envelope.expiresAt(), envelope.loadMillis());
	}

	/**
	 * TTL of one write: the null-value TTL for {@code null}, otherwise the L2 TTL spread by the jitter.
	 */
	private @Nullable Duration ttlFor(Object storeValue) {
		if (storeValue == NullValue.INSTANCE) {
			return this.settings.nullValues().ttl();
		}
		Duration ttl = this.settings.l2().ttl();
		double jitter = this.settings.l2().ttlJitter();
		if (ttl == null || jitter == 0) {
			return ttl;
		}
		double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
		return Duration.ofMillis(Math.max(1, Math.round(ttl.toMillis() * factor)));
	}

	private void l2Failed(String operation, Throwable ex) {
		this.statistics.l2Error();
		long now = System.currentTimeMillis();
		long last = this.lastErrorLog.get();
		if (now - last >= ERROR_LOG_INTERVAL_MILLIS && this.lastErrorLog.compareAndSet(last, now)) {
			logger.warn("Redis " + operation + " failed for cache '" + this.name
					+ "'; serving from L1 and the loader (logged at most every 10 s): " + ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Redis " + operation + " failed for cache '" + this.name + "'", ex);
		}
	}

	private static byte[] bytes(String key) {
		return key.getBytes(StandardCharsets.UTF_8);
	}

}
