package io.github.multilevelcache;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;

import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import io.github.multilevelcache.test.RedisSentinelSetup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sentinel promotes the replica after the primary is killed: readers keep being answered throughout, the
 * application clears L1 (acknowledged writes may be lost by Redis itself) and resumes two-level service on the
 * new primary.
 */
class SentinelFailoverTests {

	@Test
	void killingThePrimaryFailsOverWithoutErrorsToCallers() throws Exception {
		try (RedisSentinelSetup redis = RedisSentinelSetup.start();
				ConfigurableApplicationContext app = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
					.properties("spring.data.redis.sentinel.master=" + RedisSentinelSetup.MASTER,
							"spring.data.redis.sentinel.nodes=" + redis.sentinels(), "spring.data.redis.timeout=2s",
							"multilevel-cache.key-prefix=s:", "multilevel-cache.invalidation.heartbeat-interval=200ms")
					.run()) {
			MultiLevelCache cache = app.getBean(MultiLevelCacheManager.class).getCache("products");
			RedisInvalidationBus bus = app.getBean(RedisInvalidationBus.class);
			await().atMost(Duration.ofSeconds(10)).until(bus::isSubscribed);
			cache.put("cached-before", "v");
			long resubscriptions = bus.statistics().resubscriptions();
			AtomicBoolean running = new AtomicBoolean(true);
			ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
			AtomicLong longestStall = new AtomicLong();
			AtomicLong counter = new AtomicLong();
			Thread[] readers = new Thread[2];
			for (int i = 0; i < readers.length; i++) {
				readers[i] = new Thread(() -> {
					while (running.get()) {
						long start = System.nanoTime();
						try {
							cache.get("key" + (counter.incrementAndGet() % 50), () -> "loaded");
						}
						catch (Throwable ex) {
							errors.add(ex);
						}
						longestStall.accumulateAndGet(System.nanoTime() - start, Math::max);
					}
				});
				readers[i].start();
			}
			Thread.sleep(300);
			redis.killPrimary();
			await().atMost(Duration.ofSeconds(40)).until(() -> redis.currentPrimaryPort() == redis.replicaPort());
			await().atMost(Duration.ofSeconds(30))
				.until(() -> bus.statistics().resubscriptions() > resubscriptions && bus.isSubscribed());
			assertThat(cache.l1().peek(cache.canonicalKey("cached-before"))).as("L1 cleared after the failover")
				.isNull();
			// two-level service resumed on the new primary
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
				cache.put("after", "x");
				assertThat(redis.currentPrimary().command("EXISTS", cache.canonicalKey("after"))).isEqualTo("1");
			});
			running.set(false);
			for (Thread reader : readers) {
				reader.join(10_000);
			}
			System.out.printf("[sentinel] failover under 2 reader threads: %d errors, longest stall %.0f ms%n",
					errors.size(), longestStall.get() / 1e6);
			assertThat(errors).isEmpty();
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableCaching
	static class App {

	}

}
