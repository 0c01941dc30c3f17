package io.github.multilevelcache;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Boot application that adds the starter and uses {@code @Cacheable}: values land in
 * Redis under the prefix with the per-cache TTL, and an L1 hit sends no command to Redis.
 */
@RedisTest
class StarterIntegrationTests {

	// a server of this class's own: one test counts every command it receives
	private static RedisServer server;

	private final RedisServer redis = server;

	private final String prefix = "it-" + UUID.randomUUID() + ":";

	private ConfigurableApplicationContext context;

	@BeforeAll
	static void startRedis() {
		server = RedisServers.startPrivate();
	}

	@AfterAll
	static void stopRedis() {
		server.close();
	}

	@BeforeEach
	void start() {
		this.context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties("spring.data.redis.url=" + this.redis.url(), "multilevel-cache.key-prefix=" + this.prefix,
					"multilevel-cache.caches.products.l2.ttl=10m", "multilevel-cache.caches.products.l2.ttl-jitter=0",
					"multilevel-cache.defaults.l2.ttl=1h",
					// the invalidation heartbeat sends its own commands every second;
					// this test counts cache traffic
					"multilevel-cache.invalidation.enabled=false")
			.run();
	}

	@AfterEach
	void stop() {
		this.context.close();
	}

	@Test
	void cacheManagerIsTheMultiLevelOne() {
		assertThat(this.context.getBean(CacheManager.class)).isInstanceOf(MultiLevelCacheManager.class);
	}

	@Test
	void cacheableValuesAreStoredInRedisUnderThePrefixWithThePerCacheTtl() {
		Catalogue catalogue = this.context.getBean(Catalogue.class);
		assertThat(catalogue.find(7)).isEqualTo(new Product(7, "product-7"));
		String key = this.prefix + "products::7";
		assertThat(this.redis.command("EXISTS", key)).isEqualTo("1");
		long ttlSeconds = Long.parseLong(this.redis.command("TTL", key));
		assertThat(ttlSeconds).isBetween(590L, 600L);
		catalogue.tag("x");
		// a plain @Cacheable miss fills Redis without waiting for it: until Redis
		// replied, the key holds the miss's short fill guard
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(Long.parseLong(this.redis.command("TTL", this.prefix + "tags::x")))
				.isBetween(3000L, 3600L + 360L));
	}

	@Test
	void anL1HitSendsNoCommandToRedis() {
		Catalogue catalogue = this.context.getBean(Catalogue.class);
		catalogue.find(1);
		MultiLevelCache cache = (MultiLevelCache) this.context.getBean(CacheManager.class).getCache("products");
		assertThat(cache.holdsLocally(1L)).isTrue();
		long before = commandsExceptInfo();
		for (int i = 0; i < 100; i++) {
			assertThat(catalogue.find(1)).isEqualTo(new Product(1, "product-1"));
		}
		assertThat(commandsExceptInfo()).as("commands of any kind, scripts and the commands they ran included")
			.isEqualTo(before);
		assertThat(catalogue.loads()).isEqualTo(1);
		assertThat(cache.getStatistics().l1Hits()).isGreaterThanOrEqualTo(100);
		// the count does see the cache's traffic: a miss sends commands
		catalogue.find(2);
		assertThat(commandsExceptInfo()).isGreaterThan(before);
	}

	/**
	 * Every command the server ran since it started, except the {@code INFO} calls that
	 * read the count.
	 */
	private long commandsExceptInfo() {
		Map<String, Long> stats = this.redis.commandStats();
		return stats.entrySet()
			.stream()
			.filter((entry) -> !entry.getKey().equals("info"))
			.mapToLong(Map.Entry::getValue)
			.sum();
	}

	@Test
	void putAndEvictAnnotationsReachBothLevels() {
		Catalogue catalogue = this.context.getBean(Catalogue.class);
		catalogue.find(3);
		catalogue.rename(3, "renamed");
		assertThat(catalogue.find(3).name()).isEqualTo("renamed");
		catalogue.delete(3);
		assertThat(this.redis.command("EXISTS", this.prefix + "products::3")).isEqualTo("0");
		assertThat(catalogue.find(3).name()).isEqualTo("product-3");
		assertThat(catalogue.loads()).isEqualTo(2);
	}

	@Test
	void worksOnReactorNonBlockingThreadsToo() {
		// a WebFlux handler calls the cache on such a thread; Mono.block would refuse to
		// wait there
		Catalogue catalogue = this.context.getBean(Catalogue.class);
		Product product = reactor.core.publisher.Mono.fromCallable(() -> catalogue.find(11))
			.subscribeOn(reactor.core.scheduler.Schedulers.parallel())
			.block();
		assertThat(product).isEqualTo(new Product(11, "product-11"));
		assertThat(this.redis.command("EXISTS", this.prefix + "products::11")).isEqualTo("1");
		MultiLevelCache cache = (MultiLevelCache) this.context.getBean(CacheManager.class).getCache("products");
		assertThat(cache.getStatistics().l2Errors()).isZero();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableCaching
	static class App {

		@Bean
		Catalogue catalogue() {
			return new Catalogue();
		}

	}

	static class Catalogue {

		private final AtomicInteger loads = new AtomicInteger();

		@Cacheable(cacheNames = "products", sync = true)
		public Product find(long id) {
			this.loads.incrementAndGet();
			return new Product(id, "product-" + id);
		}

		@Cacheable("tags")
		public String tag(String name) {
			return name.toUpperCase();
		}

		@CachePut(cacheNames = "products", key = "#id")
		public Product rename(long id, String name) {
			return new Product(id, name);
		}

		@CacheEvict("products")
		public void delete(long id) {
		}

		int loads() {
			return this.loads.get();
		}

	}

	record Product(long id, String name) {
	}

}
