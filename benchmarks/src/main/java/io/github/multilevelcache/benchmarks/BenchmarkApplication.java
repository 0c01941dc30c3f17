package io.github.multilevelcache.benchmarks;

import java.io.Serializable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The application every benchmark instance runs: plain Spring Cache annotations on small
 * services, so the same code measures whichever {@code CacheManager} Boot configures
 * ({@link ManagerKind}).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableCaching
public class BenchmarkApplication {

	@Bean
	@ConditionalOnBooleanProperty("benchmarks.jetcache.enabled")
	JetCacheManager jetCacheManager(Environment environment) {
		return new JetCacheManager(environment.getRequiredProperty("spring.data.redis.url"),
				environment.getRequiredProperty("benchmarks.jetcache.prefix"),
				environment.getProperty("benchmarks.local-size", Integer.class, 10_000));
	}

	@Bean
	Catalogue catalogue() {
		return new Catalogue();
	}

	@Bean
	ItemService itemService(Database database) {
		return new ItemService(database);
	}

	@Bean
	StampedeService stampedeService(LoadCounter loads) {
		return new StampedeService(loads);
	}

	@Bean
	ViewsService viewsService() {
		return new ViewsService();
	}

	/**
	 * A small value, as a product lookup returns it (serializable for the JDK serializer
	 * of {@code RedisCacheManager}).
	 */
	public record Product(long id, String name, long priceCents) implements Serializable {
	}

	/**
	 * A database row and the version written last.
	 */
	public record Item(long id, long version) implements Serializable {
	}

	/**
	 * Scenarios 1 and 2: a lookup that is cheap to compute, so only the cache is
	 * measured.
	 */
	public static class Catalogue {

		@Cacheable("products")
		public Product product(Long id) {
			return new Product(id, "product-" + id, 100 + id);
		}

		/**
		 * The same lookup through {@code get(key, loader)}, where the freshness checks
		 * run.
		 */
		@Cacheable(cacheNames = "products", sync = true)
		public Product productSync(Long id) {
			return new Product(id, "product-" + id, 100 + id);
		}

	}

	/**
	 * Scenario 3: reads and updates of a {@link Database}, as a repository-backed service
	 * does them.
	 */
	public static class ItemService {

		private final Database database;

		ItemService(Database database) {
			this.database = database;
		}

		@Cacheable(cacheNames = "items", sync = true)
		public Item get(Long id) {
			return this.database.load(id);
		}

		@Cacheable("items")
		public Item getPlain(Long id) {
			return this.database.load(id);
		}

		@CachePut(cacheNames = "items", key = "#id")
		public Item update(Long id) {
			return this.database.update(id);
		}

		@CacheEvict(cacheNames = "items", key = "#id")
		public Item updateAndEvict(Long id) {
			return this.database.update(id);
		}

	}

	/**
	 * Scenario 5: an expensive load that counts how often it runs.
	 */
	public static class StampedeService {

		private final LoadCounter loads;

		StampedeService(LoadCounter loads) {
			this.loads = loads;
		}

		@Cacheable(cacheNames = "stampede", sync = true)
		public String load(String key) {
			return slowLoad(key);
		}

		@Cacheable(cacheNames = "stampede-plain")
		public String loadPlain(String key) {
			return slowLoad(key);
		}

		private String slowLoad(String key) {
			this.loads.increment();
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
			return "value-of-" + key;
		}

	}

	/**
	 * Scenario 6: a hot counter written through {@code @CachePut}; the strategy of cache
	 * {@code views} decides when the database sees it.
	 */
	public static class ViewsService {

		@CachePut(cacheNames = "views", key = "#id")
		public Long record(Long id, Long views) {
			return views;
		}

	}

	/**
	 * How often a loader ran, shared by all instances of one run.
	 */
	public static final class LoadCounter {

		private final AtomicLong count = new AtomicLong();

		void increment() {
			this.count.incrementAndGet();
		}

		public long get() {
			return this.count.get();
		}

	}

}
