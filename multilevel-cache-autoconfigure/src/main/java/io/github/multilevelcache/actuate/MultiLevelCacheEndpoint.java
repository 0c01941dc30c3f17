package io.github.multilevelcache.actuate;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import io.github.multilevelcache.CacheSettings;
import io.github.multilevelcache.CacheStatistics;
import io.github.multilevelcache.MultiLevelCache;
import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.WriteStrategy;
import io.github.multilevelcache.invalidation.InvalidationStatistics;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import io.github.multilevelcache.warming.CacheWarming;
import io.github.multilevelcache.write.WriteBehindStatistics;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/multilevelcache}: every cache with its effective settings, hit rate
 * per level and counters, this instance's id, its peers and the state of Redis;
 * {@code DELETE} clears one cache, or all, on every instance (the clear is published like
 * any other); {@code POST} flushes every write-behind queue, {@code POST} of one cache
 * warms it with its {@code CacheWarmer}. Exposed over HTTP only when the application
 * exposes it.
 * <p>
 * The JSON is typed: counts and sizes are numbers, durations are numbers of milliseconds
 * in fields ending in {@code Millis}, an unset duration or a rate with nothing to rate is
 * {@code null} (which the actuator's JSON leaves out). Over HTTP an unknown cache name
 * answers 404 ({@link MultiLevelCacheEndpointWebExtension}).
 */
@Endpoint(id = "multilevelcache")
public class MultiLevelCacheEndpoint {

	static final String TAGS = "tags";

	private final MultiLevelCacheManager manager;

	private final @Nullable RedisInvalidationBus bus;

	private final @Nullable CacheWarming warming;

	public MultiLevelCacheEndpoint(MultiLevelCacheManager manager, @Nullable RedisInvalidationBus bus) {
		this(manager, bus, null);
	}

	/**
	 * Creates the endpoint.
	 * @param manager the manager
	 * @param bus the invalidation bus, {@code null} without one
	 * @param warming the warming of the caches with a {@code CacheWarmer}, {@code null}
	 * for none
	 */
	public MultiLevelCacheEndpoint(MultiLevelCacheManager manager, @Nullable RedisInvalidationBus bus,
			@Nullable CacheWarming warming) {
		this.manager = manager;
		this.bus = bus;
		this.warming = warming;
	}

	@ReadOperation
	public CachesDescriptor caches() {
		Map<String, CacheDescriptor> caches = new TreeMap<>();
		this.manager.getCaches().forEach((cache) -> caches.put(cache.getName(), describe(cache)));
		Map<String, PeerDescriptor> peers = new TreeMap<>();
		if (this.bus != null) {
			this.bus.peers()
				.forEach((id, peer) -> peers.put(id.toString(),
						new PeerDescriptor(new TreeMap<>(peer.sequences()), peer.sinceHeard().toMillis())));
		}
		return new CachesDescriptor(this.manager.getInstanceId(), this.bus != null && this.bus.isSubscribed(),
				this.manager.getRedisState(), this.manager.isRedisAvailable(), this.manager.getRedisUnavailableMillis(),
				describeInvalidation(), peers, caches);
	}

	private @Nullable InvalidationDescriptor describeInvalidation() {
		if (this.bus == null) {
			return null;
		}
		InvalidationStatistics statistics = this.bus.statistics();
		return new InvalidationDescriptor(statistics.sent(), statistics.publishFailures(), statistics.received(),
				statistics.gaps(), statistics.malformed(), statistics.resubscriptions(), statistics.epochChanges(),
				statistics.acksReceived(), statistics.ackTimeouts());
	}

	@ReadOperation
	public @Nullable CacheDescriptor cache(@Selector String cache) {
		MultiLevelCache found = this.manager.getExistingCache(cache);
		return (found != null) ? describe(found) : null;
	}

	@DeleteOperation
	public void clearCaches() {
		this.manager.getCaches().forEach(MultiLevelCache::clear);
	}

	/**
	 * Clears one cache on every instance.
	 * @param cache the cache's name
	 * @return whether a cache of that name exists here
	 */
	@DeleteOperation
	public boolean clearCache(@Selector String cache) {
		MultiLevelCache found = this.manager.getExistingCache(cache);
		if (found == null) {
			return false;
		}
		found.clear();
		return true;
	}

	/**
	 * Hands every queued write-behind write to its writer now and waits until the queues
	 * are empty.
	 * @return the number of write-behind caches flushed
	 */
	@WriteOperation
	public int flushWriteBehind() {
		int flushed = 0;
		for (MultiLevelCache cache : this.manager.getCaches()) {
			if (cache.getSettings().strategy() == WriteStrategy.WRITE_BEHIND) {
				cache.getWriteStrategy().flush();
				flushed++;
			}
		}
		return flushed;
	}

	/**
	 * Warms one cache now with its {@code CacheWarmer} (what Redis holds in one
	 * {@code MGET} per batch, the warmer's loader under the lease for the rest), waiting
	 * at most {@code multilevel-cache.warming.timeout}.
	 * @param cache the cache's name
	 * @return what was warmed, {@code null} when the cache has no warmer
	 */
	@WriteOperation
	public CacheWarming.@Nullable Result warmCache(@Selector String cache) {
		return (this.warming != null) ? this.warming.warm(cache) : null;
	}

	/**
	 * Evicts a tag ({@code DELETE .../multilevelcache/tags/{tag}}): every entry recorded
	 * under it, in every cache and on every instance.
	 * @param scope must be {@code tags}
	 * @param tag the tag
	 * @return how many entries were evicted ({@code -1}: Redis could not be reached, the
	 * eviction is replayed once it is back); {@code null} for another scope
	 */
	@DeleteOperation
	public @Nullable TagEvictionDescriptor evictTag(@Selector String scope, @Selector String tag) {
		if (!TAGS.equals(scope)) {
			return null;
		}
		return new TagEvictionDescriptor(tag, this.manager.evictTag(tag));
	}

	private static CacheDescriptor describe(MultiLevelCache cache) {
		CacheStatistics statistics = cache.getStatistics();
		CountsDescriptor counts = new CountsDescriptor(statistics.l1Hits(), statistics.l1Misses(), statistics.l1Size(),
				statistics.l1Evictions(), statistics.l2Hits(), statistics.l2Misses(), statistics.loads(),
				statistics.loadFailures(), statistics.puts(), statistics.fills(), statistics.fillsLost(),
				statistics.evictions(), statistics.lockWaits(), statistics.lockWaitTimeouts(),
				statistics.corruptValues(), statistics.unstorableValues(), statistics.l2Errors(),
				statistics.rememberedWrites());
		WriteBehindDescriptor writeBehind = null;
		if (cache.getSettings().strategy() == WriteStrategy.WRITE_BEHIND) {
			WriteBehindStatistics queue = cache.getWriteBehindStatistics();
			writeBehind = new WriteBehindDescriptor(queue.queueSize(), queue.accepted(), queue.coalesced(),
					queue.flushed(), queue.retries(), queue.deadLettered(), queue.writtenThrough());
		}
		return new CacheDescriptor(SettingsDescriptor.of(cache.getSettings()),
				rate(statistics.l1Hits(), statistics.l1Misses()), rate(statistics.l2Hits(), statistics.l2Misses()),
				counts, new LoadTimesDescriptor(CacheStatistics.loadTimeBoundsMicros(), statistics.loadTimeCounts()),
				writeBehind);
	}

	private static @Nullable Double rate(long hits, long misses) {
		long total = hits + misses;
		return (total > 0) ? (double) hits / total : null;
	}

	private static @Nullable Long millis(@Nullable Duration duration) {
		return (duration != null) ? duration.toMillis() : null;
	}

	/**
	 * Every cache of this instance.
	 *
	 * @param instanceId this instance's id (on the invalidation channel, in leases and
	 * journals)
	 * @param subscribed whether the invalidation subscription is up
	 * @param l2 state of the circuit breaker in front of Redis ({@code CLOSED},
	 * {@code OPEN}, {@code HALF_OPEN}, ...)
	 * @param l2Available whether calls to Redis are made at all
	 * @param l2UnavailableMillis how long calls have been kept from Redis, 0 while it is
	 * available
	 * @param invalidation this instance's invalidation traffic, {@code null} without an
	 * invalidation bus
	 * @param peers other instances heard recently, by id
	 * @param caches the caches by name
	 */
	public record CachesDescriptor(String instanceId, boolean subscribed, String l2, boolean l2Available,
			long l2UnavailableMillis, @Nullable InvalidationDescriptor invalidation, Map<String, PeerDescriptor> peers,
			Map<String, CacheDescriptor> caches) implements OperationResponseBody {
	}

	/**
	 * Invalidation traffic of this instance since start-up.
	 *
	 * @param sent messages published
	 * @param publishFailures messages that could not be published
	 * @param received messages received from peers (or from Redis, under tracking)
	 * @param gaps sequence gaps detected (each clears the L1 of its cache)
	 * @param malformed messages ignored as unreadable
	 * @param resubscriptions subscriptions re-established
	 * @param epochChanges Redis restarts or flushes detected
	 * @param acksReceived acknowledgements received (acknowledged mode)
	 * @param ackTimeouts writes that stopped waiting for a peer's acknowledgement
	 */
	public record InvalidationDescriptor(long sent, long publishFailures, long received, long gaps, long malformed,
			long resubscriptions, long epochChanges, long acksReceived, long ackTimeouts) {
	}

	/**
	 * One cache.
	 *
	 * @param settings effective settings
	 * @param l1HitRate share of L1 lookups that hit, {@code null} before any
	 * @param l2HitRate share of Redis lookups that hit, {@code null} before any
	 * @param counts counters since start-up
	 * @param loadTimes loader call durations since start-up
	 * @param writeBehind the write-behind queue, {@code null} for other strategies
	 */
	public record CacheDescriptor(SettingsDescriptor settings, @Nullable Double l1HitRate, @Nullable Double l2HitRate,
			CountsDescriptor counts, LoadTimesDescriptor loadTimes,
			@Nullable WriteBehindDescriptor writeBehind) implements OperationResponseBody {
	}

	/**
	 * Loader call durations as a histogram whose counts only grow: the difference of two
	 * readings is the distribution of the loads between them.
	 *
	 * @param boundsMicros upper bound of each bucket in microseconds (the last bucket
	 * also counts anything longer)
	 * @param counts loads per bucket since start-up
	 */
	public record LoadTimesDescriptor(long[] boundsMicros, long[] counts) {
	}

	/**
	 * A write-behind queue.
	 *
	 * @param queued writes waiting for their writer now
	 * @param accepted writes accepted since start-up
	 * @param coalesced writes replaced by a later write of the same key before they were
	 * written
	 * @param flushed writes handed to the writer
	 * @param retries batch retries
	 * @param deadLettered writes given to the dead-letter handler
	 * @param writtenThrough writes made synchronously because the queue was full or
	 * closed
	 */
	public record WriteBehindDescriptor(int queued, long accepted, long coalesced, long flushed, long retries,
			long deadLettered, long writtenThrough) {
	}

	/**
	 * A cache's effective settings.
	 *
	 * @param keyPrefix prefix of its keys
	 * @param strategy {@code CACHE_ASIDE}, {@code WRITE_THROUGH} or {@code WRITE_BEHIND}
	 * @param writer name of its {@code CacheWriter} bean, {@code null} for none
	 * @param invalidationMode {@code ASYNC} or {@code ACKNOWLEDGED}
	 * @param l1 the in-process level
	 * @param l2 the Redis level
	 * @param nullValues cached {@code null}s
	 * @param stampede stampede protection
	 * @param refreshAheadRatio refresh-ahead ratio, 0 when off
	 * @param earlyExpirationBeta XFetch beta, 0 when off
	 */
	public record SettingsDescriptor(String keyPrefix, String strategy, @Nullable String writer,
			String invalidationMode, L1Descriptor l1, L2Descriptor l2, NullValuesDescriptor nullValues,
			StampedeDescriptor stampede, double refreshAheadRatio, double earlyExpirationBeta) {

		static SettingsDescriptor of(CacheSettings settings) {
			CacheSettings.L1 l1 = settings.l1();
			CacheSettings.L2 l2 = settings.l2();
			CacheSettings.Stampede stampede = settings.stampede();
			return new SettingsDescriptor(settings.keyPrefix(), settings.strategy().name(), settings.writer(),
					settings.invalidationMode().name(),
					new L1Descriptor(l1.enabled(), l1.maximumSize(), millis(l1.expireAfterWrite()),
							millis(l1.expireAfterAccess())),
					new L2Descriptor(l2.enabled(), millis(l2.ttl()), l2.ttlJitter().fraction()),
					new NullValuesDescriptor(settings.nullValues().enabled(), settings.nullValues().ttl().toMillis()),
					new StampedeDescriptor(stampede.local(), stampede.distributed(), stampede.lockLease().toMillis(),
							stampede.waitTimeout().toMillis()),
					settings.freshness().refreshAheadRatio(), settings.freshness().earlyExpirationBeta());
		}

	}

	/**
	 * The in-process level's settings.
	 *
	 * @param enabled whether it is used
	 * @param maximumSize most entries
	 * @param expireAfterWriteMillis lifetime after a write, {@code null} for none
	 * @param expireAfterAccessMillis lifetime after the last read, {@code null} for none
	 */
	public record L1Descriptor(boolean enabled, long maximumSize, @Nullable Long expireAfterWriteMillis,
			@Nullable Long expireAfterAccessMillis) {
	}

	/**
	 * The Redis level's settings.
	 *
	 * @param enabled whether it is used
	 * @param ttlMillis time to live, {@code null} for no expiry
	 * @param ttlJitter jitter as a fraction (0.1 for 10 %)
	 */
	public record L2Descriptor(boolean enabled, @Nullable Long ttlMillis, double ttlJitter) {
	}

	/**
	 * Cached {@code null}s.
	 *
	 * @param enabled whether {@code null} results are cached
	 * @param ttlMillis their time to live in both levels
	 */
	public record NullValuesDescriptor(boolean enabled, long ttlMillis) {
	}

	/**
	 * Stampede protection.
	 *
	 * @param local one loader per key in the JVM
	 * @param distributed a lease in Redis so one instance loads
	 * @param lockLeaseMillis lease duration
	 * @param waitTimeoutMillis how long other instances wait for the holder
	 */
	public record StampedeDescriptor(boolean local, boolean distributed, long lockLeaseMillis, long waitTimeoutMillis) {
	}

	/**
	 * A cache's counters since start-up (see {@link CacheStatistics} for each).
	 *
	 * @param l1Hits L1 hits
	 * @param l1Misses L1 misses
	 * @param l1Size entries in L1 now
	 * @param l1Evictions entries L1 evicted for size or expiry
	 * @param l2Hits Redis hits
	 * @param l2Misses Redis misses
	 * @param loads loader calls
	 * @param loadFailures loader calls that threw
	 * @param puts values stored in Redis
	 * @param fills plain misses whose value was stored
	 * @param fillsLost plain misses whose value lost to a concurrent write
	 * @param evictions evictions
	 * @param lockWaits waits for another instance's lease
	 * @param lockWaitTimeouts waits that gave up
	 * @param corruptValues undecodable values met in Redis
	 * @param unstorableValues values kept in L1 only (type outside the allow-list)
	 * @param l2Errors failed Redis calls
	 * @param rememberedWrites writes remembered for repair after Redis missed them
	 */
	public record CountsDescriptor(long l1Hits, long l1Misses, long l1Size, long l1Evictions, long l2Hits,
			long l2Misses, long loads, long loadFailures, long puts, long fills, long fillsLost, long evictions,
			long lockWaits, long lockWaitTimeouts, long corruptValues, long unstorableValues, long l2Errors,
			long rememberedWrites) {
	}

	/**
	 * A peer.
	 *
	 * @param sequences last sequence number received per cache
	 * @param millisSinceHeard time since its last message or heartbeat
	 */
	public record PeerDescriptor(Map<String, Long> sequences, long millisSinceHeard) {
	}

	/**
	 * The result of a tag eviction.
	 *
	 * @param tag the tag
	 * @param evicted entries evicted; {@code -1} when Redis could not be reached (the
	 * eviction is replayed once it is back); 0 inside a transaction (it runs after the
	 * commit)
	 */
	public record TagEvictionDescriptor(String tag, long evicted) {
	}

}
