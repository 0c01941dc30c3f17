package io.github.multilevelcache.autoconfigure;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.multilevelcache.CacheTagResolver;
import io.github.multilevelcache.InvalidationMode;
import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.MultiLevelCacheManagerBuilder;
import io.github.multilevelcache.invalidation.InvalidationTargets;
import io.github.multilevelcache.invalidation.InvalidationTransport;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import io.github.multilevelcache.serialization.CacheValueSerializer;
import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import io.github.multilevelcache.warming.CacheWarmer;
import io.github.multilevelcache.warming.CacheWarming;
import io.github.multilevelcache.warming.CacheWarmingRunner;
import io.github.multilevelcache.write.CacheWriter;
import io.github.multilevelcache.write.DeadLetterHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheAspectSupport;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * Auto-configures a {@link MultiLevelCacheManager} (Caffeine over Redis) when caching is
 * enabled ({@code @EnableCaching}) and one {@link RedisConnectionFactory} exists. Backs
 * off when the application defines its own {@link CacheManager}, sets
 * {@code spring.cache.type}, or sets {@code multilevel-cache.enabled=false}. Boot's own
 * cache auto-configuration then finds our manager and backs off too. Also wraps the cache
 * interceptor's resolver in a {@code FillAwareCacheResolver}, so the put of a
 * {@code @Cacheable} miss is a fill and the put of a {@code @CachePut} a write.
 */
@AutoConfiguration(after = DataRedisAutoConfiguration.class, before = CacheAutoConfiguration.class)
@ConditionalOnClass({ Caffeine.class, RedisConnectionFactory.class, CacheManager.class })
@ConditionalOnBean(CacheAspectSupport.class)
@ConditionalOnSingleCandidate(RedisConnectionFactory.class)
@ConditionalOnMissingBean(value = CacheManager.class, name = "cacheResolver")
@ConditionalOnBooleanProperty(name = "multilevel-cache.enabled", matchIfMissing = true)
@Conditional(NoExplicitCacheTypeCondition.class)
@EnableConfigurationProperties(MultiLevelCacheProperties.class)
@ImportRuntimeHints(MultiLevelCacheRuntimeHints.class)
public final class MultiLevelCacheAutoConfiguration {

	private static final String TRANSACTION_MANAGER = "org.springframework.transaction.TransactionManager";

	@Bean
	static FillAwareResolverPostProcessor multiLevelCacheFillAwareResolverPostProcessor(BeanFactory beanFactory) {
		return new FillAwareResolverPostProcessor(beanFactory);
	}

	@Bean
	InstanceIdentity multiLevelCacheInstanceIdentity() {
		return new InstanceIdentity(UUID.randomUUID());
	}

	@Bean
	@ConditionalOnMissingBean
	CacheValueSerializer multiLevelCacheValueSerializer(BeanFactory beanFactory, MultiLevelCacheProperties properties) {
		List<String> allowed = new ArrayList<>();
		if (AutoConfigurationPackages.has(beanFactory)) {
			AutoConfigurationPackages.get(beanFactory).forEach((name) -> allowed.add(name + "."));
		}
		allowed.addAll(properties.getSerialization().getAllowedTypes());
		return new JacksonCacheValueSerializer(allowed);
	}

	@Bean
	MultiLevelCacheManager cacheManager(RedisConnectionFactory connectionFactory, MultiLevelCacheProperties properties,
			Environment environment, CacheValueSerializer serializer,
			ObjectProvider<CacheManagerCustomizer<?>> customizers, ListableBeanFactory beanFactory,
			ObjectProvider<DeadLetterHandler> deadLetterHandler, ObjectProvider<RedisInvalidationBus> bus,
			InstanceIdentity identity, ObjectProvider<CacheTagResolver> tagResolvers) {
		CacheSettingsResolver resolver = resolver(properties, environment);
		MultiLevelCacheManagerBuilder builder = MultiLevelCacheManager.builder(connectionFactory)
			.defaults(resolver.defaults())
			.dynamic(properties.isDynamic())
			.resilience(resolver.resilienceSettings())
			.writers((name, settings) -> writer(beanFactory, settings.writer()))
			.serializer(serializer)
			.instanceId(identity.id().toString())
			.transactionAware(properties.isTransactionAware() && hasTransactionManager(beanFactory));
		deadLetterHandler.ifAvailable(builder::deadLetterHandler);
		bus.ifAvailable(builder::invalidationPublisher);
		resolver.configuredCaches().forEach(builder::withCache);
		builder.tagEvictionCacheName(tagEvictionCache(properties))
			.tagResolvers(tagResolvers(properties, tagResolvers.orderedStream().toList()));
		return new CacheManagerCustomizers(customizers.orderedStream().toList()).customize(builder.build());
	}

