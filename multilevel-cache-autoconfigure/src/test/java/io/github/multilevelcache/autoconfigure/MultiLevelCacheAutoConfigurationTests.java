package io.github.multilevelcache.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.github.multilevelcache.CacheSettings;
import io.github.multilevelcache.MultiLevelCache;
import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.Percentage;
import io.github.multilevelcache.WriteStrategy;
import io.github.multilevelcache.serialization.CacheValueSerializer;
import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Conditions, back-off and property binding of {@link MultiLevelCacheAutoConfiguration}.
 * Redis is a mock here: nothing in these tests talks to it.
 */
class MultiLevelCacheAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MultiLevelCacheAutoConfiguration.class, CacheAutoConfiguration.class))
		.withUserConfiguration(CachingConfiguration.class);

	@Test
	void multiLevelCacheManagerWhenCachingIsEnabledAndRedisExists() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(CacheManager.class);
			assertThat(context).hasSingleBean(MultiLevelCacheManager.class);
			assertThat(context).hasSingleBean(JacksonCacheValueSerializer.class);
		});
	}

	@Test
	void backsOffWithoutEnableCaching() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MultiLevelCacheAutoConfiguration.class))
			.withBean(RedisConnectionFactory.class, () -> mock(LettuceConnectionFactory.class))
			.run((context) -> assertThat(context).doesNotHaveBean(MultiLevelCacheManager.class));
	}

	@Test
	void backsOffWithoutRedisConnectionFactory() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(MultiLevelCacheAutoConfiguration.class, CacheAutoConfiguration.class))
			.withUserConfiguration(EnableCachingOnly.class)
			.run((context) -> assertThat(context).doesNotHaveBean(MultiLevelCacheManager.class));
	}

	@Test
	void backsOffWithoutCaffeineOnTheClassPath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("com.github.benmanes.caffeine"))
			.run((context) -> assertThat(context).doesNotHaveBean(MultiLevelCacheManager.class));
	}

	@Test
	void backsOffWhenTheApplicationDefinesACacheManager() {
		this.contextRunner.withUserConfiguration(CustomCacheManagerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(CacheManager.class);
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("multilevel-cache.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(MultiLevelCacheManager.class);
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(RedisCacheManager.class);
		});
	}

	@Test
	void backsOffWhenACacheTypeIsChosenExplicitly() {
		this.contextRunner.withPropertyValues("spring.cache.type=none")
			.run((context) -> assertThat(context).doesNotHaveBean(MultiLevelCacheManager.class));
	}

	@Test
	void customizersAdjustTheManager() {
		this.contextRunner.withUserConfiguration(CustomizerConfiguration.class).run((context) -> {
			MultiLevelCacheManager manager = context.getBean(MultiLevelCacheManager.class);
			assertThat(manager.getCacheNames()).contains("from-customizer");
		});
	}

	@Test
	void userSerializerReplacesTheDefault() {
		this.contextRunner.withUserConfiguration(SerializerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(CacheValueSerializer.class);
			assertThat(context).doesNotHaveBean(JacksonCacheValueSerializer.class);
		});
	}

	@Test
	void defaultsMatchTheDocumentation() {
		this.contextRunner.run((context) -> {
			CacheSettings defaults = context.getBean(MultiLevelCacheManager.class).getDefaults();
			assertThat(defaults.keyPrefix()).isEmpty();
			assertThat(defaults.strategy()).isEqualTo(WriteStrategy.CACHE_ASIDE);
			assertThat(defaults.l1()).isEqualTo(new CacheSettings.L1(true, 10_000, Duration.ofMinutes(5), null));
			assertThat(defaults.l2())
				.isEqualTo(new CacheSettings.L2(true, Duration.ofHours(1), Percentage.ofPercent(10)));
			assertThat(defaults.nullValues()).isEqualTo(new CacheSettings.NullValues(true, Duration.ofSeconds(60)));
			assertThat(defaults.stampede().local()).isTrue();
		});
	}

	@Test
	void keyPrefixDefaultsToTheApplicationName() {
		this.contextRunner.withPropertyValues("spring.application.name=shop").run((context) -> {
			MultiLevelCacheManager manager = context.getBean(MultiLevelCacheManager.class);
			assertThat(manager.getDefaults().keyPrefix()).isEqualTo("shop:");
			assertThat(manager.getCache("products").canonicalKey(1)).isEqualTo("shop:products::1");
		});
		this.contextRunner.withPropertyValues("spring.application.name=shop", "multilevel-cache.key-prefix=app:")
			.run((context) -> assertThat(context.getBean(MultiLevelCacheManager.class).getDefaults().keyPrefix())
				.isEqualTo("app:"));
	}

	@Test
	void perCacheSettingsOverrideOnlyWhatTheySet() {
		this.contextRunner
			.withPropertyValues("multilevel-cache.defaults.l2.ttl=2h", "multilevel-cache.defaults.l2.ttl-jitter=5%",
					"multilevel-cache.defaults.l1.maximum-size=500",
					"multilevel-cache.caches.products.l1.maximum-size=5",
					"multilevel-cache.caches.products.null-values.enabled=false",
					"multilevel-cache.caches.products.key-prefix=p:", "multilevel-cache.caches.orders.l2.ttl=10m",
					"multilevel-cache.caches.orders.l2.ttl-jitter=0.25")
			.run((context) -> {
				MultiLevelCacheManager manager = context.getBean(MultiLevelCacheManager.class);
				assertThat(manager.getCacheNames()).contains("products", "orders");
				CacheSettings products = manager.getCache("products").getSettings();
				assertThat(products.l1().maximumSize()).isEqualTo(5);
				assertThat(products.l2().ttl()).isEqualTo(Duration.ofHours(2));
				assertThat(products.l2().ttlJitter().fraction()).isEqualTo(0.05);
				assertThat(products.nullValues().enabled()).isFalse();
				assertThat(products.keyPrefix()).isEqualTo("p:");
				CacheSettings orders = manager.getCache("orders").getSettings();
				assertThat(orders.l1().maximumSize()).isEqualTo(500);
				assertThat(orders.l2().ttl()).isEqualTo(Duration.ofMinutes(10));
				assertThat(orders.l2().ttlJitter().fraction()).isEqualTo(0.25);
				MultiLevelCache dynamic = manager.getCache("other");
				assertThat(dynamic.getSettings().l2().ttl()).isEqualTo(Duration.ofHours(2));
			});
	}

	@Test
	void staticManagerRefusesUnknownCaches() {
		this.contextRunner
			.withPropertyValues("multilevel-cache.dynamic=false", "multilevel-cache.caches.products.l2.ttl=1m")
			.run((context) -> {
				MultiLevelCacheManager manager = context.getBean(MultiLevelCacheManager.class);
				assertThat(manager.getCache("products")).isNotNull();
				assertThat(manager.getCache("unknown")).isNull();
			});
	}

	@Test
	void serializationAllowListIncludesAutoConfigurationPackagesAndConfiguredTypes() {
		this.contextRunner.withPropertyValues("multilevel-cache.serialization.allowed-types=com.example.model")
			.run((context) -> {
				JacksonCacheValueSerializer serializer = context.getBean(JacksonCacheValueSerializer.class);
				assertThat(serializer.allowedTypePrefixes()).contains("com.example.model.", "java.lang.Long");
			});
	}

	@Test
	void negativeMaximumSizeFailsNamingTheProperty() {
		assertInvalid("multilevel-cache.caches.products.l1.maximum-size=-1",
				"multilevel-cache.caches.products.l1.maximum-size", "-1", "must be 0 or more");
	}

	@Test
	void jitterOutsideZeroToHundredPercentFails() {
		for (String value : List.of("150%", "lots")) {
			this.contextRunner.withPropertyValues("multilevel-cache.defaults.l2.ttl-jitter=" + value).run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(io.github.multilevelcache.InvalidCacheSettingException.class)
					.hasMessageContaining("from 0% to 100%");
				FailureAnalysis analysis = new InvalidSettingBindFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'multilevel-cache.defaults.l2.ttl-jitter'")
					.contains("'" + value + "'");
			});
		}
	}

	@Test
	void zeroTtlFails() {
		assertInvalid("multilevel-cache.defaults.l2.ttl=0s", "multilevel-cache.defaults.l2.ttl", "PT0S",
				"positive duration");
		assertInvalid("multilevel-cache.caches.products.null-values.ttl=0ms",
				"multilevel-cache.caches.products.null-values.ttl", "PT0S", "positive duration");
		assertInvalid("multilevel-cache.defaults.l1.expire-after-write=-5s",
				"multilevel-cache.defaults.l1.expire-after-write", "PT-5S", "positive duration");
	}

	@Test
	void unknownStrategyFailsListingTheValidValues() {
		this.contextRunner.withPropertyValues("multilevel-cache.defaults.strategy=write-sideways").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("write-sideways")
				.hasMessageContaining("WriteStrategy");
		});
	}

	private void assertInvalid(String property, String name, String value, String reason) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.satisfies((ex) -> {
					InvalidConfigurationPropertyValueException invalid = (InvalidConfigurationPropertyValueException) ex;
					assertThat(invalid.getName()).isEqualTo(name);
					assertThat(String.valueOf(invalid.getValue())).isEqualTo(value);
					assertThat(invalid.getReason()).contains(reason);
				});
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

		@Bean
		RedisConnectionFactory redisConnectionFactory() {
			return mock(LettuceConnectionFactory.class);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class EnableCachingOnly {

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomCacheManagerConfiguration {

		@Bean
		CacheManager cacheManager() {
			return new ConcurrentMapCacheManager();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		@Bean
		CacheManagerCustomizer<MultiLevelCacheManager> createCache() {
			return (manager) -> manager.getCache("from-customizer");
		}

		@Bean
		CacheManagerCustomizer<ConcurrentMapCacheManager> notApplicable() {
			return (manager) -> {
				throw new AssertionError("customizer for another manager type was called");
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SerializerConfiguration {

		@Bean
		CacheValueSerializer customSerializer() {
			return new CacheValueSerializer() {

				@Override
				public byte[] serialize(Object value) {
					return value.toString().getBytes();
				}

				@Override
				public Object deserialize(byte[] payload) {
					return new String(payload);
				}

			};
		}

	}

}
