package io.github.multilevelcache.autoconfigure;

import io.github.multilevelcache.write.MissingCacheWriterException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

class MissingCacheWriterTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MultiLevelCacheAutoConfiguration.class))
		.withPropertyValues("multilevel-cache.invalidation.enabled=false")
		.withUserConfiguration(Caching.class);

	@Test
	void writeBehindWithoutWriterFailsNamingThePropertyToSet() {
		this.contextRunner.withPropertyValues("multilevel-cache.caches.orders.strategy=write-behind").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().isInstanceOf(MissingCacheWriterException.class);
			FailureAnalysis analysis = new MissingCacheWriterFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Cache 'orders' uses strategy write-behind")
				.contains("'multilevel-cache.caches.orders.writer' is not set");
			assertThat(analysis.getAction()).contains("CacheWriter").contains("multilevel-cache.caches.orders.writer");
		});
	}

	@Test
	void writerNameThatIsNotACacheWriterFails() {
		this.contextRunner
			.withPropertyValues("multilevel-cache.caches.orders.strategy=write-through",
					"multilevel-cache.caches.orders.writer=redisConnectionFactory")
			.run((context) -> {
				FailureAnalysis analysis = new MissingCacheWriterFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'redisConnectionFactory'")
					.contains("is not a CacheWriter bean");
			});
	}

	@Test
	void defaultStrategyWithoutWriterFailsStartUpNamingBothProperties() {
		for (String strategy : new String[] { "write-behind", "write-through" }) {
			this.contextRunner.withPropertyValues("multilevel-cache.defaults.strategy=" + strategy).run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause().isInstanceOf(MissingCacheWriterException.class);
				FailureAnalysis analysis = new MissingCacheWriterFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("uses strategy " + strategy)
					.contains("'multilevel-cache.defaults.strategy'")
					.contains("'multilevel-cache.defaults.writer' is not set");
				assertThat(analysis.getAction()).contains("multilevel-cache.defaults.writer")
					.contains("multilevel-cache.defaults.strategy=cache-aside");
			});
		}
	}

	@Test
	void defaultStrategyOfAStaticManagerNeedsNoWriter() {
		this.contextRunner
			.withPropertyValues("multilevel-cache.defaults.strategy=write-behind", "multilevel-cache.dynamic=false")
			.run((context) -> assertThat(context).hasNotFailed());
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
