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
import java.util.function.Consumer;
import java.util.function.BiFunction;
import java.util.function.DoubleSupplier;

import com.github.benmanes.caffeine.cache.Ticker;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.cache.CacheManager;
import org.springframework.core.convert.ConversionService;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.Assert;

import io.github.multilevelcache.invalidation.InvalidationPublisher;
import io.github.multilevelcache.l1.L1Cache;
import io.github.multilevelcache.l2.CacheValueSerializer;
import io.github.multilevelcache.l2.JacksonCacheValueSerializer;
import io.github.multilevelcache.l2.RedisL2;
import io.github.multilevelcache.resilience.CircuitBreakingRedisL2;
import io.github.multilevelcache.resilience.RememberedEvictions;
import io.github.multilevelcache.resilience.ResilienceSettings;
import io.github.multilevelcache.stampede.StampedeSupport;
import io.github.multilevelcache.write.CacheWriter;
import io.github.multilevelcache.write.DeadLetterHandler;
import io.github.multilevelcache.write.WriteStrategies;

/**
 * A {@link CacheManager} of {@link MultiLevelCache}s (Caffeine over Redis), in the mould of Spring's
 * {@code CaffeineCacheManager}: caches are created on first use with the default settings unless the
 * manager is static ({@link Builder#dynamic(boolean) dynamic(false)}), in which case only the configured
 * caches exist and {@link #getCache(String)} returns {@code null} for any other name. Thread-safe; each
 * cache is created once.
 */
public class MultiLevelCacheManager implements CacheManager, DisposableBean {

	private static final java.time.Duration RECOVERY_PROBE_INTERVAL = java.time.Duration.ofMillis(100);

	private final ConcurrentMap<String, MultiLevelCache> caches = new ConcurrentHashMap<>();

	private final CacheSettings defaults;

	private final Map<String, CacheSettings> configured;

	private final boolean dynamic;

	private final RedisL2 l2;

	private final CacheValueSerializer serializer;

	private final ConversionService conversionService;

	private final Ticker ticker;

	private final Clock clock;

	private final List<Consumer<MultiLevelCache>> cacheListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

	private volatile InvalidationPublisher publisher;

	private final StampedeSupport stampede;

	private final ResilienceSettings resilience;

	private final BiFunction<String, CacheSettings, @Nullable CacheWriter<?, ?>> writers;

	private final DeadLetterHandler deadLetters;

	private final @Nullable RedisConnectionFactory connectionFactory;

	protected MultiLevelCacheManager(Builder builder) {
		this.defaults = builder.defaults;
		this.configured = Collections.unmodifiableMap(new LinkedHashMap<>(builder.configured));
		this.dynamic = builder.dynamic;
		this.resilience = (builder.resilience != null) ? builder.resilience : ResilienceSettings.defaults();
		this.l2 = builder.createL2();
		if (this.l2 instanceof CircuitBreakingRedisL2 breaker) {
			breaker.onRecovery(() -> getCaches().forEach(MultiLevelCache::recover));
		}
		this.serializer = builder.serializer;
		this.conversionService = builder.conversionService;
		this.ticker = builder.ticker;
		this.clock = builder.clock;
		this.publisher = builder.publisher;
		this.stampede = new StampedeSupport(builder.random);
		this.writers = builder.writers;
		this.connectionFactory = builder.connectionFactory;
		this.deadLetters = builder.deadLetters;
		// evictions that could not reach Redis are replayed as soon as it answers again
		this.stampede.schedule(() -> getCaches().stream()
			.filter(MultiLevelCache::hasRememberedEvictions)
			.forEach(MultiLevelCache::recover), RECOVERY_PROBE_INTERVAL);
		this.configured.keySet().forEach(this::getCache);
	}

	/**
	 * Starts a builder over Boot's (or any) connection factory.
	 * @param connectionFactory the Redis connection factory, must not be {@code null}
	 * @return a new builder
	 */
	public static Builder builder(RedisConnectionFactory connectionFactory) {
		Assert.notNull(connectionFactory, "ConnectionFactory must not be null");
		return new Builder(null, connectionFactory);
	}

