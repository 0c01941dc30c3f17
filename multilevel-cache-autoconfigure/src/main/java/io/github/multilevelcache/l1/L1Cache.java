package io.github.multilevelcache.l1;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.support.NullValue;

import io.github.multilevelcache.CacheSettings;

/**
 * The in-process level: a Caffeine cache keyed by the canonical key string.
 * <p>
 * Besides storing entries it keeps an invalidation clock, so that a value read from L2 is not put into L1
 * when an invalidation of its key (or a clear) happened after the read began: a reader takes a
 * {@link #stamp()} before reading L2 and calls {@link #putIfNotInvalidatedSince}. Invalidations are
 * remembered in a fixed array of key stripes (no allocation, no growth); two keys sharing a stripe only cost
 * a skipped L1 fill, never a stale one.
 * <p>
 * Entries expire at the earliest of: L1 expire-after-write, the expiry of the L2 entry they came from, the
 * null-value TTL (for cached {@code null}s) and, if set, L1 expire-after-access since the last read.
 */
public final class L1Cache {

	private static final int STRIPES = 4096;

	private final @Nullable Cache<String, L1Entry> cache;

	private final CacheSettings.L1 settings;

	private final Duration nullTtl;

	private final Ticker ticker;

	private final AtomicLong clock = new AtomicLong();

	private final AtomicLongArray keyInvalidations = new AtomicLongArray(STRIPES);

	private volatile long lastClear;

	/**
	 * Creates the L1 of one cache.
	 * @param settings L1 settings
	 * @param nullTtl time to live of cached {@code null}s
	 * @param ticker time source (tests pass a fake one)
	 */
	public L1Cache(CacheSettings.L1 settings, Duration nullTtl, Ticker ticker) {
		this.settings = settings;
		this.nullTtl = nullTtl;
		this.ticker = ticker;
		this.cache = settings.enabled() ? Caffeine.newBuilder()
			.maximumSize(settings.maximumSize())
			.expireAfter(new EntryExpiry(settings.expireAfterAccess()))
			.ticker(ticker)
			.executor(Runnable::run)
			.recordStats()
			.build() : null;
	}

	/**
	 * Whether this level stores anything.
	 * @return {@code false} when L1 is disabled for the cache
	 */
	public boolean enabled() {
		return this.cache != null;
	}

	/**
	 * Returns the entry for a key, if present and not expired.
	 * @param key canonical key
	 * @return the entry or {@code null}
	 */
	public @Nullable L1Entry get(String key) {
		return (this.cache != null) ? this.cache.getIfPresent(key) : null;
	}

	/**
	 * The current invalidation time, to pass to {@link #putIfNotInvalidatedSince}.
	 * @return a monotonic stamp
	 */
	public long stamp() {
		return this.clock.get();
	}

	/**
	 * Stores an entry unless the key (or the whole cache) was invalidated after {@code stamp} was taken.
	 * Atomic with respect to {@link #invalidate(String)}: either the invalidation removes the entry afterwards
	 * or the entry is not stored.
	 * @param key canonical key
	 * @param entry entry read from L2 or loaded
	 * @param stamp the {@link #stamp()} taken before the value was read
	 * @return whether the entry was stored
	 */
	public boolean putIfNotInvalidatedSince(String key, L1Entry entry, long stamp) {
		if (this.cache == null || invalidatedSince(key, stamp)) {
			return false;
		}
		L1Entry timed = withDeadline(entry);
		boolean[] stored = { false };
		this.cache.asMap().compute(key, (k, existing) -> {
			if (invalidatedSince(k, stamp)) {
				return existing;
			}
			stored[0] = true;
			return timed;
		});
		return stored[0];
	}

	/**
	 * Stores an entry this instance just wrote (put): concurrent readers holding older stamps will not overwrite
	 * it with what they read before.
	 * @param key canonical key
	 * @param entry the new entry
	 */
	public void put(String key, L1Entry entry) {
		markInvalidated(key);
		if (this.cache != null) {
			this.cache.put(key, withDeadline(entry));
		}
	}

	/**
	 * Stores an entry unless one is present.
	 * @param key canonical key
	 * @param entry the entry
	 * @return the entry already present, or {@code null} when {@code entry} was stored
	 */
	public @Nullable L1Entry putIfAbsent(String key, L1Entry entry) {
		if (this.cache == null) {
			return null;
		}
		return this.cache.asMap().putIfAbsent(key, withDeadline(entry));
	}

