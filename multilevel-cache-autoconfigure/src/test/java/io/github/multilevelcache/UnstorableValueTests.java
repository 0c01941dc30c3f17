package io.github.multilevelcache;

import java.util.List;
import java.util.UUID;

import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A value whose type is outside the serialization allow-list (issue 16, item 8): the
 * allow-list protects reads and never breaks writes. The caller gets its value, it is
 * kept in L1 only, whatever Redis held under the key is removed (so no instance serves an
 * older value from Redis), a WARN names the type and the property to set, once per type,
 * and a counter counts every such value.
 */
@RedisTest
@ExtendWith(OutputCaptureExtension.class)
class UnstorableValueTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "unstorable-" + UUID.randomUUID() + ":";

	private LettuceConnectionFactory connectionFactory;

	private MultiLevelCache cache;

	@BeforeEach
	void setUp() {
		this.connectionFactory = RedisTestSupport.connectionFactory(this.redis);
		MultiLevelCacheManager manager = MultiLevelCacheManager.builder(this.connectionFactory)
			.defaults(CacheSettings.defaults().withKeyPrefix(this.prefix))
			.serializer(new JacksonCacheValueSerializer(List.of("io.github.multilevelcache")))
			.build();
		manager.afterSingletonsInstantiated();
		this.cache = manager.getCache("accounts");
	}

	@AfterEach
	void tearDown() {
		this.connectionFactory.destroy();
	}

	@Test
	void aPutIsKeptInL1OnlyReplacesWhatRedisHeldAndWarnsOncePerType(CapturedOutput output) {
		this.cache.put("k", "an allowed value");
		assertThat(RedisTestSupport.holdsValue(this.redis, this.cache.canonicalKey("k"))).isTrue();
		StringBuilder money = new StringBuilder("12.50 EUR");
		this.cache.put("k", money);
		assertThat(this.cache.get("k").get()).isSameAs(money);
		assertThat(RedisTestSupport.holdsValue(this.redis, this.cache.canonicalKey("k")))
			.as("the older value is gone from Redis")
			.isFalse();
		this.cache.put("j", new StringBuilder("3 USD"));
		assertThat(this.cache.getStatistics().unstorableValues()).isEqualTo(2);
		assertThat(output).contains("java.lang.StringBuilder").contains("multilevel-cache.serialization.allowed-types");
		assertThat(output.toString().split("Values of type java.lang.StringBuilder", -1)).as("warned once").hasSize(2);
	}

	@Test
	void aLoadedValueReachesTheCallerAndStaysInL1(CapturedOutput output) {
		StringBuilder loaded = this.cache.get("loaded", () -> new StringBuilder("7 GBP"));
		assertThat(loaded).hasToString("7 GBP");
		assertThat(this.cache.holdsLocally("loaded")).isTrue();
		assertThat(RedisTestSupport.holdsValue(this.redis, this.cache.canonicalKey("loaded"))).isFalse();
		// a plain miss followed by its fill, as plain @Cacheable does
		assertThat(this.cache.get("filled")).isNull();
		this.cache.put("filled", new StringBuilder("1 CHF"));
		assertThat(this.cache.get("filled").get()).hasToString("1 CHF");
		assertThat(this.cache.getStatistics().unstorableValues()).isEqualTo(2);
	}

}
