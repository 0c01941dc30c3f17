package io.github.multilevelcache.autoconfigure;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Every validated {@code multilevel-cache.*} property stops start-up with a failure
 * analysis that names the property, the bad value and what is allowed, as a user sees it.
 */
class InvalidPropertyFailureAnalysisTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MultiLevelCacheAutoConfiguration.class))
		.withUserConfiguration(Caching.class);

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', textBlock = """
			multilevel-cache.defaults.l1.maximum-size | -5 | must be 0 or more
			multilevel-cache.defaults.l1.expire-after-write | 0s | positive duration
			multilevel-cache.defaults.l1.expire-after-access | -1s | positive duration
			multilevel-cache.defaults.l2.ttl | 0ms | positive duration
			multilevel-cache.defaults.l2.ttl-jitter | 101% | from 0% to 100%
			multilevel-cache.caches.products.l2.ttl-jitter | -0.5 | from 0% to 100%
			multilevel-cache.defaults.null-values.ttl | 0s | positive duration
			multilevel-cache.defaults.stampede.lock-lease | 0s | positive duration
			multilevel-cache.defaults.stampede.wait-timeout | -2s | positive duration
			multilevel-cache.defaults.refresh-ahead.ratio | 1.5 | below 1
			multilevel-cache.defaults.early-expiration.beta | -1 | 0 (off) or more
			multilevel-cache.defaults.write-behind.batch-size | 0 | at least 1
			multilevel-cache.defaults.write-behind.max-retries | -1 | 0 or more
			multilevel-cache.defaults.write-behind.queue-capacity | 0 | at least 1
			multilevel-cache.defaults.write-behind.flush-interval | 0s | positive duration
			multilevel-cache.invalidation.heartbeat-interval | 0s | positive duration
			multilevel-cache.invalidation.ack-timeout | 0s | positive duration
			multilevel-cache.invalidation.peer-timeout | 1s | at least twice the heartbeat interval
			multilevel-cache.invalidation.channel | ' ' | must not be empty
			multilevel-cache.resilience.l2-timeout | 0s | positive duration
			multilevel-cache.resilience.open-after-failure-rate | 0% | above 0%
			multilevel-cache.resilience.open-after-slow-call-rate | 200% | from 0% to 100%
			multilevel-cache.resilience.stay-open | 0s | positive duration
			multilevel-cache.resilience.sliding-window-size | 0 | at least 1
			multilevel-cache.resilience.minimum-calls | 0 | at least 1
			multilevel-cache.resilience.max-remembered-evictions | -1 | 0 or more
			multilevel-cache.caches.products.tags[0] | 1 + | not a valid SpEL expression
			multilevel-cache.defaults.tags | #key | tags are declared per cache
			multilevel-cache.tags.eviction-cache | ' ' | must be a cache name
			""")
	void invalidValueStopsStartUpNamingThePropertyValueAndRange(String property, String value, String allowed) {
		this.contextRunner.withPropertyValues(property + "=" + value).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis).as("a failure analyzer explains the failure").isNotNull();
			assertThat(analysis.getDescription()).contains("'" + property + "'").contains(allowed);
			assertThat(analysis.getAction()).contains("Review the value of the property");
		});
	}

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', textBlock = """
			multilevel-cache.defaults.strategy | write-sideways
			multilevel-cache.invalidation.mode | eventually
			multilevel-cache.caches.products.invalidation.mode | sometimes
			""")
	void unknownEnumValueListsTheValidValues(String property, String value) {
		this.contextRunner.withPropertyValues(property + "=" + value).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).contains(property).contains(value);
		});
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			multilevel-cache.defaults.l1.maximum-sise | multilevel-cache.defaults.l1.maximum-size
			multilevel-cache.caches.products.l2.tll | multilevel-cache.caches.products.l2.ttl
			multilevel-cache.invalidation.heartbeat-intervall | multilevel-cache.invalidation.heartbeat-interval
			multilevel-cache.resilience.stay-opn | multilevel-cache.resilience.stay-open
			""")
	void unknownKeyStopsStartUpNamingItAndTheClosestValidOne(String property, String suggestion) {
		this.contextRunner.withPropertyValues(property + "=5").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).contains("'" + property + "'")
				.contains("Did you mean '" + suggestion + "'?");
			assertThat(analysis.getAction()).contains("Rename '" + property + "' to '" + suggestion + "'");
		});
	}

	private static FailureAnalysis analyze(Throwable failure) {
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class,
					ArgumentResolver.of(Environment.class, new StandardEnvironment())
						.and(BeanFactory.class, new DefaultListableBeanFactory()),
					// analyzers of modules this test does not set up are skipped, as Boot
					// skips them too
					SpringFactoriesLoader.FailureHandler.handleMessage((message, ex) -> {
					}));
		for (FailureAnalyzer analyzer : analyzers) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				return analysis;
			}
		}
		return null;
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