	private static String tagEvictionCache(MultiLevelCacheProperties properties) {
		String name = properties.getTags().getEvictionCache();
		if (name == null || name.isBlank()) {
			throw new InvalidConfigurationPropertyValueException("multilevel-cache.tags.eviction-cache", name,
					"must be a cache name");
		}
		if (properties.getCaches().containsKey(name)) {
			throw new InvalidConfigurationPropertyValueException("multilevel-cache.tags.eviction-cache", name,
					"is also the name of a cache under multilevel-cache.caches; @CacheEvict of it evicts tags");
		}
		return name;
	}

	/**
	 * The tag resolvers: the expressions of each cache's {@code tags}, and the
	 * {@link CacheTagResolver} beans.
	 */
	private static List<CacheTagResolver> tagResolvers(MultiLevelCacheProperties properties,
			List<CacheTagResolver> beans) {
		if (!properties.getDefaults().getTags().isEmpty()) {
			throw new InvalidConfigurationPropertyValueException("multilevel-cache.defaults.tags",
					properties.getDefaults().getTags(), "tags are declared per cache, under multilevel-cache.caches");
		}
		Map<String, CacheTagResolver> resolvers = new LinkedHashMap<>();
		properties.getCaches().forEach((name, spec) -> {
			if (!spec.getTags().isEmpty()) {
				resolvers.put(name, ExpressionCacheTagResolver.parse(name, spec.getTags()));
			}
		});
		for (CacheTagResolver bean : beans) {
			if (resolvers.putIfAbsent(bean.cacheName(), bean) != null) {
				throw new InvalidConfigurationPropertyValueException(
						"multilevel-cache.caches." + bean.cacheName() + ".tags", bean.cacheName(),
						"cache '" + bean.cacheName()
								+ "' has tags both from this property (or another CacheTagResolver bean) and from "
								+ "CacheTagResolver bean " + bean.getClass().getName() + "; keep one");
			}
		}
		return List.copyOf(resolvers.values());
	}

	private static boolean hasTransactionManager(ListableBeanFactory beanFactory) {
		ClassLoader classLoader = MultiLevelCacheAutoConfiguration.class.getClassLoader();
		if (!ClassUtils.isPresent(TRANSACTION_MANAGER, classLoader)) {
			return false;
		}
		Class<?> type = ClassUtils.resolveClassName(TRANSACTION_MANAGER, classLoader);
		return beanFactory.getBeanNamesForType(type, true, false).length > 0;
	}

	private static @Nullable CacheWriter<?, ?> writer(ListableBeanFactory beanFactory, @Nullable String name) {
		if (name == null || !beanFactory.containsBean(name) || !beanFactory.isTypeMatch(name, CacheWriter.class)) {
			return null;
		}
		return beanFactory.getBean(name, CacheWriter.class);
	}

	@Bean
	@ConditionalOnMissingBean
	CacheWarming multiLevelCacheWarming(MultiLevelCacheManager cacheManager, ObjectProvider<CacheWarmer<?>> warmers,
			MultiLevelCacheProperties properties) {
		MultiLevelCacheProperties.Warming warming = properties.getWarming();
		atLeastOne(warming.getConcurrency(), "multilevel-cache.warming.concurrency");
		atLeastOne(warming.getBatchSize(), "multilevel-cache.warming.batch-size");
		if (warming.getTimeout().isNegative() || warming.getTimeout().isZero()) {
			throw new InvalidConfigurationPropertyValueException("multilevel-cache.warming.timeout",
					warming.getTimeout(), "must be a positive duration (e.g. 30s, 10m, 1h)");
		}
		return new CacheWarming(cacheManager, warmers.orderedStream().toList(), warming.getConcurrency(),
				warming.getBatchSize(), warming.getTimeout());
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "multilevel-cache.warming.enabled", matchIfMissing = true)
	CacheWarmingRunner multiLevelCacheWarmingRunner(CacheWarming warming) {
		return new CacheWarmingRunner(warming);
	}

	private static void atLeastOne(int value, String property) {
		if (value < 1) {
			throw new InvalidConfigurationPropertyValueException(property, value, "must be at least 1");
		}
	}

	@Bean
	WriteBehindShutdown multiLevelCacheWriteBehindShutdown(MultiLevelCacheManager cacheManager) {
		return new WriteBehindShutdown(cacheManager);
	}

