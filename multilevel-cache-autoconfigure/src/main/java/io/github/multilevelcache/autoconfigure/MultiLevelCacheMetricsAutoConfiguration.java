package io.github.multilevelcache.autoconfigure;

import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import io.github.multilevelcache.metrics.InvalidationMetrics;
import io.github.multilevelcache.metrics.MultiLevelCacheMeterBinderProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;
import org.springframework.boot.cache.metrics.CacheMetricsRegistrar;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters for the multi-level caches, through Boot's own cache metrics: the
 * binder provider makes Boot bind every cache known at start-up; caches created later are
 * bound when they are created. Only with Micrometer and Boot's cache metrics on the class
 * path.
 */
@AutoConfiguration(after = MultiLevelCacheAutoConfiguration.class,
		beforeName = "org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration",
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration")
@ConditionalOnClass({ MeterRegistry.class, CacheMeterBinderProvider.class })
@ConditionalOnBean(MultiLevelCacheManager.class)
public final class MultiLevelCacheMetricsAutoConfiguration {

	@Bean
	MultiLevelCacheMeterBinderProvider multiLevelCacheMeterBinderProvider() {
		return new MultiLevelCacheMeterBinderProvider();
	}

	@Bean
	InvalidationMetrics multiLevelCacheInstanceMetrics(MultiLevelCacheManager cacheManager,
			ObjectProvider<RedisInvalidationBus> bus) {
		return new InvalidationMetrics(bus.getIfAvailable(), cacheManager);
	}

	@Bean
	SmartInitializingSingleton multiLevelCacheDynamicCacheMetrics(MultiLevelCacheManager cacheManager,
			ObjectProvider<CacheMetricsRegistrar> registrar) {
		// Boot binds the caches that exist at start-up; bind the ones created later as
		// they appear (the binder provider hands out one binder per cache)
		return () -> registrar.ifAvailable((available) -> cacheManager
			.onCacheCreated((cache) -> available.bindCacheToRegistry(cache, Tag.of("cache.manager", "cacheManager"))));
	}

}
