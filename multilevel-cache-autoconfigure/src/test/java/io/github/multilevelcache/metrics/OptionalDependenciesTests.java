package io.github.multilevelcache.metrics;

import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint;
import io.github.multilevelcache.actuate.MultiLevelCacheHealthIndicator;
import io.github.multilevelcache.autoconfigure.MultiLevelCacheAutoConfiguration;
import io.github.multilevelcache.autoconfigure.MultiLevelCacheEndpointAutoConfiguration;
import io.github.multilevelcache.autoconfigure.MultiLevelCacheHealthAutoConfiguration;
import io.github.multilevelcache.autoconfigure.MultiLevelCacheMetricsAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Micrometer, the actuator and Boot's health module are optional: without them the cache
 * still starts.
 */
class OptionalDependenciesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MultiLevelCacheAutoConfiguration.class,
				MultiLevelCacheMetricsAutoConfiguration.class, MultiLevelCacheEndpointAutoConfiguration.class,
				MultiLevelCacheHealthAutoConfiguration.class))
		.withPropertyValues("multilevel-cache.invalidation.enabled=false",
				"management.endpoints.web.exposure.include=*")
		.withUserConfiguration(Caching.class);

	@Test
	void everythingIsContributedWhenPresent() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(MultiLevelCacheManager.class);
			assertThat(context).hasSingleBean(MultiLevelCacheMeterBinderProvider.class);
			assertThat(context).hasSingleBean(MultiLevelCacheHealthIndicator.class);
			assertThat(context).hasSingleBean(MultiLevelCacheEndpoint.class);
		});
	}

	@Test
	void startsWithoutMicrometerActuatorOrHealth() {
		this.contextRunner
			.withClassLoader(new FilteredClassLoader("io.micrometer", "org.springframework.boot.actuate",
					"org.springframework.boot.health"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).hasSingleBean(MultiLevelCacheManager.class);
				assertThat(context).doesNotHaveBean(MultiLevelCacheMeterBinderProvider.class);
				assertThat(context).doesNotHaveBean(InvalidationMetrics.class);
				assertThat(context).doesNotHaveBean(MultiLevelCacheEndpoint.class);
				assertThat(context).doesNotHaveBean(MultiLevelCacheHealthIndicator.class);
			});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class Caching {

		@Bean
		RedisConnectionFactory redisConnectionFactory() {
			return mock(LettuceConnectionFactory.class);
		}

	}

}
