package io.github.multilevelcache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.github.multilevelcache.test.RedisServer;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Connection factories and raw Redis access for tests.
 */
public final class RedisTestSupport {

	private RedisTestSupport() {
	}

	/**
	 * A started Lettuce connection factory for a server; the caller destroys it.
	 */
	public static LettuceConnectionFactory connectionFactory(RedisServer server) {
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(server.host(), server.port());
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.commandTimeout(Duration.ofSeconds(5))
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration, client);
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * Whether Redis holds a cached value (not a lease or fill guard) under the key.
	 */
	public static boolean holdsValue(RedisServer redis, String key) {
		byte[] bytes = redis.commandBytes(utf8("GET"), utf8(key));
		return bytes != null && !Envelope.isPlaceholder(bytes);
	}

	public static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
