package io.github.multilevelcache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.support.NullValue;

/**
 * The in-process level of one cache: a Caffeine cache keyed by the canonical key string.
 * The only class that stores into it (L1 is filled in one place).
 * <p>
 * Guarantees:
 * <ul>
 * <li>A value read from Redis or loaded is stored only if no invalidation of its key (or
 * of the whole level) happened after the reader took its {@link #stamp()}: {@link #fill}
 * is atomic with respect to {@link #invalidate}, so either the invalidation removes the
 * entry afterwards or the entry is not stored. Invalidations are remembered in a fixed
 * array of key stripes (no allocation, no growth); two keys sharing a stripe only cost a
 * skipped fill, never a stale one.</li>
 * <li>An entry is never served after the earliest of: L1 expire-after-write, the expiry
 * of the Redis entry it came from, the null-value TTL (cached {@code null}s), and, when
 * set, expire-after-access since its last read.</li>
 * <li>Nothing is stored while the {@link Coherence} gate is closed (before the instance
 * first subscribed to invalidations), so nothing stored then needs clearing later.</li>
 * </ul>
 */
final class LocalLevel {

	private static final int STRIPES = 4096;

	private final @Nullable Cache<String, LocalEntry> cache;

	private final long lifetimeNanos;

	private final long nullLifetimeNanos;

	private final Ticker ticker;

	private final LongSupplier wallClock;

	private final Coherence coherence;

	private final AtomicLong clock = new AtomicLong();

	private final AtomicLongArray keyInvalidations = new AtomicLongArray(STRIPES);

	private volatile long lastClear;

	private final LongAdder hits = new LongAdder();

	private final LongAdder misses = new LongAdder();

	private final LongAdder evictions = new LongAdder();

	LocalLevel(CacheSettings.L1 settings, Duration nullTtl, Ticker ticker, LongSupplier wallClock,
			Coherence coherence) {
		this.ticker = ticker;
		this.wallClock = wallClock;
		this.coherence = coherence;
		this.lifetimeNanos = (settings.expireAfterWrite() != null) ? settings.expireAfterWrite().toNanos()
				: Long.MAX_VALUE;
		this.nullLifetimeNanos = Math.min(this.lifetimeNanos, nullTtl.toNanos());
		if (settings.enabled()) {
			Caffeine<Object, Object> builder = Caffeine.newBuilder()
				.maximumSize(settings.maximumSize())
				.ticker(ticker)
				.executor(Runnable::run)
				.evictionListener((key, value, cause) -> this.evictions.increment());
			if (settings.expireAfterWrite() != null) {
				builder.expireAfterWrite(settings.expireAfterWrite());
			}
			if (settings.expireAfterAccess() != null) {
				builder.expireAfterAccess(settings.expireAfterAccess());
			}
			this.cache = builder.build();
		}
		else {
			this.cache = null;
		}
	}

	boolean enabled() {
		return this.cache != null;
	}

	/**
	 * The entry for a key, if present and still servable; counts a hit or a miss.
	 */
	@Nullable LocalEntry get(String key) {
		LocalEntry entry = (this.cache != null) ? this.cache.getIfPresent(key) : null;
		if (entry != null) {
			if (servable(entry)) {
				this.hits.increment();
				return entry;
			}
			this.cache.asMap().remove(key, entry);
		}
		this.misses.increment();
		return null;
	}

	/**
	 * The servable entry for a key, without counting anything or touching its access
	 * time.
	 */
	@Nullable LocalEntry peek(String key) {
		LocalEntry entry = (this.cache != null) ? this.cache.policy().getIfPresentQuietly(key) : null;
		return (entry != null && servable(entry)) ? entry : null;
	}

	/**
	 * Whether an entry is before its deadline; reads the ticker only for entries that
	 * have one, and stays small enough to be inlined into every hit.
	 */
	private boolean servable(LocalEntry entry) {
		return entry.deadlineNanos() == Long.MAX_VALUE || this.ticker.read() - entry.deadlineNanos() < 0;
	}

	/**
	 * The current invalidation time, to pass to {@link #fill}.
	 */
	long stamp() {
		return this.clock.get();
	}