	/**
	 * Starts a builder over a custom {@link RedisL2}.
	 * @param l2 Redis access, must not be {@code null}
	 * @return a new builder
	 */
	public static Builder builder(RedisL2 l2) {
		Assert.notNull(l2, "RedisL2 must not be null");
		return new Builder(l2, null);
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
	 * Registers a callback run for every cache already created and every cache created later (used to bind
	 * metrics and invalidation to dynamic caches).
	 * @param listener the callback
	 */
	public void onCacheCreated(Consumer<MultiLevelCache> listener) {
		this.cacheListeners.add(listener);
		new ArrayList<>(this.caches.values()).forEach(listener);
	}

	/**
	 * Sets how caches tell other instances about changes; applies to caches created afterwards, so call it
	 * before first use (the auto-configuration does).
	 * @param publisher the publisher
	 */
	public void setInvalidationPublisher(InvalidationPublisher publisher) {
		this.publisher = publisher;
	}

	/**
	 * Clears every cache (both levels, cluster-wide) and forgets dynamically created ones.
	 */
	@Override
	public void resetCaches() {
		for (MultiLevelCache cache : getCaches()) {
			cache.clear();
			if (!this.configured.containsKey(cache.getName())) {
				this.caches.remove(cache.getName(), cache);
			}
		}
	}

	/**
	 * The Redis access shared by this manager's caches (a {@code CircuitBreakingRedisL2} when resilience is
	 * configured, as the auto-configuration does).
	 * @return the L2 access
	 */
	public RedisL2 getRedisL2() {
		return this.l2;
	}

	/**
	 * Lease, watchdog and refresh-ahead support shared by this manager's caches.
	 * @return the stampede support
	 */
	public StampedeSupport getStampedeSupport() {
		return this.stampede;
	}

	/**
	 * Stops the lease watchdog and the refresh-ahead executor.
	 */
	@Override
	public void destroy() {
		closeWriters();
		this.stampede.close();
	}

	/**
	 * Flushes every write-behind queue and stops its flusher (G9: nothing accepted before is lost). Called
	 * when the application context stops; safe to call more than once.
	 */
	public void closeWriters() {
		getCaches().forEach((cache) -> cache.getWriteStrategy().close());
	}

	/**
	 * Creates a cache; override to decorate caches.
	 * @param name the cache name
	 * @return the new cache
	 */
	protected MultiLevelCache createCache(String name) {
		CacheSettings settings = settingsFor(name);
		L1Cache l1 = new L1Cache(settings.l1(), settings.nullValues().ttl(), this.ticker);
		MultiLevelCache cache = new MultiLevelCache(name, settings, l1, this.l2, this.serializer,
				this.conversionService, new DeferredPublisher(), this.clock, this.stampede,
				new RememberedEvictions(this.resilience.maxRememberedEvictions()));
		CacheWriter<?, ?> writer = (settings.strategy() != WriteStrategy.CACHE_ASIDE) ? this.writers.apply(name, settings)
				: null;
		WriteStrategies.JournalSupport journal = (this.connectionFactory != null) ? new WriteStrategies.JournalSupport(
				this.connectionFactory, this.serializer, this.stampede.instanceId(), cache::l2WriteTime) : null;
		cache.setWriteStrategy(WriteStrategies.create(name, settings, writer, this.deadLetters,
				cache.getWriteBehindStatistics(), journal));
		this.cacheListeners.forEach((listener) -> listener.accept(cache));
		return cache;
	}

	/**
	 * Resolves the manager's current publisher at publication time, so the publisher can be set after caches
	 * exist.
	 */
	private final class DeferredPublisher implements InvalidationPublisher {

		@Override
		public void keysChanged(String cacheName, Operation operation, Collection<String> keys) {
			MultiLevelCacheManager.this.publisher.keysChanged(cacheName, operation, keys);
		}

		@Override
		public void cacheCleared(String cacheName) {
			MultiLevelCacheManager.this.publisher.cacheCleared(cacheName);
		}

	}

	/**
	 * Builds a {@link MultiLevelCacheManager}. Not thread-safe; the manager it builds is.
	 */
	public static final class Builder {

		private final @Nullable RedisL2 l2;

		private final @Nullable RedisConnectionFactory connectionFactory;

		private @Nullable ResilienceSettings resilience;

		private CacheSettings defaults = CacheSettings.defaults();

		private final Map<String, CacheSettings> configured = new LinkedHashMap<>();

		private boolean dynamic = true;

		private @Nullable CacheValueSerializer serializer;

		private ConversionService conversionService = CacheKeys.defaultConversionService();

		private InvalidationPublisher publisher = InvalidationPublisher.NONE;

		private Ticker ticker = Ticker.systemTicker();

		private Clock clock = Clock.systemUTC();

		private DoubleSupplier random = () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble();

		private BiFunction<String, CacheSettings, @Nullable CacheWriter<?, ?>> writers = (name, settings) -> null;

		private DeadLetterHandler deadLetters = WriteStrategies.loggingDeadLetterHandler();

		private Builder(@Nullable RedisL2 l2, @Nullable RedisConnectionFactory connectionFactory) {
			this.l2 = l2;
			this.connectionFactory = connectionFactory;
		}

		/**
		 * Protects every Redis call with a per-operation timeout and a circuit breaker (the auto-configuration
		 * always does; without it calls wait for the connection's own timeout).
		 * @param resilience the settings
		 * @return this builder
		 */
		public Builder resilience(ResilienceSettings resilience) {
			Assert.notNull(resilience, "ResilienceSettings must not be null");
			this.resilience = resilience;
			return this;
		}

		private RedisL2 createL2() {
			if (this.l2 != null) {
				return this.l2;
			}
			Assert.state(this.connectionFactory != null, "No connection factory");
			if (this.resilience == null) {
				return RedisL2.create(this.connectionFactory);
			}
			return new CircuitBreakingRedisL2(RedisL2.create(this.connectionFactory, this.resilience.l2Timeout()),
					this.resilience);
		}

		/**
		 * Settings for every cache not configured by name.
		 * @param defaults the settings
		 * @return this builder
		 */
		public Builder defaults(CacheSettings defaults) {
			Assert.notNull(defaults, "Defaults must not be null");
			this.defaults = defaults;
			return this;
		}

		/**
		 * Configures a cache by name; it is created when the manager is built.
		 * @param name the cache name
		 * @param settings its settings
		 * @return this builder
		 */
		public Builder withCache(String name, CacheSettings settings) {
			Assert.hasText(name, "Cache name must not be empty");
			Assert.notNull(settings, "Settings must not be null");
			this.configured.put(name, settings);
			return this;
		}

		/**
		 * Whether unknown cache names are created on first use (default {@code true}).
		 * @param dynamic the flag
		 * @return this builder
		 */
		public Builder dynamic(boolean dynamic) {
			this.dynamic = dynamic;
			return this;
		}

		/**
		 * The value serializer; defaults to a {@link JacksonCacheValueSerializer} allowing only JDK value types.
		 * @param serializer the serializer
		 * @return this builder
		 */
		public Builder serializer(CacheValueSerializer serializer) {
			Assert.notNull(serializer, "Serializer must not be null");
			this.serializer = serializer;
			return this;
		}

		/**
		 * Converts keys to strings; defaults to Spring's defaults plus {@code SimpleKey}.
		 * @param conversionService the conversion service
		 * @return this builder
		 */
		public Builder conversionService(ConversionService conversionService) {
			Assert.notNull(conversionService, "ConversionService must not be null");
			this.conversionService = conversionService;
			return this;
		}

		/**
		 * How caches tell other instances about changes; defaults to {@link InvalidationPublisher#NONE}.
		 * @param publisher the publisher
		 * @return this builder
		 */
		public Builder invalidationPublisher(InvalidationPublisher publisher) {
			Assert.notNull(publisher, "InvalidationPublisher must not be null");
			this.publisher = publisher;
			return this;
		}

		/**
		 * Time source of L1 expiry (tests pass a fake one).
		 * @param ticker the ticker
		 * @return this builder
		 */
		public Builder ticker(Ticker ticker) {
			Assert.notNull(ticker, "Ticker must not be null");
			this.ticker = ticker;
			return this;
		}

		/**
		 * Wall clock for write and expiry times stored with each value.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			Assert.notNull(clock, "Clock must not be null");
			this.clock = clock;
			return this;
		}

		/**
		 * Finds the {@link CacheWriter} of a write-through or write-behind cache (the auto-configuration looks
		 * up the bean named by {@code multilevel-cache.caches.<name>.writer}).
		 * @param writers cache name and settings → writer, or {@code null} when there is none
		 * @return this builder
		 */
		public Builder writers(BiFunction<String, CacheSettings, @Nullable CacheWriter<?, ?>> writers) {
			Assert.notNull(writers, "Writers must not be null");
			this.writers = writers;
			return this;
		}

		/**
		 * Where write-behind batches go after their last retry; defaults to logging them.
		 * @param deadLetters the handler
		 * @return this builder
		 */
		public Builder deadLetterHandler(DeadLetterHandler deadLetters) {
			Assert.notNull(deadLetters, "DeadLetterHandler must not be null");
			this.deadLetters = deadLetters;
			return this;
		}

		/**
		 * Source of uniform random numbers for probabilistic early expiration (tests pass a seeded one).
		 * @param random the source
		 * @return this builder
		 */
		public Builder random(DoubleSupplier random) {
			Assert.notNull(random, "Random must not be null");
			this.random = random;
			return this;
		}

		/**
		 * Builds the manager and creates every configured cache.
		 * @return the manager
		 */
		public MultiLevelCacheManager build() {
			if (this.serializer == null) {
				this.serializer = new JacksonCacheValueSerializer(Set.of());
			}
			return new MultiLevelCacheManager(this);
		}

	}

}
