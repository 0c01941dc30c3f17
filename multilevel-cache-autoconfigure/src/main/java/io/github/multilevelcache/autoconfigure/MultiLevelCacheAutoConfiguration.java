package io.github.multilevelcache.autoconfigure;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import com.github.benmanes.caffeine.cache.Caffeine;
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
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheAspectSupport;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import io.github.multilevelcache.MultiLevelCache;
import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import io.github.multilevelcache.l1.L1Cache;
import io.github.multilevelcache.l2.CacheValueSerializer;
import io.github.multilevelcache.l2.JacksonCacheValueSerializer;
import io.github.multilevelcache.write.CacheWriter;
import io.github.multilevelcache.write.DeadLetterHandler;

/**
 * Auto-configures a {@link MultiLevelCacheManager} (Caffeine over Redis) when caching is enabled
 * ({@code @EnableCaching}) and one {@link RedisConnectionFactory} exists. Backs off when the application
 * defines its own {@link CacheManager}, sets {@code spring.cache.type}, or sets
 * {@code multilevel-cache.enabled=false}. Boot's own cache auto-configuration then finds our manager and
 * backs off too.
 */
@AutoConfiguration(after = DataRedisAutoConfiguration.class, before = CacheAutoConfiguration.class)
@ConditionalOnClass({ Caffeine.class, RedisConnectionFactory.class, CacheManager.class })
@ConditionalOnBean(CacheAspectSupport.class)
@ConditionalOnSingleCandidate(RedisConnectionFactory.class)
@ConditionalOnMissingBean(value = CacheManager.class, name = "cacheResolver")
@ConditionalOnBooleanProperty(name = "multilevel-cache.enabled", matchIfMissing = true)
@Conditional(NoExplicitCacheTypeCondition.class)
@EnableConfigurationProperties(MultiLevelCacheProperties.class)
public final class MultiLevelCacheAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CacheValueSerializer multiLevelCacheValueSerializer(BeanFactory beanFactory,
			MultiLevelCacheProperties properties) {
		List<String> allowed = new ArrayList<>();
		if (AutoConfigurationPackages.has(beanFactory)) {
			AutoConfigurationPackages.get(beanFactory).forEach((name) -> allowed.add(name + "."));
		}
		allowed.addAll(properties.getSerialization().getAllowedTypes());
		return new JacksonCacheValueSerializer(allowed);
	}

	@Bean
	MultiLevelCacheManager cacheManager(RedisConnectionFactory connectionFactory,
			MultiLevelCacheProperties properties, Environment environment, CacheValueSerializer serializer,
			ObjectProvider<CacheManagerCustomizer<?>> customizers, ListableBeanFactory beanFactory,
			ObjectProvider<DeadLetterHandler> deadLetterHandler) {
		CacheSettingsResolver resolver = resolver(properties, environment);
		MultiLevelCacheManager.Builder builder = MultiLevelCacheManager.builder(connectionFactory)
			.defaults(resolver.defaults())
			.dynamic(properties.isDynamic())
			.resilience(resolver.resilienceSettings())
			.writers((name, settings) -> writer(beanFactory, settings.writer()))
			.serializer(serializer);
		deadLetterHandler.ifAvailable(builder::deadLetterHandler);
		resolver.configuredCaches().forEach(builder::withCache);
		return new CacheManagerCustomizers(customizers.orderedStream().toList()).customize(builder.build());
	}

	private static @Nullable CacheWriter<?, ?> writer(ListableBeanFactory beanFactory, @Nullable String name) {
		if (name == null || !beanFactory.containsBean(name) || !beanFactory.isTypeMatch(name, CacheWriter.class)) {
			return null;
		}
		return beanFactory.getBean(name, CacheWriter.class);
	}

	/**
	 * Flushes write-behind queues when the context stops: after the web server stopped taking requests (which
	 * may still write) and before the invalidation bus and Redis connections stop (G9).
	 */
	@Bean
	SmartLifecycle multiLevelCacheWriteBehindShutdown(MultiLevelCacheManager cacheManager) {
		return new SmartLifecycle() {

			private volatile boolean running;

			@Override
			public void start() {
				this.running = true;
			}

			@Override
			public void stop() {
				this.running = false;
				cacheManager.closeWriters();
			}

			@Override
			public boolean isRunning() {
				return this.running;
			}

			@Override
			public int getPhase() {
				return SmartLifecycle.DEFAULT_PHASE - 2048;
			}

		};
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
				MultiLevelCacheManager cacheManager, MultiLevelCacheProperties properties, Environment environment) {
			RedisInvalidationBus.Settings settings = resolver(properties, environment).invalidationSettings();
			RedisInvalidationBus bus = new RedisInvalidationBus(connectionFactory, settings,
					new ManagerTargets(cacheManager), (name) -> cacheManager.settingsFor(name).invalidationMode());
			cacheManager.setInvalidationPublisher(bus);
			return bus;
		}

	}

	/**
	 * The L1s of the manager's caches, as the invalidation bus sees them.
	 */
	private record ManagerTargets(MultiLevelCacheManager manager) implements RedisInvalidationBus.Targets {

		@Override
		public @Nullable L1Cache l1(String cacheName) {
			MultiLevelCache cache = this.manager.getExistingCache(cacheName);
			return (cache != null) ? cache.getL1() : null;
		}

		@Override
		public Collection<L1Cache> all() {
			return this.manager.getCaches().stream().map(MultiLevelCache::getL1).toList();
		}

	}

}
