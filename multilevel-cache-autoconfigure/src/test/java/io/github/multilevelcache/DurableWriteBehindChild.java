package io.github.multilevelcache;

import io.github.multilevelcache.write.CacheWriter;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A separate JVM for the durable write-behind test: accepts writes into a durable
 * write-behind cache whose writer never runs (long flush interval), prints
 * {@code ACCEPTED}, and waits to be killed with SIGKILL.
 */
public final class DurableWriteBehindChild {

	private DurableWriteBehindChild() {
	}

	public static void main(String[] args) throws Exception {
		String redisUrl = args[0];
		String prefix = args[1];
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ChildApp.class)
			.web(WebApplicationType.NONE)
			.properties("spring.data.redis.url=" + redisUrl, "multilevel-cache.key-prefix=" + prefix,
					"multilevel-cache.invalidation.enabled=false", "spring.main.banner-mode=off",
					"logging.level.root=warn", "multilevel-cache.caches.orders.strategy=write-behind",
					"multilevel-cache.caches.orders.writer=neverWriter",
					"multilevel-cache.caches.orders.write-behind.durable=true",
					"multilevel-cache.caches.orders.write-behind.flush-interval=10m",
					"multilevel-cache.caches.orders.write-behind.batch-size=100000")
			.run();
		MultiLevelCache orders = context.getBean(MultiLevelCacheManager.class).getCache("orders");
		for (long version = 1; version <= 5; version++) {
			for (int key = 0; key < 10; key++) {
				orders.put("order-" + key, version);
			}
		}
		orders.evict("order-9");
		System.out.println("ACCEPTED");
		System.out.flush();
		Thread.sleep(Long.MAX_VALUE);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableCaching
	static class ChildApp {

		@Bean
		CacheWriter<Object, Object> neverWriter() {
			return new CacheWriter<>() {

				@Override
				public void write(Object key, Object value) {
					throw new IllegalStateException("the child must be killed before it flushes");
				}

				@Override
				public void delete(Object key) {
					throw new IllegalStateException("the child must be killed before it flushes");
				}

			};
		}

	}

}
