package io.github.multilevelcache;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.multilevelcache.invalidation.InvalidationPublisher;
import io.github.multilevelcache.invalidation.InvalidationTargets;
import io.github.multilevelcache.serialization.CacheValueSerializer;
import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import io.github.multilevelcache.write.CacheWriter;
import io.github.multilevelcache.write.DeadLetterHandler;
import io.github.multilevelcache.write.WriteBehindStatistics;
import io.github.multilevelcache.write.WriteStrategies;
import io.github.multilevelcache.write.WriteStrategyHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.cache.CacheManager;
import org.springframework.core.convert.ConversionService;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.Assert;

/**
 * A {@link CacheManager} of {@link MultiLevelCache}s (Caffeine over Redis), in the mould
 * of Spring's {@code CaffeineCacheManager}: caches are created on first use with the
 * default settings unless the manager is static
 * ({@link MultiLevelCacheManagerBuilder#dynamic(boolean) dynamic(false)}), in which case
 * only the configured caches exist and {@link #getCache(String)} returns {@code null} for
 * any other name. Thread-safe; each cache is created once.
 * <p>
 * The manager owns what its caches share: one Redis level with its timeout and circuit
 * breaker, the repair of writes Redis missed (G11, run by {@code OutageRepair}: once
 * Redis answers again, every remembered key is deleted in Redis and evicted from every
 * L1, and after a breaker outage every L1 is cleared, before normal service resumes), the
 * L1s an invalidation bus acts on ({@code L1InvalidationTargets}), and the background
 * threads, which start on first use and stop with {@link #destroy()}.
 * <p>
 * About 420 lines: most of it is the assembly of a cache from its collaborators
 * ({@code createCache}) and the public operations of the whole manager (tag eviction,
 * outage state, listeners), each a few lines delegating to the class that owns it.
 */
public final class MultiLevelCacheManager implements CacheManager, SmartInitializingSingleton, DisposableBean {

	private final ConcurrentMap<String, MultiLevelCache> caches = new ConcurrentHashMap<>();

	private final CacheSettings defaults;

	private final Map<String, CacheSettings> configured;

	private final boolean dynamic;

	private final RedisLevel l2;

	private final L2Commands commands;

	private final CacheValueSerializer serializer;

	private final ConversionService conversionService;

	private final Ticker ticker;

	private final Clock clock;

	private final DoubleSupplier random;

	private final InvalidationPublisher publisher;

	private final CacheTasks tasks = new CacheTasks();

	private final Leases leases;

	private final Coherence coherence;

	private final Transactions transactions;

	private final ResilienceSettings resilience;

	private final BiFunction<String, CacheSettings, @Nullable CacheWriter<?, ?>> writers;

	private final DeadLetterHandler deadLetters;

	private final @Nullable RedisConnectionFactory connectionFactory;

	private final String instanceId;

	private final Set<String> refusedTypes = ValueCodec.refusedTypesRegistry();

	private final List<Consumer<MultiLevelCache>> cacheListeners = new CopyOnWriteArrayList<>();

	private final InvalidationTargets targets;

	private final OutageRepair repair;

	private final TagEvictions tags;

	private final @Nullable TagEvictionCache tagEvictionCache;