	static CacheSettingsResolver resolver(MultiLevelCacheProperties properties, Environment environment) {
		return new CacheSettingsResolver(properties, Binder.get(environment),
				environment.getProperty("spring.application.name"));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "multilevel-cache.invalidation.enabled", matchIfMissing = true)
	static class InvalidationConfiguration {

		@Bean
		RedisInvalidationBus multiLevelCacheInvalidationBus(RedisConnectionFactory connectionFactory,
				ObjectProvider<MultiLevelCacheManager> cacheManager, MultiLevelCacheProperties properties,
				Environment environment, InstanceIdentity identity) {
			CacheSettingsResolver resolver = resolver(properties, environment);
			RedisInvalidationBus.Settings settings = resolver.invalidationSettings();
			if (settings.transport() == InvalidationTransport.TRACKING
					&& !(connectionFactory instanceof LettuceConnectionFactory)) {
				throw new InvalidConfigurationPropertyValueException("multilevel-cache.invalidation.transport",
						"tracking", "Invalidation by tracking needs Lettuce; use 'pub-sub'");
			}
			InvalidationMode globalMode = properties.getInvalidation().getMode();
			return new RedisInvalidationBus(connectionFactory, settings, new ManagerTargets(cacheManager),
					new ManagerModes(cacheManager, globalMode), identity.id());
		}

	}

	/**
	 * The id this instance's manager and bus share.
	 *
	 * @param id the instance id
	 */
	record InstanceIdentity(UUID id) {
	}

	/**
	 * The manager's L1s as the bus sees them, looked up on first use and kept: the
	 * manager needs the bus when it is built, the bus needs the manager only once it runs
	 * (a lifecycle started after every singleton exists). Keeping what was found means a
	 * callback that comes late, after the context closed, never asks the closed context
	 * to create the manager again.
	 */
	/**
	 * Each cache's invalidation mode as the manager's settings give it. Asked on every
	 * put and evict, so the manager is looked up once (a bean factory lookup per message
	 * cost about 5 % of the CPU of a write-heavy benchmark) and kept.
	 */
	private static final class ManagerModes implements Function<String, InvalidationMode> {

		private final ObjectProvider<MultiLevelCacheManager> manager;

		private final InvalidationMode fallback;

		private volatile @Nullable MultiLevelCacheManager found;

		ManagerModes(ObjectProvider<MultiLevelCacheManager> manager, InvalidationMode fallback) {
			this.manager = manager;
			this.fallback = fallback;
		}

		@Override
		public InvalidationMode apply(String cacheName) {
			MultiLevelCacheManager manager = this.found;
			if (manager == null) {
				manager = this.manager.getIfAvailable();
				this.found = manager;
			}
			return (manager != null) ? manager.settingsFor(cacheName).invalidationMode() : this.fallback;
		}

	}

	private static final class ManagerTargets implements InvalidationTargets {

		private final ObjectProvider<MultiLevelCacheManager> manager;

		private volatile @Nullable InvalidationTargets targets;

		ManagerTargets(ObjectProvider<MultiLevelCacheManager> manager) {
			this.manager = manager;
		}

		private @Nullable InvalidationTargets targets() {
			InvalidationTargets targets = this.targets;
			if (targets == null) {
				MultiLevelCacheManager manager = this.manager.getIfAvailable();
				if (manager != null) {
					targets = manager.invalidationTargets();
					this.targets = targets;
				}
			}
			return targets;
		}

		@Override
		public void invalidate(String cacheName, Collection<String> keys) {
			InvalidationTargets targets = targets();
			if (targets != null) {
				targets.invalidate(cacheName, keys);
			}
		}

		@Override
		public void invalidateKeys(Collection<String> keys) {
			InvalidationTargets targets = targets();
			if (targets != null) {
				targets.invalidateKeys(keys);
			}
		}

		@Override
		public void invalidateCache(String cacheName) {
			InvalidationTargets targets = targets();
			if (targets != null) {
				targets.invalidateCache(cacheName);
			}
		}

		@Override
		public void invalidateAll() {
			InvalidationTargets targets = targets();
			if (targets != null) {
				targets.invalidateAll();
			}
		}

		@Override
		public void subscribed() {
			InvalidationTargets targets = targets();
			if (targets != null) {
				targets.subscribed();
			}
		}

		@Override
		public void unsubscribed() {
			InvalidationTargets targets = targets();
			if (targets != null) {
				targets.unsubscribed();
			}
		}

	}

}
