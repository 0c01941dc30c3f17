package io.github.multilevelcache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.multilevelcache.InvalidationMode;
import io.github.multilevelcache.Percentage;
import io.github.multilevelcache.WriteStrategy;
import io.github.multilevelcache.invalidation.InvalidationTransport;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration properties of multilevel-cache ({@code multilevel-cache.*}). Every cache
 * gets {@link #getDefaults() defaults}; a cache listed under {@link #getCaches() caches}
 * overrides only the keys it sets.
 * <p>
 * Long because it is a tree of plain binding classes (getters and setters, each
 * documented for the IDE metadata); moving them to top-level types would rename them in
 * the generated metadata without making any of them simpler.
 */
@ConfigurationProperties(prefix = "multilevel-cache", ignoreUnknownFields = false)
public class MultiLevelCacheProperties {

	/**
	 * Whether to auto-configure the multi-level cache manager.
	 */
	private boolean enabled = true;

	/**
	 * Prefix of every Redis key (and pub/sub channel names stay as configured). Defaults
	 * to "${spring.application.name}:" or to no prefix when the application has no name.
	 */
	private @Nullable String keyPrefix;

	/**
	 * Whether caches not listed under 'caches' are created on first use with the
	 * defaults.
	 */
	private boolean dynamic = true;

	/**
	 * Whether put, evict and clear inside a Spring-managed transaction change the cache
	 * only after the commit (used when the application has a transaction manager).
	 */
	private boolean transactionAware = true;

	/**
	 * Settings of every cache, unless overridden under 'caches'.
	 */
	@NestedConfigurationProperty
	private CacheSpec defaults = new CacheSpec();

	/**
	 * Per-cache overrides of the defaults, by cache name. Listed caches are created at
	 * start-up.
	 */
	private Map<String, CacheSpec> caches = new LinkedHashMap<>();

	/**
	 * Serialization of values stored in Redis.
	 */
	@NestedConfigurationProperty
	private final Serialization serialization = new Serialization();

	/**
	 * Cross-instance invalidation of L1 over Redis pub/sub.
	 */
	@NestedConfigurationProperty
	private final Invalidation invalidation = new Invalidation();

	/**
	 * Protection against a failing or slow Redis.
	 */
	@NestedConfigurationProperty
	private final Resilience resilience = new Resilience();

	/**
	 * Warming of the caches that have a CacheWarmer bean, at start-up and on demand.
	 */
	@NestedConfigurationProperty
	private final Warming warming = new Warming();

	/**
	 * The dashboard page of the actuator endpoint.
	 */
	@NestedConfigurationProperty
	private final Dashboard dashboard = new Dashboard();

	/**
	 * Tag eviction (tags are declared per cache, under 'caches.<name>.tags').
	 */
	@NestedConfigurationProperty
	private final Tags tags = new Tags();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(@Nullable String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public boolean isDynamic() {
		return this.dynamic;
	}

	public void setDynamic(boolean dynamic) {
		this.dynamic = dynamic;
	}

	public boolean isTransactionAware() {
		return this.transactionAware;
	}

	public void setTransactionAware(boolean transactionAware) {
		this.transactionAware = transactionAware;
	}

	public CacheSpec getDefaults() {
		return this.defaults;
	}

	public void setDefaults(CacheSpec defaults) {
		this.defaults = defaults;
	}

	public Map<String, CacheSpec> getCaches() {
		return this.caches;
	}

	public void setCaches(Map<String, CacheSpec> caches) {
		this.caches = caches;
	}

	public Serialization getSerialization() {
		return this.serialization;
	}

	public Invalidation getInvalidation() {
		return this.invalidation;
	}

	public Resilience getResilience() {
		return this.resilience;
	}

	public Dashboard getDashboard() {
		return this.dashboard;
	}

	public Warming getWarming() {
		return this.warming;
	}

	public Tags getTags() {
		return this.tags;
	}

	/**
	 * Warming of the caches that have a {@code CacheWarmer} bean.
	 */
	public static class Warming {

		/**
		 * Whether caches with a CacheWarmer bean are warmed at start-up, before the
		 * application reports ready.
		 */
		private boolean enabled = true;

		/**
		 * Longest time start-up waits for warming; after it the instance starts anyway,
		 * with a warning.
		 */
		private Duration timeout = Duration.ofSeconds(60);

		/**
		 * Batches warmed at the same time, over all caches.
		 */
		private int concurrency = 4;

		/**
		 * Keys per batch: one MGET reads what Redis holds of them.
		 */
		private int batchSize = 100;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		public int getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(int batchSize) {
			this.batchSize = batchSize;
		}

	}

	/**
	 * Tag eviction.
	 */
	public static class Tags {

		/**
		 * Name of the cache whose @CacheEvict evicts a tag (the evict's key) instead of
		 * an entry, once any cache has tags. No real cache may have this name.
		 */
		private String evictionCache = "tags";

		public String getEvictionCache() {
			return this.evictionCache;
		}

		public void setEvictionCache(String evictionCache) {
			this.evictionCache = evictionCache;
		}

	}

	/**
	 * The dashboard page served at
	 * {@code <actuator base path>/multilevelcache/dashboard}.
	 */
	public static class Dashboard {

		/**
		 * Whether the {@code multilevelcache} endpoint also serves its dashboard page (it
		 * is then protected and exposed exactly like the endpoint).
		 */
		private boolean enabled;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Settings of one cache.
	 */
	public static class CacheSpec {

		/**
		 * How writes reach the application's store.
		 */
		private WriteStrategy strategy = WriteStrategy.CACHE_ASIDE;

		/**
		 * Prefix of this cache's keys, replacing 'multilevel-cache.key-prefix'.
		 */
		private @Nullable String keyPrefix;

		/**
		 * In-process (Caffeine) level.
		 */
		@NestedConfigurationProperty
		private L1 l1 = new L1();

		/**
		 * Redis level.
		 */
		@NestedConfigurationProperty
		private L2 l2 = new L2();

		/**
		 * Caching of null results.
		 */
		@NestedConfigurationProperty
		private NullValues nullValues = new NullValues();

		/**
		 * Stampede protection.
		 */
		@NestedConfigurationProperty
		private Stampede stampede = new Stampede();

		/**
		 * Refresh-ahead: reload entries in the background before they expire.
		 */
		@NestedConfigurationProperty
		private RefreshAhead refreshAhead = new RefreshAhead();

		/**
		 * Probabilistic early expiration (XFetch).
		 */
		@NestedConfigurationProperty
		private EarlyExpiration earlyExpiration = new EarlyExpiration();

		/**
		 * Per-cache invalidation settings.
		 */
		@NestedConfigurationProperty
		private CacheInvalidation invalidation = new CacheInvalidation();

		/**
		 * Write-behind queue (strategy write-behind).
		 */
		@NestedConfigurationProperty
		private WriteBehind writeBehind = new WriteBehind();

		/**
		 * Name of the CacheWriter bean that writes this cache's entries to the
		 * application's store (required by the write-through and write-behind
		 * strategies).
		 */
		private @Nullable String writer;

		/**
		 * Tags of this cache's entries, for MultiLevelCacheManager#evictTag: SpEL
		 * expressions over #key and #result (the value), each giving a tag, several (a
		 * collection) or none (null). Per cache only, not under 'defaults'.
		 */
		private List<String> tags = new ArrayList<>();

		public WriteStrategy getStrategy() {
			return this.strategy;
		}

		public void setStrategy(WriteStrategy strategy) {
			this.strategy = strategy;
		}

		public @Nullable String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(@Nullable String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public L1 getL1() {
			return this.l1;
		}

		public void setL1(L1 l1) {
			this.l1 = l1;
		}

		public L2 getL2() {
			return this.l2;
		}

		public void setL2(L2 l2) {
			this.l2 = l2;
		}

		public NullValues getNullValues() {
			return this.nullValues;
		}

		public void setNullValues(NullValues nullValues) {
			this.nullValues = nullValues;
		}

		public Stampede getStampede() {
			return this.stampede;
		}

		public void setStampede(Stampede stampede) {
			this.stampede = stampede;
		}

		public RefreshAhead getRefreshAhead() {
			return this.refreshAhead;
		}

		public void setRefreshAhead(RefreshAhead refreshAhead) {
			this.refreshAhead = refreshAhead;
		}

		public EarlyExpiration getEarlyExpiration() {
			return this.earlyExpiration;
		}

		public void setEarlyExpiration(EarlyExpiration earlyExpiration) {
			this.earlyExpiration = earlyExpiration;
		}

		public CacheInvalidation getInvalidation() {
			return this.invalidation;
		}

		public void setInvalidation(CacheInvalidation invalidation) {
			this.invalidation = invalidation;
		}

		public WriteBehind getWriteBehind() {
			return this.writeBehind;
		}

		public void setWriteBehind(WriteBehind writeBehind) {
			this.writeBehind = writeBehind;
		}

		public @Nullable String getWriter() {
			return this.writer;
		}

		public void setWriter(@Nullable String writer) {
			this.writer = writer;
		}

		public List<String> getTags() {
			return this.tags;
		}

		public void setTags(List<String> tags) {
			this.tags = tags;
		}

	}

	/**
	 * In-process (Caffeine) level settings.
	 */
	public static class L1 {

		/**
		 * Whether the in-process level is used.
		 */
		private boolean enabled = true;

		/**
		 * Maximum number of entries in the in-process level.
		 */
		private long maximumSize = 10_000;

		/**
		 * How long an entry stays in the in-process level after it was written. Bounds
		 * staleness when an invalidation message is lost; keep it shorter than the L2
		 * TTL.
		 */
		private @Nullable Duration expireAfterWrite = Duration.ofMinutes(5);

		/**
		 * How long an entry stays in the in-process level after its last read. Unset for
		 * no limit.
		 */
		private @Nullable Duration expireAfterAccess;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public long getMaximumSize() {
			return this.maximumSize;
		}

		public void setMaximumSize(long maximumSize) {
			this.maximumSize = maximumSize;
		}

		public @Nullable Duration getExpireAfterWrite() {
			return this.expireAfterWrite;
		}

		public void setExpireAfterWrite(@Nullable Duration expireAfterWrite) {
			this.expireAfterWrite = expireAfterWrite;
		}

		public @Nullable Duration getExpireAfterAccess() {
			return this.expireAfterAccess;
		}

		public void setExpireAfterAccess(@Nullable Duration expireAfterAccess) {
			this.expireAfterAccess = expireAfterAccess;
		}

	}

	/**
	 * Redis level settings.
	 */
	public static class L2 {

		/**
		 * Whether the Redis level is used.
		 */
		private boolean enabled = true;

		/**
		 * Time to live of entries in Redis. Unset for entries that never expire.
		 */
		private @Nullable Duration ttl = Duration.ofHours(1);

		/**
		 * Random spread applied to each write's TTL, as a percentage ("10%") or a
		 * fraction ("0.1"), from 0% to 100%, so keys written together do not expire
		 * together.
		 */
		private Percentage ttlJitter = Percentage.ofPercent(10);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(@Nullable Duration ttl) {
			this.ttl = ttl;
		}

		public Percentage getTtlJitter() {
			return this.ttlJitter;
		}

		public void setTtlJitter(Percentage ttlJitter) {
			this.ttlJitter = ttlJitter;
		}

	}

	/**
	 * Settings for cached null results.
	 */
	public static class NullValues {

		/**
		 * Whether null results are cached (as hits for null).
		 */
		private boolean enabled = true;

		/**
		 * Time to live of a cached null, in both levels.
		 */
		private Duration ttl = Duration.ofSeconds(60);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

	}

	/**
	 * Stampede protection settings.
	 */
	public static class Stampede {

		/**
		 * Whether concurrent misses on one key within this JVM wait for a single loader
		 * (@Cacheable(sync = true)).
		 */
		private boolean local = true;

		/**
		 * Whether a miss takes a lease (lock) in Redis so that only one instance runs the
		 * loader.
		 */
		private boolean distributed = true;

		/**
		 * How long a lease lasts unless its holder renews it (a watchdog renews it while
		 * the loader runs).
		 */
		private Duration lockLease = Duration.ofSeconds(30);

		/**
		 * How long other instances wait for the lease holder's value before loading
		 * themselves.
		 */
		private Duration waitTimeout = Duration.ofSeconds(5);

		public boolean isLocal() {
			return this.local;
		}

		public void setLocal(boolean local) {
			this.local = local;
		}

		public boolean isDistributed() {
			return this.distributed;
		}

		public void setDistributed(boolean distributed) {
			this.distributed = distributed;
		}

		public Duration getLockLease() {
			return this.lockLease;
		}

		public void setLockLease(Duration lockLease) {
			this.lockLease = lockLease;
		}

		public Duration getWaitTimeout() {
			return this.waitTimeout;
		}

		public void setWaitTimeout(Duration waitTimeout) {
			this.waitTimeout = waitTimeout;
		}

	}

	/**
	 * Serialization settings.
	 */
	public static class Serialization {

		/**
		 * Packages (or class names) whose types may be stored in and read from Redis, in
		 * addition to the application's auto-configuration packages and the JDK value
		 * types. A payload naming any other type is a miss and is never instantiated.
		 */
		private List<String> allowedTypes = new ArrayList<>();

		public List<String> getAllowedTypes() {
			return this.allowedTypes;
		}

		public void setAllowedTypes(List<String> allowedTypes) {
			this.allowedTypes = allowedTypes;
		}

	}

	/**
	 * Refresh-ahead settings.
	 */
	public static class RefreshAhead {

		/**
		 * A hit on an entry older than this fraction of its L2 TTL schedules one
		 * background reload, e.g. 0.8. 0 turns refresh-ahead off.
		 */
		private double ratio;

		public double getRatio() {
			return this.ratio;
		}

		public void setRatio(double ratio) {
			this.ratio = ratio;
		}

	}

	/**
	 * Probabilistic early expiration (XFetch) settings.
	 */
	public static class EarlyExpiration {

		/**
		 * XFetch beta: larger values recompute earlier; 1.0 is the paper's
		 * recommendation, 0 turns it off.
		 */
		private double beta;

		public double getBeta() {
			return this.beta;
		}

		public void setBeta(double beta) {
			this.beta = beta;
		}

	}

	/**
	 * Per-cache invalidation settings.
	 */
	public static class CacheInvalidation {

		/**
		 * Invalidation mode of this cache, overriding
		 * 'multilevel-cache.invalidation.mode'.
		 */
		private @Nullable InvalidationMode mode;

		public @Nullable InvalidationMode getMode() {
			return this.mode;
		}

		public void setMode(@Nullable InvalidationMode mode) {
			this.mode = mode;
		}

	}

	/**
	 * Write-behind queue settings.
	 */
	public static class WriteBehind {

		/**
		 * Flush as soon as this many keys wait.
		 */
		private int batchSize = 100;

		/**
		 * Flush at least this often.
		 */
		private Duration flushInterval = Duration.ofMillis(500);

		/**
		 * How often a failed batch is retried (with exponential backoff) before it goes
		 * to the dead-letter handler.
		 */
		private int maxRetries = 3;

		/**
		 * Delay before the first retry; doubled for each further retry.
		 */
		private Duration retryBackoff = Duration.ofMillis(200);

		/**
		 * Most keys waiting at once; a put into a full queue waits up to 'offer-timeout',
		 * then writes through.
		 */
		private int queueCapacity = 10_000;

		/**
		 * How long a put waits for room in a full queue before it writes through
		 * synchronously.
		 */
		private Duration offerTimeout = Duration.ofSeconds(1);

		/**
		 * Whether each accepted write is journaled in a Redis Stream before put returns,
		 * so a crash loses none.
		 */
		private boolean durable;

		public int getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(int batchSize) {
			this.batchSize = batchSize;
		}

		public Duration getFlushInterval() {
			return this.flushInterval;
		}

		public void setFlushInterval(Duration flushInterval) {
			this.flushInterval = flushInterval;
		}

		public int getMaxRetries() {
			return this.maxRetries;
		}

		public void setMaxRetries(int maxRetries) {
			this.maxRetries = maxRetries;
		}

		public Duration getRetryBackoff() {
			return this.retryBackoff;
		}

		public void setRetryBackoff(Duration retryBackoff) {
			this.retryBackoff = retryBackoff;
		}

		public int getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

		public Duration getOfferTimeout() {
			return this.offerTimeout;
		}

		public void setOfferTimeout(Duration offerTimeout) {
			this.offerTimeout = offerTimeout;
		}

		public boolean isDurable() {
			return this.durable;
		}

		public void setDurable(boolean durable) {
			this.durable = durable;
		}

	}

	/**
	 * Cross-instance invalidation settings.
	 */
	public static class Invalidation {

		/**
		 * Whether instances tell each other to drop changed keys from their in-process
		 * level.
		 */
		private boolean enabled = true;

		/**
		 * Redis pub/sub channel of invalidation messages; every instance sharing caches
		 * must use the same one.
		 */
		private String channel = "multilevel-cache:invalidation";

		/**
		 * How often each instance publishes a heartbeat carrying its message sequence
		 * numbers, so lost messages, Redis restarts and FLUSHALL are detected within this
		 * interval.
		 */
		private Duration heartbeatInterval = Duration.ofSeconds(1);

		/**
		 * Default invalidation mode: 'async' returns once the message is published,
		 * 'acknowledged' once every live peer confirmed (read-your-writes across
		 * instances).
		 */
		private InvalidationMode mode = InvalidationMode.ASYNC;

		/**
		 * How instances learn of changes: 'pub-sub' (each write of this starter publishes
		 * a message) or 'tracking' (Redis announces every change under the caches'
		 * prefixes, whoever made it; needs Redis 6+, RESP3 and CLIENT TRACKING).
		 */
		private InvalidationTransport transport = InvalidationTransport.PUB_SUB;

		/**
		 * How long an acknowledged write waits for its peers' confirmations.
		 */
		private Duration ackTimeout = Duration.ofMillis(500);

		/**
		 * A peer that sent no heartbeat for this long is no longer waited for, and is
		 * forgotten.
		 */
		private Duration peerTimeout = Duration.ofSeconds(5);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getChannel() {
			return this.channel;
		}

		public InvalidationTransport getTransport() {
			return this.transport;
		}

		public void setTransport(InvalidationTransport transport) {
			this.transport = transport;
		}

		public void setChannel(String channel) {
			this.channel = channel;
		}

		public Duration getHeartbeatInterval() {
			return this.heartbeatInterval;
		}

		public void setHeartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		public InvalidationMode getMode() {
			return this.mode;
		}

		public void setMode(InvalidationMode mode) {
			this.mode = mode;
		}

		public Duration getAckTimeout() {
			return this.ackTimeout;
		}

		public void setAckTimeout(Duration ackTimeout) {
			this.ackTimeout = ackTimeout;
		}

		public Duration getPeerTimeout() {
			return this.peerTimeout;
		}

		public void setPeerTimeout(Duration peerTimeout) {
			this.peerTimeout = peerTimeout;
		}

	}

	/**
	 * Settings of the protection around Redis.
	 */
	public static class Resilience {

		/**
		 * Longest wait for any one Redis operation of the cache, independent of
		 * spring.data.redis.timeout.
		 */
		private Duration l2Timeout = Duration.ofMillis(200);

		/**
		 * Failure rate over the recent calls at which the circuit breaker opens, e.g.
		 * "50%".
		 */
		private Percentage openAfterFailureRate = Percentage.ofPercent(50);

		/**
		 * Rate of calls slower than 'slow-call-duration' at which the circuit breaker
		 * opens, e.g. "100%".
		 */
		private Percentage openAfterSlowCallRate = Percentage.ofPercent(100);

		/**
		 * A Redis call slower than this counts as slow. Defaults to the l2-timeout.
		 */
		private @Nullable Duration slowCallDuration;

		/**
		 * How long the circuit breaker stays open (Redis untouched, L1 and loaders serve)
		 * before trial calls.
		 */
		private Duration stayOpen = Duration.ofSeconds(5);

		/**
		 * Number of recent calls the failure and slow-call rates are computed over.
		 */
		private int slidingWindowSize = 20;

		/**
		 * Calls needed before the rates are evaluated.
		 */
		private int minimumCalls = 10;

		/**
		 * Evictions remembered per cache during an outage and replayed on recovery;
		 * beyond it the whole cache is cleared on recovery.
		 */
		private int maxRememberedEvictions = 10_000;

		public Duration getL2Timeout() {
			return this.l2Timeout;
		}

		public void setL2Timeout(Duration l2Timeout) {
			this.l2Timeout = l2Timeout;
		}

		public Percentage getOpenAfterFailureRate() {
			return this.openAfterFailureRate;
		}

		public void setOpenAfterFailureRate(Percentage openAfterFailureRate) {
			this.openAfterFailureRate = openAfterFailureRate;
		}

		public Percentage getOpenAfterSlowCallRate() {
			return this.openAfterSlowCallRate;
		}

		public void setOpenAfterSlowCallRate(Percentage openAfterSlowCallRate) {
			this.openAfterSlowCallRate = openAfterSlowCallRate;
		}

		public @Nullable Duration getSlowCallDuration() {
			return this.slowCallDuration;
		}

		public void setSlowCallDuration(@Nullable Duration slowCallDuration) {
			this.slowCallDuration = slowCallDuration;
		}

		public Duration getStayOpen() {
			return this.stayOpen;
		}

		public void setStayOpen(Duration stayOpen) {
			this.stayOpen = stayOpen;
		}

		public int getSlidingWindowSize() {
			return this.slidingWindowSize;
		}

		public void setSlidingWindowSize(int slidingWindowSize) {
			this.slidingWindowSize = slidingWindowSize;
		}

		public int getMinimumCalls() {
			return this.minimumCalls;
		}

		public void setMinimumCalls(int minimumCalls) {
			this.minimumCalls = minimumCalls;
		}

		public int getMaxRememberedEvictions() {
			return this.maxRememberedEvictions;
		}

		public void setMaxRememberedEvictions(int maxRememberedEvictions) {
			this.maxRememberedEvictions = maxRememberedEvictions;
		}

	}

}