	MultiLevelCacheManager(MultiLevelCacheManagerBuilder builder, L2Commands commands) {
		this.defaults = builder.defaults;
		this.configured = Collections.unmodifiableMap(new LinkedHashMap<>(builder.configured));
		this.dynamic = builder.dynamic;
		this.resilience = (builder.resilience != null) ? builder.resilience : ResilienceSettings.defaults();
		this.serializer = (builder.serializer != null) ? builder.serializer : new JacksonCacheValueSerializer(Set.of());
		this.conversionService = builder.conversionService;
		this.ticker = builder.ticker;
		this.clock = builder.clock;
		this.random = builder.random;
		this.publisher = builder.publisher;
		this.writers = builder.writers;
		this.deadLetters = builder.deadLetters;
		this.connectionFactory = builder.connectionFactory;
		this.instanceId = builder.instanceId;
		this.leases = new Leases(this.instanceId, this.tasks);
		this.coherence = (this.publisher != InvalidationPublisher.NONE) ? Coherence.awaitingSubscription()
				: Coherence.standalone();
		this.transactions = new Transactions(builder.transactionAware);
		Availability availability = (builder.resilience != null) ? new CircuitBreakerAvailability(this.resilience,
				this.tasks::execute, this::recoverAfterOutage, this.ticker) : Availability.always();
		this.l2 = new RedisLevel(commands, availability, this.resilience.l2Timeout());
		this.commands = commands;
		this.repair = new OutageRepair(this.l2, this.publisher, this.tasks, this::getCaches);
		this.targets = new L1InvalidationTargets(this.caches, this.coherence);
		this.tags = new TagEvictions(builder.tagResolvers,
				new TagIndex(this.defaults.keyPrefix(), this.l2, this.publisher), this.transactions, this::getCache,
				this::getCaches, this.tasks, availability);
		this.tagEvictionCache = builder.tagResolvers.isEmpty() ? null
				: new TagEvictionCache(builder.tagEvictionCacheName, this);
	}

	/**
	 * Starts a builder over Boot's Lettuce connection factory.
	 * @param connectionFactory the Redis connection factory, must be a
	 * {@link LettuceConnectionFactory}
	 * @return a new builder
	 * @throws IllegalArgumentException when the factory is not Lettuce's
	 */
	public static MultiLevelCacheManagerBuilder builder(RedisConnectionFactory connectionFactory) {
		Assert.notNull(connectionFactory, "ConnectionFactory must not be null");
		Assert.isInstanceOf(LettuceConnectionFactory.class, connectionFactory,
				"multilevel-cache needs Lettuce (Spring Boot's default Redis client; set "
						+ "'spring.data.redis.client-type=lettuce'), not ");
		LettuceConnectionFactory lettuce = (LettuceConnectionFactory) connectionFactory;
		return new MultiLevelCacheManagerBuilder((timeout) -> new LettuceL2Commands(lettuce, timeout),
				connectionFactory);
	}

	/**
	 * Starts a builder over another implementation of the Redis commands (tests use an
	 * in-memory one).
	 */
	static MultiLevelCacheManagerBuilder builder(L2Commands commands) {
		return new MultiLevelCacheManagerBuilder((timeout) -> commands, null);
	}

	@Override
	public @Nullable MultiLevelCache getCache(String name) {
		MultiLevelCache cache = this.caches.get(name);
		if (cache != null || (!this.dynamic && !this.configured.containsKey(name))) {
			return cache;
		}
		return this.caches.computeIfAbsent(name, this::createCache);
	}

	@Override
	public Collection<String> getCacheNames() {
		return Collections.unmodifiableSet(this.caches.keySet());
	}

	/**
	 * The caches created so far, without creating any.
	 * @return a snapshot
	 */
	public Collection<MultiLevelCache> getCaches() {
		return List.copyOf(this.caches.values());
	}

	/**
	 * Returns a cache only if it was already created.
	 * @param name the cache name
	 * @return the cache or {@code null}
	 */
	public @Nullable MultiLevelCache getExistingCache(String name) {
		return this.caches.get(name);
	}

	/**
	 * Whether unknown cache names are created on first use.
	 * @return {@code true} for a dynamic manager
	 */
	public boolean isDynamic() {
		return this.dynamic;
	}

	/**
	 * The settings for caches that are not configured by name.
	 * @return the default settings
	 */
	public CacheSettings getDefaults() {
		return this.defaults;
	}

	/**
	 * The effective settings a cache of this name has, or would have once created.
	 * @param name the cache name
	 * @return its settings
	 */
	public CacheSettings settingsFor(String name) {
		return this.configured.getOrDefault(name, this.defaults);
	}

	/**
	 * The id of this instance: it prefixes the tokens of its leases, names its
	 * write-behind journals, and is the sender id of its invalidation messages.
	 * @return the instance id
	 */
	public String getInstanceId() {
		return this.instanceId;
	}

