package io.github.multilevelcache.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.multilevelcache.MultiLevelCache;
import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.benchmarks.BenchmarkApplication.LoadCounter;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.CacheManager;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One application instance of a benchmark: a Spring Boot context of
 * {@link BenchmarkApplication} with its own Redis connection factory, as a separate
 * process would have. Objects shared by the instances of one run (the simulated database,
 * counters) are registered as singletons.
 */
public final class BenchmarkInstance implements AutoCloseable {

	private final ManagerKind kind;

	private final ConfigurableApplicationContext context;

	private BenchmarkInstance(ManagerKind kind, ConfigurableApplicationContext context) {
		this.kind = kind;
		this.context = context;
	}

	/**
	 * Starts an instance.
	 * @param kind the cache manager to use
	 * @param redisUrl the Redis every instance of the run shares
	 * @param prefix key prefix (and channel) of this run, so runs never see each other's
	 * keys
	 * @param singletons beans shared with the other instances, by name: {@code database}
	 * ({@link Database}), {@code loadCounter} ({@link LoadCounter}), {@code viewsWriter}
	 * ({@link RecordingWriter}); those not given are private to the instance
	 * @param properties extra properties ({@code name=value})
	 */
	public static BenchmarkInstance start(ManagerKind kind, String redisUrl, String prefix,
			Map<String, Object> singletons, String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.data.redis.url=" + redisUrl, "spring.data.redis.timeout=5s",
				"spring.main.banner-mode=off", "spring.main.log-startup-info=false", "logging.level.root=WARN",
				"spring.jmx.enabled=false"));
		all.addAll(kind.properties(prefix));
		all.addAll(List.of(properties));
		Map<String, Object> beans = new LinkedHashMap<>(Map.of("database", new Database(1_000, Duration.ZERO),
				"loadCounter", new LoadCounter(), "viewsWriter", new RecordingWriter(Duration.ZERO)));
		beans.putAll(singletons);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(BenchmarkApplication.class)
			.web(WebApplicationType.NONE)
			.properties(all.toArray(new String[0]))
			.initializers((applicationContext) -> beans
				.forEach((name, bean) -> applicationContext.getBeanFactory().registerSingleton(name, bean)))
			.run();
		return new BenchmarkInstance(kind, context);
	}

	/**
	 * The manager this instance runs.
	 */
	public ManagerKind kind() {
		return this.kind;
	}

	/**
	 * A bean of the instance (a service proxy, usually).
	 */
	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	/**
	 * The cache manager Boot configured.
	 */
	public CacheManager cacheManager() {
		return this.context.getBean(CacheManager.class);
	}

	/**
	 * A multilevel cache of this instance; only for {@link ManagerKind#isMultilevel()
	 * multilevel} kinds.
	 */
	public MultiLevelCache multiLevelCache(String name) {
		return ((MultiLevelCacheManager) cacheManager()).getCache(name);
	}

	/**
	 * Whether this instance's L1 holds the key, without touching statistics or Redis.
	 */
	public boolean inL1(String cacheName, Object key) {
		return multiLevelCache(cacheName).holdsLocally(key);
	}

	/**
	 * Waits until a multilevel instance is subscribed to invalidations (until then its L1
	 * stays unused), so a measurement starts on a running system; returns at once for the
	 * other managers.
	 */
	void awaitCoherent() {
		if (!this.kind.isMultilevel()) {
			return;
		}
		RedisInvalidationBus bus = this.context.getBeanProvider(RedisInvalidationBus.class).getIfAvailable();
		long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
		while (bus != null && !bus.isSubscribed() && System.nanoTime() < deadline) {
			java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
		}
	}

	@Override
	public void close() {
		this.context.close();
	}

}
