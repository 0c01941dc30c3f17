package io.github.multilevelcache;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import io.github.multilevelcache.write.CacheWriter;
import org.apache.catalina.Lifecycle;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, write-behind: "Closing the context flushes everything accepted: after the web
 * server stopped taking requests, before Redis connections close." A request still
 * running while the web server stops has its write flushed by the final flush, in a
 * batch, not left behind it.
 */
@RedisTest
class WriteBehindShutdownOrderTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "wb-shutdown-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	@Test
	void aWriteOfARequestInFlightWhileTheWebServerStopsIsFlushedByTheFinalFlush() throws Exception {
		Gate gate = new Gate();
		BatchRecordingWriter writer = new BatchRecordingWriter();
		ConfigurableApplicationContext context = new SpringApplicationBuilder(WebApp.class)
			.web(WebApplicationType.SERVLET)
			.initializers((ctx) -> {
				ctx.getBeanFactory().registerSingleton("ordersWriter", writer);
				ctx.getBeanFactory().registerSingleton("gate", gate);
			})
			.properties("server.port=0", "server.shutdown=immediate", "spring.main.banner-mode=off",
					"spring.data.redis.url=" + this.redis.url(), "multilevel-cache.key-prefix=" + this.prefix,
					"multilevel-cache.invalidation.enabled=false",
					"multilevel-cache.caches.orders.strategy=write-behind",
					"multilevel-cache.caches.orders.writer=ordersWriter",
					"multilevel-cache.caches.orders.write-behind.flush-interval=10m",
					"multilevel-cache.caches.orders.write-behind.batch-size=1000")
			.run();
		MultiLevelCache orders = context.getBean(MultiLevelCacheManager.class).getCache("orders");
		orders.put("early", "accepted before shutdown");
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		HttpClient http = HttpClient.newHttpClient();
		CompletableFuture<HttpResponse<String>> response = http
			.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/orders/late"))
				.POST(HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(gate.entered.await(10, TimeUnit.SECONDS)).as("the request is in the controller").isTrue();
		assertThat(writer.batches).as("nothing flushed before the shutdown").isEmpty();
		CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
		closing.get(60, TimeUnit.SECONDS);
		assertThat(gate.stopping.getCount()).as("the web server's connector was stopped").isZero();
		assertThat(gate.written.getCount()).as("the request wrote while the web server stopped").isZero();
		assertThat(writer.direct).as("no write had to bypass the queue").isEmpty();
		assertThat(orders.getWriteBehindStatistics().writtenThrough()).isZero();
		assertThat(writer.batches.stream().flatMap((batch) -> batch.entrySet().stream()).toList())
			.as("both writes reached the writer in the final flush")
			.containsExactlyInAnyOrder(Map.entry("early", "accepted before shutdown"), Map.entry("late", "in flight"));
		response.cancel(true);
	}

	/**
	 * Latches shared by the controller and the connector's stop.
	 */
	static final class Gate {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch stopping = new CountDownLatch(1);

		final CountDownLatch written = new CountDownLatch(1);

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableCaching
	static class WebApp {

		@Bean
		OrdersController ordersController(CacheManager cacheManager, Gate gate) {
			return new OrdersController(cacheManager, gate);
		}

		/**
		 * The connector, stopping, lets the request in flight go on and waits for its
		 * write, as a web server finishing its requests would.
		 */
		@Bean
		TomcatConnectorCustomizer finishRequestsWhileStopping(Gate gate) {
			return (connector) -> connector.addLifecycleListener((event) -> {
				if (Lifecycle.BEFORE_STOP_EVENT.equals(event.getType()) && gate.entered.getCount() == 0) {
					gate.stopping.countDown();
					try {
						gate.written.await(10, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
			});
		}

	}

	@RestController
	static class OrdersController {

		private final CacheManager cacheManager;

		private final Gate gate;

		OrdersController(CacheManager cacheManager, Gate gate) {
			this.cacheManager = cacheManager;
			this.gate = gate;
		}

		@PostMapping("/orders/{id}")
		String put(@PathVariable String id) throws InterruptedException {
			this.gate.entered.countDown();
			if (!this.gate.stopping.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The web server never stopped");
			}
			this.cacheManager.getCache("orders").put(id, "in flight");
			this.gate.written.countDown();
			return "ok";
		}

	}

	static final class BatchRecordingWriter implements CacheWriter<Object, Object> {

		final List<Map<Object, Object>> batches = new CopyOnWriteArrayList<>();

		final Map<Object, Object> direct = new ConcurrentHashMap<>();

		@Override
		public void write(Object key, Object value) {
			this.direct.put(key, value);
		}

		@Override
		public void writeAll(Map<Object, Object> entries) {
			this.batches.add(Map.copyOf(entries));
		}

		@Override
		public void delete(Object key) {
			this.direct.put(key, "deleted");
		}

	}

}