	/**
	 * Whether calls reach Redis now (the circuit breaker is closed or half open and no
	 * recovery runs).
	 * @return {@code false} while the cache runs degraded on L1 and loaders
	 */
	public boolean isRedisAvailable() {
		return this.l2.availability().isAvailable();
	}

	/**
	 * The state of the circuit breaker in front of Redis.
	 * @return {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN} or {@code RECOVERING}
	 */
	public String getRedisState() {
		return this.l2.availability().state();
	}

	/**
	 * Redis calls refused without touching Redis (breaker open or recovery running) since
	 * start-up.
	 * @return the count
	 */
	public long getRefusedRedisCalls() {
		return this.l2.availability().refusedCalls();
	}

	/**
	 * Whether the caches' L1s hold entries now: not before the invalidation subscription
	 * is first up (an L1 could otherwise miss an invalidation), nor while it is down.
	 * @return {@code true} when L1 is in use
	 */
	public boolean isL1InUse() {
		return this.coherence.l1Usable();
	}

	/**
	 * How long the current Redis outage has lasted: from the moment the circuit breaker
	 * opened until the repair after it finished (half-open trial calls included).
	 * @return milliseconds, 0 when no outage is under way
	 */
	public long getRedisUnavailableMillis() {
		return this.l2.availability().unavailableMillis();
	}

	/**
	 * Evicts every entry recorded under a tag (see {@link CacheTagResolver}), in every
	 * cache and on every instance: each is deleted in Redis and dropped from every L1, as
	 * an evict of its key would. An entry written concurrently with the eviction is
	 * either evicted by it or by its writer. Inside a transaction of a transaction-aware
	 * manager the eviction runs after the commit. Redis failing does not throw: this
	 * instance's L1 of every tagged cache is cleared, and the eviction is replayed once
	 * Redis answers again.
	 * @param tag the tag
	 * @return the entries evicted; 0 when deferred to the commit; -1 when Redis could not
	 * be reached
	 */
	public long evictTag(String tag) {
		Assert.hasLength(tag, "Tag must not be empty");
		return this.tags.evict(tag);
	}

	/**
	 * The cache that maps {@code @CacheEvict} to {@link #evictTag(String)}: an evict of
	 * key {@code k} from the cache of this name evicts tag {@code k}. The
	 * {@link FillAwareCacheResolver} returns it for a {@code @CacheEvict} of this cache
	 * name alone; it is not one of {@link #getCacheNames()}.
	 * @return the tag eviction cache, {@code null} when no cache is tagged
	 */
	public @Nullable TagEvictionCache getTagEvictionCache() {
		return this.tagEvictionCache;
	}

	/**
	 * Registers a callback run for every cache already created and every cache created
	 * later (used to bind metrics to dynamic caches).
	 * @param listener the callback
	 */
	public void onCacheCreated(Consumer<MultiLevelCache> listener) {
		this.cacheListeners.add(listener);
		new ArrayList<>(this.caches.values()).forEach(listener);
	}

	/**
	 * What an invalidation bus acts on: the L1s of this manager's caches and their
	 * coherence gate.
	 * @return the targets
	 */
	public InvalidationTargets invalidationTargets() {
		return this.targets;
	}

	/**
	 * Clears every cache (both levels, cluster-wide) and forgets dynamically created
	 * ones.
	 */
	public void resetCaches() {
		for (MultiLevelCache cache : getCaches()) {
			cache.clear();
			if (!this.configured.containsKey(cache.getName())) {
				this.caches.remove(cache.getName(), cache);
			}
		}
	}

