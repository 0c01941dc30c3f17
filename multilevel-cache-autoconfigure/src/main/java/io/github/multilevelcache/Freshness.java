package io.github.multilevelcache;

import java.time.Clock;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.DoubleSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Reloads hot entries of one cache before they expire, on hits of
 * {@code get(key, loader)}:
 * <ul>
 * <li>refresh-ahead: a hit on an entry older than {@code ratio × TTL} schedules one
 * background reload on the manager's bounded refresh pool (callers keep getting the
 * current value; a full pool skips it);</li>
 * <li>early expiration (XFetch, Vattani et al., PVLDB 2015): a reader recomputes now with
 * a probability that grows towards expiry, {@code now − δ·β·ln(rand) ≥ expiry}, δ being
 * the last load's duration.</li>
 * </ul>
 * One instance at a time refreshes a key (a short marker next to it), and the new value
 * replaces the entry only if Redis still holds the very write it replaces, so a refresh
 * never overwrites a newer put nor resurrects an evicted key. A refresh publishes
 * nothing: the other instances' copies expire with the entry they came from. A failed
 * reload keeps the current value. Off (no clock read on a hit) when both are 0.
 */
final class Freshness {

	private static final Log logger = LogFactory.getLog(Freshness.class);

	/**
	 * The largest {@code −ln(rand)} a draw can give ({@code rand} is at least
	 * {@link Double#MIN_VALUE}): an entry further from expiry than {@code δ·β} times this
	 * cannot be recomputed early, so its hits skip the draw.
	 */
	private static final double MAX_LOG_FACTOR = -Math.log(Double.MIN_VALUE);

	private final CacheSettings settings;

	private final LocalLevel l1;

	private final RedisLevel l2;

	private final ValueCodec codec;

	private final LoaderCall loaderCall;

	private final CacheStatistics statistics;

	private final Leases leases;

	private final CacheTasks tasks;

	private final ErrorLog errors;

	private final DoubleSupplier random;

	private final Clock clock;

	private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

	private final boolean enabled;

	Freshness(CacheSettings settings, LocalLevel l1, RedisLevel l2, ValueCodec codec, LoaderCall loaderCall,
			CacheStatistics statistics, Leases leases, CacheTasks tasks, ErrorLog errors, DoubleSupplier random,
			Clock clock) {
		this.settings = settings;
		this.l1 = l1;
		this.l2 = l2;
		this.codec = codec;
		this.loaderCall = loaderCall;
		this.statistics = statistics;
		this.leases = leases;
		this.tasks = tasks;
		this.errors = errors;
		this.random = random;
		this.clock = clock;
		CacheSettings.Freshness freshness = settings.freshness();
		this.enabled = settings.l2().enabled()
				&& (freshness.refreshAheadRatio() > 0 || freshness.earlyExpirationBeta() > 0);
	}

	/**
	 * On a hit of {@code get(key, loader)}.
	 * @return the store value to return: the current one, or the one recomputed early
	 */
	Object onHit(Object key, String canonical, LocalEntry entry, Callable<?> loader) {
		if (!this.enabled || entry.expiresAt() <= 0) {
			return entry.storeValue();
		}
		// kept apart so that the check above stays small enough to be inlined into
		// every hit
		return check(key, canonical, entry, loader);
	}

	private Object check(Object key, String canonical, LocalEntry entry, Callable<?> loader) {
		CacheSettings.Freshness freshness = this.settings.freshness();
		long now = this.clock.millis();
		// δ·β: 0 when β is off or the load time is unknown (both are never negative)
		double scale = entry.loadMillis() * freshness.earlyExpirationBeta();
		if (scale > 0 && entry.expiresAt() - now <= scale * MAX_LOG_FACTOR) {
			double gap = -scale * Math.log(uniform());
			if (now + gap >= entry.expiresAt()) {
				this.statistics.countEarlyRecompute();
				Object recomputed = refresh(key, canonical, entry, loader);
				if (recomputed != null) {
					return recomputed;
				}
			}
		}
		double ratio = freshness.refreshAheadRatio();
		long lifetime = entry.expiresAt() - entry.writtenAt();
		if (ratio > 0 && lifetime > 0 && now - entry.writtenAt() >= ratio * lifetime) {
			scheduleRefresh(key, canonical, entry, loader);
		}
		return entry.storeValue();
	}

	private double uniform() {
		double value = this.random.getAsDouble();
		return (value <= 0) ? Double.MIN_VALUE : Math.min(1, value);
	}

	private void scheduleRefresh(Object key, String canonical, LocalEntry entry, Callable<?> loader) {
		if (!this.refreshing.add(canonical)) {
			return;
		}
		try {
			this.tasks.refreshes().execute(() -> {
				try {
					refresh(key, canonical, entry, loader);
				}
				finally {
					this.refreshing.remove(canonical);
				}
			});
			this.statistics.countRefreshScheduled();
		}
		catch (RejectedExecutionException ex) {
			this.refreshing.remove(canonical);
			this.statistics.countRefreshRejected();
		}
	}

	/**
	 * Reloads an entry that is still cached.
	 * @return the new store value, or {@code null} when this caller did not refresh
	 */
	private @Nullable Object refresh(Object key, String canonical, LocalEntry current, Callable<?> loader) {
		byte[] redisKey = LoadPath.bytes(canonical);
		byte[] marker = LoadPath.bytes(canonical + "~refresh");
		byte[] token = this.leases.newMarker();
		// an invalidation after this point means a newer write (or a clear) may follow
		// the refresh in Redis: then L1 must not take the refreshed value
		long stamp = this.l1.stamp();
		long leaseMillis = this.settings.stampede().lockLease().toMillis();
		try {
			if (!this.l2.await(this.l2.call((redis) -> redis.setMarker(marker, token, leaseMillis)))) {
				return null;
			}
		}
		catch (L2Failure ex) {
			this.errors.failed("refresh lock", ex);
			return null;
		}
		try {
			byte[] identity = this.codec.identity(current);
			byte[] stored = this.l2.await(this.l2.call((redis) -> redis.get(redisKey)));
			if (stored == null || stored.length < identity.length
					|| !Arrays.equals(stored, 0, identity.length, identity, 0, identity.length)) {
				// someone refreshed, wrote or evicted it meanwhile: nothing to do
				return null;
			}
			LoaderCall.Loaded loaded;
			try {
				loaded = this.loaderCall.call(key, loader);
			}
			catch (RuntimeException ex) {
				this.statistics.countRefreshFailed();
				logger.debug("Refresh of '" + canonical + "' failed; keeping the current value", ex);
				return null;
			}
			if (loaded == null) {
				return null;
			}
			ValueCodec.Encoded encoded = this.codec.encode(loaded.storeValue(), loaded.millis());
			byte[] bytes = encoded.bytes();
			if (bytes != null && this.l2.await(
					this.l2.call((redis) -> redis.replaceIfPrefix(redisKey, identity, bytes, encoded.ttlMillis())))) {
				this.statistics.countRefreshed();
				this.l1.putUnlessInvalidatedSince(canonical, encoded.entry(), stamp);
			}
			return loaded.storeValue();
		}
		catch (L2Failure ex) {
			this.errors.failed("refresh", ex);
			return null;
		}
		finally {
			this.l2.call((redis) -> redis.deleteIfEquals(marker, token));
		}
	}

}
