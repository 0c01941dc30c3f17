package io.github.multilevelcache;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The cache contract over Boot's Lettuce connection to a real Redis.
 */
@RedisTest
class RedisCacheContractTests extends CacheContractTests {

	private LettuceConnectionFactory connectionFactory;

	/**
	 * The server the contract runs on.
	 */
	protected RedisServer server() {
		return RedisServers.shared();
	}

	@BeforeEach
	void connect() {
		this.connectionFactory = RedisTestSupport.connectionFactory(server());
	}

	@AfterEach
	void disconnect() {
		this.connectionFactory.destroy();
	}

	@Override
	protected MultiLevelCacheManagerBuilder builder() {
		return MultiLevelCacheManager.builder(this.connectionFactory);
	}

	@Override
	protected byte @Nullable [] raw(String key) {
		return server().commandBytes(RedisTestSupport.utf8("GET"), RedisTestSupport.utf8(key));
	}

	@Override
	protected void rawSet(String key, byte[] value) {
		server().commandBytes(RedisTestSupport.utf8("SET"), RedisTestSupport.utf8(key), value);
	}

}
