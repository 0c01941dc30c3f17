package io.github.multilevelcache.autoconfigure;

import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint;
import io.github.multilevelcache.actuate.MultiLevelCacheEndpointWebExtension;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import io.github.multilevelcache.warming.CacheWarming;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The {@code multilevelcache} actuator endpoint, when the actuator is on the class path
 * and the endpoint is available (enabled and exposed); over HTTP with its dashboard page
 * when {@code multilevel-cache.dashboard.enabled} is set.
 */
@AutoConfiguration(after = MultiLevelCacheAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(MultiLevelCacheManager.class)
@EnableConfigurationProperties(MultiLevelCacheProperties.class)
public final class MultiLevelCacheEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	MultiLevelCacheEndpoint multiLevelCacheEndpoint(MultiLevelCacheManager cacheManager,
			ObjectProvider<RedisInvalidationBus> bus, ObjectProvider<CacheWarming> warming) {
		return new MultiLevelCacheEndpoint(cacheManager, bus.getIfAvailable(), warming.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(MultiLevelCacheEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	MultiLevelCacheEndpointWebExtension multiLevelCacheEndpointWebExtension(MultiLevelCacheEndpoint endpoint,
			MultiLevelCacheProperties properties) {
		return new MultiLevelCacheEndpointWebExtension(endpoint, properties.getDashboard().isEnabled());
	}

}
