package io.github.multilevelcache.autoconfigure;

import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.actuate.MultiLevelCacheHealthIndicator;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code multiLevelCache} health contribution, when Boot's health module is on the
 * class path.
 */
@AutoConfiguration(after = MultiLevelCacheAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(MultiLevelCacheManager.class)
@ConditionalOnBooleanProperty(name = "management.health.multilevelcache.enabled", matchIfMissing = true)
public final class MultiLevelCacheHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "multiLevelCacheHealthIndicator")
	MultiLevelCacheHealthIndicator multiLevelCacheHealthIndicator(MultiLevelCacheManager cacheManager,
			ObjectProvider<RedisInvalidationBus> bus) {
		return new MultiLevelCacheHealthIndicator(cacheManager, bus.getIfAvailable());
	}

}
