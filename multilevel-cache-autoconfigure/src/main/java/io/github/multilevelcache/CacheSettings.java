package io.github.multilevelcache;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import static io.github.multilevelcache.InvalidCacheSettingException.require;
import static io.github.multilevelcache.InvalidCacheSettingException.requirePositive;
import static io.github.multilevelcache.InvalidCacheSettingException.requireSet;

/**
 * Immutable, validated settings of one {@link MultiLevelCache}. Instances are created
 * with {@link #defaults()} and adjusted with the {@code with…} methods, each of which
 * returns a copy; they are safe to share between caches and threads.
 * <p>
 * Defaults:
 * <dl>
 * <dt>key prefix</dt>
 * <dd>empty: keys are {@code cacheName + "::" + key}</dd>
 * <dt>strategy</dt>
 * <dd>{@link WriteStrategy#CACHE_ASIDE}</dd>
 * <dt>L1</dt>
 * <dd>enabled, at most 10,000 entries, expire 5 minutes after write, no
 * expire-after-access</dd>
 * <dt>L2</dt>
 * <dd>enabled, time to live 1 hour, jitter 10 %</dd>
 * <dt>null values</dt>
 * <dd>cached, with a time to live of 60 seconds</dd>
 * </dl>
 *
 * @param keyPrefix prefix of every Redis key and L1 key, never {@code null}
 * @param strategy how writes reach the application's store
 * @param l1 in-process level
 * @param l2 Redis level
 * @param nullValues whether and how long {@code null} results are cached
 * @param stampede stampede protection
 * @param freshness refresh-ahead and probabilistic early expiration
 * @param invalidationMode how writers wait for other instances to drop changed keys
 * @param writeBehind write-behind queue settings (used with
 * {@link WriteStrategy#WRITE_BEHIND})
 * @param writer name of the {@code CacheWriter} bean for write-through and write-behind,
 * {@code null} for none
 */
