package io.github.multilevelcache.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import io.github.multilevelcache.CacheSettings;
import io.github.multilevelcache.CacheStatistics;
import io.github.multilevelcache.MultiLevelCache;
import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/multilevelcache}: every cache with its effective settings and hit rate
 * per level, this instance's id, its peers and the state of Redis; {@code DELETE} clears
 * one cache, or all, on every instance (the clear is published like any other). Exposed
 * over HTTP only when the application exposes it.
 */
@Endpoint(id = "multilevelcache")
public class MultiLevelCacheEndpoint {

	private final MultiLevelCacheManager manager;

	private final @Nullable RedisInvalidationBus bus;

	public MultiLevelCacheEndpoint(MultiLevelCacheManager manager, @Nullable RedisInvalidationBus bus) {
		this.manager = manager;
		this.bus = bus;
	}

	@ReadOperation
	public CachesDescriptor caches() {
		Map<String, CacheDescriptor> caches = new TreeMap<>();
		this.manager.getCaches().forEach((cache) -> caches.put(cache.getName(), describe(cache)));
		Map<String, PeerDescriptor> peers = new LinkedHashMap<>();
		if (this.bus != null) {
			this.bus.peers()
				.forEach((id, peer) -> peers.put(id.toString(),
						new PeerDescriptor(peer.sequences(), peer.sinceHeard().toMillis())));
		}
		String l2 = this.manager.getRedisState();
		return new CachesDescriptor((this.bus != null) ? this.bus.instanceId().toString() : null,
				this.bus != null && this.bus.isSubscribed(), l2, peers, caches);
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
			if (cache.getSettings().strategy() == io.github.multilevelcache.WriteStrategy.WRITE_BEHIND) {
				cache.getWriteStrategy().flush();
				flushed++;
			}
		}
		return flushed;
	}

	private static CacheDescriptor describe(MultiLevelCache cache) {
		CacheStatistics statistics = cache.getStatistics();
		long l1Hits = statistics.l1Hits();
		long l1Misses = statistics.l1Misses();
		long l2Hits = statistics.l2Hits();
		long l2Misses = statistics.l2Misses();
		Map<String, Object> counts = new LinkedHashMap<>();
		counts.put("l1Hits", l1Hits);
		counts.put("l1Misses", l1Misses);
		counts.put("l1Size", statistics.l1Size());
		counts.put("l2Hits", l2Hits);
		counts.put("l2Misses", l2Misses);
		counts.put("loads", statistics.loads());
		counts.put("loadFailures", statistics.loadFailures());
		counts.put("puts", statistics.puts());
		counts.put("evictions", statistics.evictions());
		counts.put("lockWaits", statistics.lockWaits());
		counts.put("corruptValues", statistics.corruptValues());
		counts.put("l2Errors", statistics.l2Errors());
		return new CacheDescriptor(settings(cache.getSettings()), rate(l1Hits, l1Misses), rate(l2Hits, l2Misses),
				counts);
	}

	private static @Nullable Double rate(long hits, long misses) {
		long total = hits + misses;
		return (total > 0) ? (double) hits / total : null;
	}

	private static Map<String, Object> settings(CacheSettings settings) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("keyPrefix", settings.keyPrefix());
		map.put("strategy", settings.strategy().name());
		map.put("l1",
				Map.of("enabled", settings.l1().enabled(), "maximumSize", settings.l1().maximumSize(),
						"expireAfterWrite", String.valueOf(settings.l1().expireAfterWrite()), "expireAfterAccess",
						String.valueOf(settings.l1().expireAfterAccess())));
		map.put("l2", Map.of("enabled", settings.l2().enabled(), "ttl", String.valueOf(settings.l2().ttl()),
				"ttlJitter", settings.l2().ttlJitter()));
		map.put("nullValues",
				Map.of("enabled", settings.nullValues().enabled(), "ttl", settings.nullValues().ttl().toString()));
		map.put("stampede",
				Map.of("local", settings.stampede().local(), "distributed", settings.stampede().distributed(),
						"lockLease", settings.stampede().lockLease().toString(), "waitTimeout",
						settings.stampede().waitTimeout().toString()));
		map.put("refreshAheadRatio", settings.freshness().refreshAheadRatio());
		map.put("earlyExpirationBeta", settings.freshness().earlyExpirationBeta());
		map.put("invalidationMode", settings.invalidationMode().name());
		return map;
	}

	/**
	 * Every cache of this instance.
	 *
	 * @param instanceId this instance's id on the invalidation channel
	 * @param subscribed whether the invalidation subscription is up
	 * @param l2 state of the circuit breaker in front of Redis
	 * @param peers other instances heard recently
	 * @param caches the caches by name
	 */
	public record CachesDescriptor(@Nullable String instanceId, boolean subscribed, String l2,
			Map<String, PeerDescriptor> peers, Map<String, CacheDescriptor> caches) implements OperationResponseBody {
	}

	/**
	 * One cache.
	 *
	 * @param settings effective settings
	 * @param l1HitRate share of L1 lookups that hit, {@code null} before any
	 * @param l2HitRate share of Redis lookups that hit, {@code null} before any
	 * @param counts counters
	 */
	public record CacheDescriptor(Map<String, Object> settings, @Nullable Double l1HitRate, @Nullable Double l2HitRate,
			Map<String, Object> counts) implements OperationResponseBody {
	}

	/**
	 * A peer.
	 *
	 * @param sequences last sequence number received per cache
	 * @param millisSinceHeard time since its last message or heartbeat
	 */
	public record PeerDescriptor(Map<String, Long> sequences, long millisSinceHeard) {
	}

}
