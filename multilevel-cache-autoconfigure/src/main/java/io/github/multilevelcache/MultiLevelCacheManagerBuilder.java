package io.github.multilevelcache;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.multilevelcache.invalidation.InvalidationPublisher;
import io.github.multilevelcache.serialization.CacheValueSerializer;
import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import io.github.multilevelcache.write.CacheWriter;
import io.github.multilevelcache.write.DeadLetterHandler;
import io.github.multilevelcache.write.MissingCacheWriterException;
import io.github.multilevelcache.write.WriteStrategies;
import org.jspecify.annotations.Nullable;

import org.springframework.core.convert.ConversionService;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.Assert;

/**
 * Builds a {@link MultiLevelCacheManager}: started by
 * {@link MultiLevelCacheManager#builder(RedisConnectionFactory)}. Not thread-safe; the
 * manager it builds is.
 */
public final class MultiLevelCacheManagerBuilder {

	final Function<Duration, L2Commands> commands;

	final @Nullable RedisConnectionFactory connectionFactory;

	@Nullable ResilienceSettings resilience;

	CacheSettings defaults = CacheSettings.defaults();

	final Map<String, CacheSettings> configured = new LinkedHashMap<>();

	boolean dynamic = true;

	@Nullable CacheValueSerializer serializer;

	ConversionService conversionService = CacheKeys.defaultConversionService();

	InvalidationPublisher publisher = InvalidationPublisher.NONE;

	Ticker ticker = Ticker.systemTicker();

	Clock clock = Clock.systemUTC();

	DoubleSupplier random = () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble();

	BiFunction<String, CacheSettings, @Nullable CacheWriter<?, ?>> writers = (name, settings) -> null;

	DeadLetterHandler deadLetters = WriteStrategies.loggingDeadLetterHandler();

	boolean transactionAware;

	String instanceId = UUID.randomUUID().toString();

	final Map<String, CacheTagResolver> tagResolvers = new LinkedHashMap<>();

	String tagEvictionCacheName = "tags";

	MultiLevelCacheManagerBuilder(Function<Duration, L2Commands> commands,
			@Nullable RedisConnectionFactory connectionFactory) {
		this.commands = commands;
		this.connectionFactory = connectionFactory;
	}

	/**
	 * Protects every Redis call with a circuit breaker (the auto-configuration always
	 * does). Without it every call is still bounded by the default 200 ms timeout, but a
	 * failing Redis is tried on every call.
	 * @param resilience the settings
	 * @return this builder
	 */
	public MultiLevelCacheManagerBuilder resilience(ResilienceSettings resilience) {
		Assert.notNull(resilience, "ResilienceSettings must not be null");
		this.resilience = resilience;
		return this;
	}

