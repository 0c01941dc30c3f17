package io.github.multilevelcache.sample;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Checks once at start-up whether Redis answers and, if not, says so in one line with how
 * to start one. The application serves either way: without Redis the cache works in this
 * JVM only.
 */
@Component
class RedisAvailabilityReporter implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(RedisAvailabilityReporter.class);

	private final RedisConnectionFactory connectionFactory;

	private final Environment environment;

	RedisAvailabilityReporter(RedisConnectionFactory connectionFactory, Environment environment) {
		this.connectionFactory = connectionFactory;
		this.environment = environment;
	}

	@Override
	public void run(ApplicationArguments args) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			connection.ping();
		}
		catch (RuntimeException ex) {
			logger.warn("Redis is not reachable at "
					+ this.environment.getProperty("spring.data.redis.url", "redis://localhost:6379")
					+ ": serving from the in-process cache only. Start one with: redis-server --daemonize yes");
		}
	}

}