public record CacheSettings(String keyPrefix, WriteStrategy strategy, L1 l1, L2 l2, NullValues nullValues,
		Stampede stampede, Freshness freshness, InvalidationMode invalidationMode, WriteBehind writeBehind,
		@Nullable String writer) {

	private static final CacheSettings DEFAULTS = new CacheSettings("", WriteStrategy.CACHE_ASIDE,
			new L1(true, 10_000, Duration.ofMinutes(5), null),
			new L2(true, Duration.ofHours(1), Percentage.ofPercent(10)), new NullValues(true, Duration.ofSeconds(60)),
			new Stampede(true, true, Duration.ofSeconds(30), Duration.ofSeconds(5)), new Freshness(0, 0),
			InvalidationMode.ASYNC, new WriteBehind(100, Duration.ofMillis(500), 3, Duration.ofMillis(200), 10_000,
					Duration.ofSeconds(1), false),
			null);

	/**
	 * Validates every component.
	 * @throws InvalidCacheSettingException naming the setting when a value is missing or
	 * out of range
	 */
	public CacheSettings {
		requireSet(keyPrefix, "key-prefix");
		requireSet(strategy, "strategy");
		requireSet(l1, "l1");
		requireSet(l2, "l2");
		requireSet(nullValues, "null-values");
		requireSet(stampede, "stampede");
		requireSet(freshness, "freshness");
		requireSet(invalidationMode, "invalidation.mode");
		requireSet(writeBehind, "write-behind");
	}

	/**
	 * The documented defaults.
	 * @return the default settings
	 */
	public static CacheSettings defaults() {
		return DEFAULTS;
	}

	public CacheSettings withKeyPrefix(String keyPrefix) {
		return new CacheSettings(keyPrefix, this.strategy, this.l1, this.l2, this.nullValues, this.stampede,
				this.freshness, this.invalidationMode, this.writeBehind, this.writer);
	}

	public CacheSettings withStrategy(WriteStrategy strategy) {
		return new CacheSettings(this.keyPrefix, strategy, this.l1, this.l2, this.nullValues, this.stampede,
				this.freshness, this.invalidationMode, this.writeBehind, this.writer);
	}

	public CacheSettings withL1(L1 l1) {
		return new CacheSettings(this.keyPrefix, this.strategy, l1, this.l2, this.nullValues, this.stampede,
				this.freshness, this.invalidationMode, this.writeBehind, this.writer);
	}

	public CacheSettings withL2(L2 l2) {
		return new CacheSettings(this.keyPrefix, this.strategy, this.l1, l2, this.nullValues, this.stampede,
				this.freshness, this.invalidationMode, this.writeBehind, this.writer);
	}

	public CacheSettings withNullValues(NullValues nullValues) {
		return new CacheSettings(this.keyPrefix, this.strategy, this.l1, this.l2, nullValues, this.stampede,
				this.freshness, this.invalidationMode, this.writeBehind, this.writer);
	}

	public CacheSettings withStampede(Stampede stampede) {
		return new CacheSettings(this.keyPrefix, this.strategy, this.l1, this.l2, this.nullValues, stampede,
				this.freshness, this.invalidationMode, this.writeBehind, this.writer);
	}

	public CacheSettings withFreshness(Freshness freshness) {
		return new CacheSettings(this.keyPrefix, this.strategy, this.l1, this.l2, this.nullValues, this.stampede,
				freshness, this.invalidationMode, this.writeBehind, this.writer);
	}

	public CacheSettings withInvalidationMode(InvalidationMode invalidationMode) {
		return new CacheSettings(this.keyPrefix, this.strategy, this.l1, this.l2, this.nullValues, this.stampede,
				this.freshness, invalidationMode, this.writeBehind, this.writer);
	}

	public CacheSettings withWriteBehind(WriteBehind writeBehind) {
		return new CacheSettings(this.keyPrefix, this.strategy, this.l1, this.l2, this.nullValues, this.stampede,
				this.freshness, this.invalidationMode, writeBehind, this.writer);
	}

	public CacheSettings withWriter(@Nullable String writer) {
		return new CacheSettings(this.keyPrefix, this.strategy, this.l1, this.l2, this.nullValues, this.stampede,
				this.freshness, this.invalidationMode, this.writeBehind, writer);
	}

	/**
	 * Settings of the in-process Caffeine level.
	 *
	 * @param enabled whether L1 is used at all
	 * @param maximumSize maximum number of entries, at least 0
	 * @param expireAfterWrite lifetime of an entry after it was written, positive;
	 * {@code null} for none
	 * @param expireAfterAccess lifetime of an entry after its last read, positive;
	 * {@code null} for none
	 */
	public record L1(boolean enabled, long maximumSize, @Nullable Duration expireAfterWrite,
			@Nullable Duration expireAfterAccess) {

		/**
		 * @throws InvalidCacheSettingException when a value is out of range
		 */
		public L1 {
			require(maximumSize >= 0, "l1.maximum-size", maximumSize, "must be 0 or more");
			requirePositive(expireAfterWrite, "l1.expire-after-write");
			requirePositive(expireAfterAccess, "l1.expire-after-access");
		}

	}

	/**
	 * Settings of the Redis level.
	 *
	 * @param enabled whether L2 is used at all
	 * @param ttl time to live of an entry in Redis, positive; {@code null} for entries
	 * that never expire
	 * @param ttlJitter random spread applied to each write's TTL ({@code 10%} = ±10 %)
	 */
	public record L2(boolean enabled, @Nullable Duration ttl, Percentage ttlJitter) {

		/**
		 * @throws InvalidCacheSettingException when a value is out of range
		 */
		public L2 {
			requirePositive(ttl, "l2.ttl");
			requireSet(ttlJitter, "l2.ttl-jitter");
		}

	}

	/**
	 * Settings for cached {@code null} results.
	 *
	 * @param enabled whether {@code null} is cached (as a hit for {@code null}); when
	 * {@code false}, {@code put(key, null)} is rejected as Spring's own caches do
	 * @param ttl time to live of a cached {@code null} in both levels, positive
	 */
	public record NullValues(boolean enabled, Duration ttl) {

		/**
		 * @throws InvalidCacheSettingException when a value is out of range
		 */
		public NullValues {
			requireSet(ttl, "null-values.ttl");
			requirePositive(ttl, "null-values.ttl");
		}

	}

	/**
	 * Stampede protection settings.
	 *
	 * @param local whether concurrent misses on one key in this JVM wait for a single
	 * loader ({@code get(key, loader)}, i.e. {@code @Cacheable(sync = true)})
	 * @param distributed whether a {@code get(key, loader)} miss waits for another
	 * instance that holds the key's lease (loading it) instead of loading too; every miss
	 * takes a lease or a fill guard either way, which is what keeps a value loaded before
	 * a concurrent write from being stored after it
	 * @param lockLease how long a lease or fill guard lasts unless its holder renews it,
	 * positive; a fill that comes later is not stored
	 * @param waitTimeout how long other instances wait for the lease holder's value
	 * before loading themselves, positive
	 */
	public record Stampede(boolean local, boolean distributed, Duration lockLease, Duration waitTimeout) {

		/**
		 * @throws InvalidCacheSettingException when a value is out of range
		 */
		public Stampede {
			requireSet(lockLease, "stampede.lock-lease");
			requireSet(waitTimeout, "stampede.wait-timeout");
			requirePositive(lockLease, "stampede.lock-lease");
			requirePositive(waitTimeout, "stampede.wait-timeout");
		}

	}

	/**
	 * Freshness settings.
	 *
	 * @param refreshAheadRatio a hit on an entry older than this fraction of its TTL
	 * schedules a reload; 0 turns refresh-ahead off, otherwise greater than 0 and less
	 * than 1
	 * @param earlyExpirationBeta XFetch β: readers recompute early with probability
	 * growing towards expiry; 0 turns it off, otherwise positive
	 */
	public record Freshness(double refreshAheadRatio, double earlyExpirationBeta) {

		/**
		 * @throws InvalidCacheSettingException when a value is out of range
		 */
		public Freshness {
			require(refreshAheadRatio >= 0 && refreshAheadRatio < 1, "refresh-ahead.ratio", refreshAheadRatio,
					"must be from 0 (off) to below 1, e.g. 0.8 to reload entries older than 80% of their TTL");
			require(earlyExpirationBeta >= 0 && !Double.isInfinite(earlyExpirationBeta)
					&& !Double.isNaN(earlyExpirationBeta), "early-expiration.beta", earlyExpirationBeta,
					"must be 0 (off) or more, e.g. 1.0");
		}

	}

	/**
	 * Write-behind queue settings.
	 *
	 * @param batchSize flush as soon as this many keys wait, at least 1
	 * @param flushInterval flush at least this often, positive
	 * @param maxRetries how often a failed batch is retried before it goes to the
	 * dead-letter handler, 0 or more
	 * @param retryBackoff first retry delay, doubled for each further retry, positive
	 * @param queueCapacity most keys waiting at once, at least 1
	 * @param offerTimeout how long a put waits for room in a full queue before writing
	 * through, positive
	 * @param durable whether each accepted write is journaled in a Redis Stream before
	 * put returns
	 */
	public record WriteBehind(int batchSize, Duration flushInterval, int maxRetries, Duration retryBackoff,
			int queueCapacity, Duration offerTimeout, boolean durable) {

		/**
		 * @throws InvalidCacheSettingException when a value is out of range
		 */
		public WriteBehind {
			require(batchSize >= 1, "write-behind.batch-size", batchSize, "must be at least 1");
			require(maxRetries >= 0, "write-behind.max-retries", maxRetries, "must be 0 or more");
			require(queueCapacity >= 1, "write-behind.queue-capacity", queueCapacity, "must be at least 1");
			requireSet(flushInterval, "write-behind.flush-interval");
			requireSet(retryBackoff, "write-behind.retry-backoff");
			requireSet(offerTimeout, "write-behind.offer-timeout");
			requirePositive(flushInterval, "write-behind.flush-interval");
			requirePositive(retryBackoff, "write-behind.retry-backoff");
			requirePositive(offerTimeout, "write-behind.offer-timeout");
		}

	}

}
