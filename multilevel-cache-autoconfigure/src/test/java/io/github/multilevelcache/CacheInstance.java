package io.github.multilevelcache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import io.github.multilevelcache.test.RedisServer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One application instance (a Spring Boot context with the starter) for multi-instance
 * tests; several share one Redis, as users run them.
 */
public final class CacheInstance implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private CacheInstance(ConfigurableApplicationContext context) {
		this.context = context;
	}

	/**
	 * Starts an instance.
	 * @param redis the shared Redis
	 * @param keyPrefix key prefix, unique per test
	 * @param properties extra properties ({@code name=value})
	 * @return the running instance
	 */
	public static CacheInstance start(RedisServer redis, String keyPrefix, String... properties) {
		return start(WebApplicationType.NONE, redis, keyPrefix, properties);
	}

	/**
	 * Starts an instance of the given web application type ({@code SERVLET} with
	 * {@code server.port=0} for HTTP tests).
	 */
	public static CacheInstance start(WebApplicationType type, RedisServer redis, String keyPrefix,
			String... properties) {
		return start(type, redis, keyPrefix, Map.of(), new Class<?>[0], properties);
	}

	/**
	 * Starts an instance with extra configuration classes (services with cached methods)
	 * and singletons shared with the other instances of a test (a simulated database,
	 * latches).
	 */
	public static CacheInstance start(RedisServer redis, String keyPrefix, Map<String, Object> singletons,
			Class<?>[] configurations, String... properties) {
		return start(WebApplicationType.NONE, redis, keyPrefix, singletons, configurations, properties);
	}

	/**
	 * Starts an instance of the given web application type with extra configuration
	 * classes and shared singletons ({@code REACTIVE} with {@code server.port=0} for
	 * WebFlux tests).
	 */
	public static CacheInstance start(WebApplicationType type, RedisServer redis, String keyPrefix,
			Map<String, Object> singletons, Class<?>[] configurations, String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.data.redis.url=" + redis.url(),
				"spring.data.redis.timeout=2s", "multilevel-cache.key-prefix=" + keyPrefix,
				"multilevel-cache.invalidation.channel=" + keyPrefix + "invalidation",
				"multilevel-cache.invalidation.heartbeat-interval=200ms", "spring.main.banner-mode=off"));
		for (String property : properties) {
			// a property given here replaces the default above
			String name = property.substring(0, property.indexOf('=') + 1);
			all.removeIf((existing) -> existing.startsWith(name));
			all.add(property);
		}
		Class<?>[] sources = new Class<?>[configurations.length + 1];
		sources[0] = App.class;
		System.arraycopy(configurations, 0, sources, 1, configurations.length);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(sources).web(type)
			.properties(all.toArray(new String[0]))
			.initializers((applicationContext) -> singletons
				.forEach((name, bean) -> applicationContext.getBeanFactory().registerSingleton(name, bean)))
			.run();
		return new CacheInstance(context);
	}

	public ConfigurableApplicationContext context() {
		return this.context;
	}

	/**
	 * The port the instance's web server listens on (web instances only).
	 */
	public int port() {
		return ((WebServerApplicationContext) this.context).getWebServer().getPort();
	}

	public MultiLevelCacheManager manager() {
		return this.context.getBean(MultiLevelCacheManager.class);
	}

	public MultiLevelCache cache(String name) {
		return manager().getCache(name);
	}

	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	/**
	 * Waits until the instance is subscribed to invalidations (until then its L1 stays
	 * unused).
	 */
	public CacheInstance awaitSubscribed() {
		org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> bus().isSubscribed());
		return this;
	}

	public RedisInvalidationBus bus() {
		return this.context.getBean(RedisInvalidationBus.class);
	}

	/**
	 * Whether this instance's L1 holds the key (without touching statistics or Redis).
	 */
	public boolean inL1(String cacheName, Object key) {
		return cache(cacheName).holdsLocally(key);
	}

	@Override
	public void close() {
		this.context.close();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableCaching
	static class App {

	}

}