	/**
	 * Drops a key and records the invalidation, so in-flight readers of older data do not put it back.
	 * @param key canonical key
	 * @return whether an entry was removed
	 */
	public boolean invalidate(String key) {
		markInvalidated(key);
		return this.cache != null && this.cache.asMap().remove(key) != null;
	}

	/**
	 * Drops every entry and records the invalidation.
	 * @return whether any entry was present
	 */
	public boolean invalidateAll() {
		this.lastClear = this.clock.incrementAndGet();
		if (this.cache == null) {
			return false;
		}
		boolean present = !this.cache.asMap().isEmpty();
		this.cache.invalidateAll();
		return present;
	}

	/**
	 * Approximate number of entries.
	 * @return the estimated size, 0 when disabled
	 */
	public long estimatedSize() {
		return (this.cache != null) ? this.cache.estimatedSize() : 0;
	}

	/**
	 * Caffeine's statistics for this level.
	 * @return a snapshot
	 */
	public CacheStats stats() {
		return (this.cache != null) ? this.cache.stats() : CacheStats.empty();
	}

	/**
	 * The Caffeine cache, for metrics and tests.
	 * @return the native cache, {@code null} when disabled
	 */
	public @Nullable Cache<String, L1Entry> nativeCache() {
		return this.cache;
	}

	private void markInvalidated(String key) {
		long now = this.clock.incrementAndGet();
		int stripe = stripe(key);
		this.keyInvalidations.accumulateAndGet(stripe, now, Math::max);
	}

	/**
	 * Whether the key (or the whole cache) may have been invalidated after {@code stamp} was taken. Keys share
	 * stripes, so it can answer {@code true} for a key that was not invalidated, never the reverse.
	 * @param key canonical key
	 * @param stamp a {@link #stamp()}
	 * @return whether an invalidation may have happened since
	 */
	public boolean invalidatedSince(String key, long stamp) {
		return this.lastClear > stamp || this.keyInvalidations.get(stripe(key)) > stamp;
	}

	private static int stripe(String key) {
		int h = key.hashCode();
		return (h ^ (h >>> 16)) & (STRIPES - 1);
	}

	private L1Entry withDeadline(L1Entry entry) {
		long lifetime = lifetimeNanos(entry);
		long now = this.ticker.read();
		long deadline = (lifetime >= Long.MAX_VALUE - now) ? Long.MAX_VALUE : now + lifetime;
		return entry.withDeadline(deadline);
	}

	private long lifetimeNanos(L1Entry entry) {
		long lifetime = (this.settings.expireAfterWrite() != null) ? this.settings.expireAfterWrite().toNanos()
				: Long.MAX_VALUE;
		if (entry.storeValue() == NullValue.INSTANCE) {
			lifetime = Math.min(lifetime, this.nullTtl.toNanos());
		}
		if (entry.expiresAt() > 0) {
			long remainingMillis = Math.max(0, entry.expiresAt() - System.currentTimeMillis());
			lifetime = Math.min(lifetime, Duration.ofMillis(remainingMillis).toNanos());
		}
		return lifetime;
	}

	/**
	 * Expires each entry at its own deadline, or earlier after {@code expireAfterAccess} without reads.
	 */
	private static final class EntryExpiry implements Expiry<String, L1Entry> {

		private final long accessNanos;

		EntryExpiry(@Nullable Duration expireAfterAccess) {
			this.accessNanos = (expireAfterAccess != null) ? expireAfterAccess.toNanos() : Long.MAX_VALUE;
		}

		@Override
		public long expireAfterCreate(String key, L1Entry value, long currentTime) {
			return Math.min(this.accessNanos, remaining(value, currentTime));
		}

		@Override
		public long expireAfterUpdate(String key, L1Entry value, long currentTime, long currentDuration) {
			return expireAfterCreate(key, value, currentTime);
		}

		@Override
		public long expireAfterRead(String key, L1Entry value, long currentTime, long currentDuration) {
			return (this.accessNanos == Long.MAX_VALUE) ? currentDuration
					: Math.min(this.accessNanos, remaining(value, currentTime));
		}

		private static long remaining(L1Entry value, long currentTime) {
			return (value.deadlineNanos() == Long.MAX_VALUE) ? Long.MAX_VALUE
					: Math.max(0, value.deadlineNanos() - currentTime);
		}

	}

}