	/**
	 * Stores an entry read from Redis or loaded, unless the key (or the whole level) was
	 * invalidated after {@code stamp} was taken.
	 * @return whether the entry was stored
	 */
	boolean fill(String key, LocalEntry entry, long stamp) {
		if (this.cache == null || !this.coherence.l1Usable() || invalidatedSince(key, stamp)) {
			return false;
		}
		LocalEntry timed = withDeadline(entry);
		if (timed == null) {
			return false;
		}
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
	 * Stores an entry this instance just wrote to Redis (a refresh's compare-and-set),
	 * unless the key (or the whole level) was invalidated after {@code stamp} was taken:
	 * a write of another instance that followed it in Redis wins. Readers holding older
	 * stamps will not overwrite it with what they read before.
	 * @return whether the entry was stored
	 */
	boolean putUnlessInvalidatedSince(String key, LocalEntry entry, long stamp) {
		if (this.cache == null) {
			return false;
		}
		LocalEntry timed = withDeadline(entry);
		boolean[] stored = { false };
		this.cache.asMap().compute(key, (k, existing) -> {
			if (invalidatedSince(k, stamp)) {
				return existing;
			}
			markInvalidated(k);
			if (timed == null || !this.coherence.l1Usable()) {
				return null;
			}
			stored[0] = true;
			return timed;
		});
		return stored[0];
	}

	/**
	 * Stores an entry unless one is present.
	 * @return the entry already present, or {@code null} when {@code entry} was stored
	 * (or L1 is off)
	 */
	@Nullable LocalEntry putIfAbsent(String key, LocalEntry entry) {
		LocalEntry timed = withDeadline(entry);
		if (this.cache == null || timed == null || !this.coherence.l1Usable()) {
			return null;
		}
		return this.cache.asMap().putIfAbsent(key, timed);
	}

	/**
	 * Drops a key and records the invalidation, so in-flight readers of older data do not
	 * put it back.
	 * @return whether an entry was removed
	 */
	boolean invalidate(String key) {
		markInvalidated(key);
		return this.cache != null && this.cache.asMap().remove(key) != null;
	}

	/**
	 * Drops every entry and records the invalidation.
	 * @return whether any entry was present
	 */
	boolean invalidateAll() {
		this.lastClear = this.clock.incrementAndGet();
		if (this.cache == null) {
			return false;
		}
		boolean present = !this.cache.asMap().isEmpty();
		this.cache.invalidateAll();
		return present;
	}

	/**
	 * Whether the key (or the whole level) may have been invalidated after {@code stamp}
	 * was taken. Keys share stripes, so it can answer {@code true} for a key that was not
	 * invalidated, never the reverse.
	 */
	boolean invalidatedSince(String key, long stamp) {
		return this.lastClear > stamp || this.keyInvalidations.get(stripe(key)) > stamp;
	}

	long estimatedSize() {
		return (this.cache != null) ? this.cache.estimatedSize() : 0;
	}

	long hits() {
		return this.hits.sum();
	}

	long misses() {
		return this.misses.sum();
	}

	long evictions() {
		return this.evictions.sum();
	}

	private void markInvalidated(String key) {
		long now = this.clock.incrementAndGet();
		this.keyInvalidations.accumulateAndGet(stripe(key), now, Math::max);
	}

	private static int stripe(String key) {
		int h = key.hashCode();
		return (h ^ (h >>> 16)) & (STRIPES - 1);
	}

	/**
	 * The entry with its own deadline when that is shorter than the level's lifetime, or
	 * {@code null} when the Redis entry it came from has already expired.
	 */
	private @Nullable LocalEntry withDeadline(LocalEntry entry) {
		long lifetime = (entry.storeValue() == NullValue.INSTANCE) ? this.nullLifetimeNanos : Long.MAX_VALUE;
		if (entry.expiresAt() > 0) {
			long remainingMillis = entry.expiresAt() - this.wallClock.getAsLong();
			if (remainingMillis <= 0) {
				return null;
			}
			lifetime = Math.min(lifetime,
					(remainingMillis >= Long.MAX_VALUE / 1_000_000) ? Long.MAX_VALUE : remainingMillis * 1_000_000);
		}
		if (lifetime >= this.lifetimeNanos) {
			return (entry.deadlineNanos() == Long.MAX_VALUE) ? entry : entry.withDeadline(Long.MAX_VALUE);
		}
		return entry.withDeadline(this.ticker.read() + lifetime);
	}

}