	/**
	 * Connects to Redis and loads the cache's scripts before the application takes
	 * traffic, waiting at most two seconds (nothing fails when Redis is down: the first
	 * calls then run degraded).
	 */
	@Override
	public void afterSingletonsInstantiated() {
		try {
			this.commands.warmUp().get(2, java.util.concurrent.TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
			// best effort
		}
	}

	/**
	 * Flushes every write-behind queue and stops background work; the caches keep working
	 * without their background threads.
	 */
	@Override
	public void destroy() {
		closeWriters();
		this.tasks.close();
	}

	/**
	 * Flushes every write-behind queue and stops its flusher (G9: nothing accepted before
	 * is lost). Called when the application context stops; safe to call more than once.
	 */
	public void closeWriters() {
		getCaches().forEach((cache) -> cache.getWriteStrategy().close());
	}

	private MultiLevelCache createCache(String name) {
		CacheSettings settings = settingsFor(name);
		LocalLevel l1 = new LocalLevel(settings.l1(), settings.nullValues().ttl(), this.ticker, this.clock::millis,
				this.coherence);
		CacheKeys keys = new CacheKeys(settings.keyPrefix(), name, this.conversionService,
				settings.l1().enabled() ? settings.l1().maximumSize() : 0);
		CacheStatistics statistics = new CacheStatistics(l1);
		ErrorLog errors = new ErrorLog(name, statistics);
		ValueCodec codec = new ValueCodec(name, settings, this.serializer, this.clock, statistics, this.refusedTypes);
		LeaseWait leaseWait = new LeaseWait(settings.stampede(), this.l2, codec, statistics, errors);
		GuardedStore store = new GuardedStore(settings.l2(), l1, this.l2, codec, statistics, errors);
		LoaderCall loaderCall = new LoaderCall(settings.nullValues().enabled(), statistics);
		SingleFlight singleFlight = new SingleFlight();
		LoadPath loads = new LoadPath(settings, l1, this.l2, codec, statistics, this.leases, leaseWait, store,
				loaderCall, singleFlight, errors, this.transactions);
		RetrievePath retrieves = new RetrievePath(settings, l1, this.l2, codec, statistics, this.leases, leaseWait,
				store, loaderCall, singleFlight, errors);
		Outage outage = new Outage(this.resilience.maxRememberedEvictions());
		WriteBehindStatistics writeBehindStatistics = new WriteBehindStatistics();
		WriteStrategyHandler strategy = writeStrategy(name, settings, writeBehindStatistics,
				(key) -> loads.l2WriteTime(keys.canonical(key)));
		WritePath writes = new WritePath(name, settings, keys, l1, this.l2, codec, this.publisher, outage, statistics,
				errors, this.transactions, strategy);
		Freshness freshness = new Freshness(settings, l1, this.l2, codec, loaderCall, statistics, this.leases,
				this.tasks, errors, this.random, this.clock);
		MultiLevelCache cache = new MultiLevelCache(name, settings, keys, l1, statistics, loads, retrieves, writes,
				freshness, outage, writeBehindStatistics, this.tags.forCache(name, settings));
		strategy.start();
		this.repair.startProbing();
		this.cacheListeners.forEach((listener) -> listener.accept(cache));
		return cache;
	}

	private WriteStrategyHandler writeStrategy(String name, CacheSettings settings, WriteBehindStatistics statistics,
			java.util.function.ToLongFunction<Object> cachedWriteTime) {
		if (settings.strategy() == WriteStrategy.CACHE_ASIDE) {
			return WriteStrategyHandler.CACHE_ASIDE;
		}
		CacheWriter<?, ?> writer = this.writers.apply(name, settings);
		WriteStrategies.JournalSupport journal = (this.connectionFactory != null)
				? new WriteStrategies.JournalSupport(this.connectionFactory, this.serializer, this.instanceId,
						cachedWriteTime, this.resilience.l2Timeout(), this.l2.availability()::isAvailable)
				: null;
		return WriteStrategies.create(name, settings, writer, this.deadLetters, statistics, journal);
	}

	/**
	 * The breaker's recovery run, once Redis answers again after an outage.
	 * @return whether every remembered write was repaired
	 */
	private boolean recoverAfterOutage() {
		boolean repaired = this.repair.afterOutage();
		return this.tags.replayPending() && repaired;
	}

}