	/**
	 * Settings for every cache not configured by name.
	 * @param defaults the settings
	 * @return this builder
	 */
	public MultiLevelCacheManagerBuilder defaults(CacheSettings defaults) {
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
	public MultiLevelCacheManagerBuilder withCache(String name, CacheSettings settings) {
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
	public MultiLevelCacheManagerBuilder dynamic(boolean dynamic) {
		this.dynamic = dynamic;
		return this;
	}

	/**
	 * The value serializer; defaults to a {@link JacksonCacheValueSerializer} allowing
	 * only JDK value types.
	 * @param serializer the serializer
	 * @return this builder
	 */
	public MultiLevelCacheManagerBuilder serializer(CacheValueSerializer serializer) {
		Assert.notNull(serializer, "Serializer must not be null");
		this.serializer = serializer;
		return this;
	}

	/**
	 * Converts keys to strings; defaults to Spring's defaults plus {@code SimpleKey}.
	 * @param conversionService the conversion service
	 * @return this builder
	 */
	public MultiLevelCacheManagerBuilder conversionService(ConversionService conversionService) {
		Assert.notNull(conversionService, "ConversionService must not be null");
		this.conversionService = conversionService;
		return this;
	}

	/**
	 * How caches tell other instances about changes; defaults to
	 * {@link InvalidationPublisher#NONE}. With a publisher, L1 stays unused until the
	 * publisher reports its first subscription through
	 * {@link MultiLevelCacheManager#invalidationTargets()} (or that it cannot subscribe).
	 * @param publisher the publisher
	 * @return this builder
	 */
	public MultiLevelCacheManagerBuilder invalidationPublisher(InvalidationPublisher publisher) {
		Assert.notNull(publisher, "InvalidationPublisher must not be null");
		this.publisher = publisher;
		return this;
	}

	/**
	 * Whether {@code put}, {@code evict} and {@code clear} inside a Spring-managed
	 * transaction wait for its commit, as with
	 * {@code RedisCacheManager.builder().transactionAware()} (default {@code false}; the
	 * auto-configuration turns it on when the application has a transaction manager).
	 * @param transactionAware the flag
	 * @return this builder
	 */
	public MultiLevelCacheManagerBuilder transactionAware(boolean transactionAware) {
		this.transactionAware = transactionAware;
		return this;
	}

	/**
	 * The id of this instance (default: a random UUID); share it with the invalidation
	 * bus.
	 * @param instanceId the id
	 * @return this builder
	 */
	public MultiLevelCacheManagerBuilder instanceId(String instanceId) {
		Assert.hasText(instanceId, "Instance id must not be empty");
		this.instanceId = instanceId;
		return this;
	}

	/**
	 * Time source of L1 expiry (a test seam: tests in this package pass a fake one).
	 * @param ticker the ticker
	 * @return this builder
	 */
	MultiLevelCacheManagerBuilder ticker(Ticker ticker) {
		Assert.notNull(ticker, "Ticker must not be null");
		this.ticker = ticker;
		return this;
	}

	/**
	 * Wall clock for write and expiry times stored with each value.
	 * @param clock the clock
	 * @return this builder
	 */
	public MultiLevelCacheManagerBuilder clock(Clock clock) {
		Assert.notNull(clock, "Clock must not be null");
		this.clock = clock;
		return this;
	}

	/**
	 * Finds the {@link CacheWriter} of a write-through or write-behind cache (the
	 * auto-configuration looks up the bean named by
	 * {@code multilevel-cache.caches.<name>.writer}).
	 * @param writers cache name and settings → writer, or {@code null} when there is none
	 * @return this builder
	 */
	public MultiLevelCacheManagerBuilder writers(
			BiFunction<String, CacheSettings, @Nullable CacheWriter<?, ?>> writers) {
		Assert.notNull(writers, "Writers must not be null");
		this.writers = writers;
		return this;
	}

	/**
	 * Where write-behind batches go after their last retry; defaults to logging them.
	 * @param deadLetters the handler
	 * @return this builder
	 */
	public MultiLevelCacheManagerBuilder deadLetterHandler(DeadLetterHandler deadLetters) {
		Assert.notNull(deadLetters, "DeadLetterHandler must not be null");
		this.deadLetters = deadLetters;
		return this;
	}

	/**
	 * Tags the entries of caches, so that {@link MultiLevelCacheManager#evictTag(String)}
	 * can evict them together (the auto-configuration passes every
	 * {@link CacheTagResolver} bean and the {@code multilevel-cache.caches.<name>.tags}
	 * expressions).
	 * @param resolvers at most one per cache
	 * @return this builder
	 * @throws IllegalArgumentException when two resolvers name the same cache
	 */
	public MultiLevelCacheManagerBuilder tagResolvers(Collection<? extends CacheTagResolver> resolvers) {
		Assert.notNull(resolvers, "Resolvers must not be null");
		for (CacheTagResolver resolver : resolvers) {
			CacheTagResolver previous = this.tagResolvers.putIfAbsent(resolver.cacheName(), resolver);
			Assert.isTrue(previous == null, () -> "Cache '" + resolver.cacheName()
					+ "' has two tag resolvers (its tags expressions and a CacheTagResolver bean, or two beans)");
		}
		return this;
	}

	/**
	 * Names the cache whose {@code @CacheEvict} evicts tags (default {@code tags}): see
	 * {@link MultiLevelCacheManager#getTagEvictionCache()}.
	 * @param name the name, not one of a real cache
	 * @return this builder
	 */
	public MultiLevelCacheManagerBuilder tagEvictionCacheName(String name) {
		Assert.hasText(name, "Name must not be empty");
		this.tagEvictionCacheName = name;
		return this;
	}

	/**
	 * Source of uniform random numbers for probabilistic early expiration (a test seam:
	 * tests in this package pass a seeded one).
	 * @param random the source
	 * @return this builder
	 */
	MultiLevelCacheManagerBuilder random(DoubleSupplier random) {
		Assert.notNull(random, "Random must not be null");
		this.random = random;
		return this;
	}

	/**
	 * Builds the manager and creates every configured cache.
	 * @return the manager
	 * @throws MissingCacheWriterException when a write-through or write-behind cache, or
	 * the defaults of a dynamic manager, have no writer
	 */
	public MultiLevelCacheManager build() {
		if (this.dynamic && this.defaults.strategy() != WriteStrategy.CACHE_ASIDE
				&& this.writers.apply("", this.defaults) == null) {
			throw new MissingCacheWriterException(null, this.defaults.strategy(), this.defaults.writer());
		}
		for (Map.Entry<String, CacheSettings> cache : this.configured.entrySet()) {
			CacheSettings settings = cache.getValue();
			if (settings.strategy() != WriteStrategy.CACHE_ASIDE
					&& this.writers.apply(cache.getKey(), settings) == null) {
				throw new MissingCacheWriterException(cache.getKey(), settings.strategy(), settings.writer());
			}
		}
		if (!this.tagResolvers.isEmpty() && this.configured.containsKey(this.tagEvictionCacheName)) {
			throw new IllegalStateException("Cache '" + this.tagEvictionCacheName
					+ "' is configured, but its name is the one whose @CacheEvict evicts tags; rename one of them "
					+ "(multilevel-cache.tags.eviction-cache)");
		}
		ResilienceSettings resilience = (this.resilience != null) ? this.resilience : ResilienceSettings.defaults();
		MultiLevelCacheManager manager = new MultiLevelCacheManager(this, this.commands.apply(resilience.l2Timeout()));
		this.configured.keySet().forEach(manager::getCache);
		return manager;
	}

}
