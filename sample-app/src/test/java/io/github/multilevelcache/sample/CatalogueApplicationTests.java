package io.github.multilevelcache.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The catalogue as users run it: real Redis, a real database (H2, or PostgreSQL when
 * reachable), HTTP calls, and two instances sharing both.
 */
@ExtendWith(OutputCaptureExtension.class)
class CatalogueApplicationTests {

	private final RedisServer redis = RedisServers.shared();

	private final HttpClient http = HttpClient.newHttpClient();

	private final String prefix = "catalogue-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final String database = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

	private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	@AfterEach
	void stop() {
		this.instances.forEach(ConfigurableApplicationContext::close);
	}

	private ConfigurableApplicationContext start(String... extra) {
		List<String> properties = new ArrayList<>(
				List.of("server.port=0", "spring.data.redis.host=" + this.redis.host(),
						"spring.data.redis.port=" + this.redis.port(), "multilevel-cache.key-prefix=" + this.prefix,
						"multilevel-cache.invalidation.channel=" + this.prefix + "invalidation",
						"spring.datasource.url=" + this.database, "catalogue.database-delay=5ms",
						"catalogue.seed-products=50"));
		for (String property : extra) {
			String name = property.substring(0, property.indexOf('=') + 1);
			properties.removeIf((existing) -> existing.startsWith(name));
			properties.add(property);
		}
		// command-line arguments, so they win over application.yml as they would for a
		// user
		ConfigurableApplicationContext context = new SpringApplicationBuilder(CatalogueApplication.class)
			.run(properties.stream().map((property) -> "--" + property).toArray(String[]::new));
		this.instances.add(context);
		return context;
	}

	private HttpResponse<String> call(ConfigurableApplicationContext instance, String method, String path, String body)
			throws IOException, InterruptedException {
		int port = ((WebServerApplicationContext) instance).getWebServer().getPort();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Content-Type", "application/json")
			.method(method,
					(body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody())
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static String source(HttpResponse<?> response) {
		return response.headers().firstValue(ProductController.SOURCE_HEADER).orElse("?");
	}

	@Test
	void aReadHitsTheDatabaseOnceThenL1() throws Exception {
		ConfigurableApplicationContext app = start();
		ProductRepository repository = app.getBean(ProductRepository.class);
		long reads = repository.reads();
		HttpResponse<String> first = call(app, "GET", "/products/1", null);
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(source(first)).isEqualTo("database");
		assertThat(first.body()).contains("\"name\":\"Product 1\"");
		HttpResponse<String> second = call(app, "GET", "/products/1", null);
		assertThat(source(second)).isEqualTo("L1");
		assertThat(second.body()).isEqualTo(first.body());
		assertThat(repository.reads() - reads).isEqualTo(1);
		assertThat(this.redis.command("EXISTS", this.prefix + "products::1")).isEqualTo("1");
	}

	@Test
	void missingProductIs404AndTheMissIsCached() throws Exception {
		ConfigurableApplicationContext app = start();
		ProductRepository repository = app.getBean(ProductRepository.class);
		long reads = repository.reads();
		assertThat(call(app, "GET", "/products/999999", null).statusCode()).isEqualTo(404);
		assertThat(call(app, "GET", "/products/999999", null).statusCode()).isEqualTo(404);
		assertThat(repository.reads() - reads).isEqualTo(1);
	}

	@Test
	void anUpdateOnOneInstanceIsSeenByTheOther() throws Exception {
		ConfigurableApplicationContext a = start();
		ConfigurableApplicationContext b = start();
		assertThat(source(call(b, "GET", "/products/2", null))).isEqualTo("database");
		await().atMost(Duration.ofSeconds(5)).until(() -> "L1".equals(source(call(b, "GET", "/products/2", null))));
		HttpResponse<String> update = call(a, "PUT", "/products/2", "{\"name\":\"Renamed\",\"price\":9.99}");
		assertThat(update.statusCode()).isEqualTo(200);
		// B's L1 copy is dropped by the invalidation message; B then reads the new value
		// from Redis
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			HttpResponse<String> read = call(b, "GET", "/products/2", null);
			assertThat(read.body()).contains("Renamed");
			assertThat(source(read)).isIn("L2", "L1");
		});
		assertThat(call(a, "DELETE", "/products/2", null).statusCode()).isEqualTo(204);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(call(b, "GET", "/products/2", null).statusCode()).isEqualTo(404));
	}

	@Test
	void statsEndpointCountsDatabaseReads() throws Exception {
		ConfigurableApplicationContext app = start();
		call(app, "GET", "/products/3", null);
		call(app, "GET", "/products/3", null);
		HttpResponse<String> stats = call(app, "GET", "/cache/stats", null);
		assertThat(stats.statusCode()).isEqualTo(200);
		JsonNode body = JsonMapper.builder().build().readTree(stats.body());
		assertThat(body.get("loads").isIntegralNumber()).isTrue();
		assertThat(body.get("loads").asLong()).isEqualTo(1);
		assertThat(body.get("l1Hits").asLong()).isEqualTo(1);
	}

	@Test
	void priceUpdatesAreWrittenThroughToTheDatabase() throws Exception {
		ConfigurableApplicationContext app = start();
		assertThat(call(app, "GET", "/products/5/price", null).body()).isEqualTo("1.05");
		assertThat(call(app, "PUT", "/products/5/price", "42.50").statusCode()).isEqualTo(200);
		ProductRepository repository = app.getBean(ProductRepository.class);
		assertThat(repository.findById(5).orElseThrow().price()).isEqualByComparingTo("42.50");
		assertThat(call(app, "GET", "/products/5/price", null).body()).isEqualTo("42.50");
		// the writer refuses an unknown product: the caller gets the error and nothing is
		// cached
		assertThat(call(app, "PUT", "/products/999999/price", "1.00").statusCode()).isEqualTo(500);
		assertThat(this.redis.command("EXISTS", this.prefix + "prices::999999")).isEqualTo("0");
	}

	@Test
	void viewCountsReachTheDatabaseInBatchesAndOnShutdown() throws Exception {
		ConfigurableApplicationContext app = start("multilevel-cache.caches.views.write-behind.flush-interval=200ms");
		for (int i = 0; i < 10; i++) {
			call(app, "GET", "/products/6", null);
		}
		ViewsWriter writer = app.getBean(ViewsWriter.class);
		await().atMost(Duration.ofSeconds(5)).until(() -> writer.stored(6) == 10);
		assertThat(writer.batches()).as("coalesced: far fewer batches than views").isLessThan(10);
		ConfigurableApplicationContext second = start("multilevel-cache.caches.views.write-behind.flush-interval=10m",
				"spring.datasource.url=" + this.database);
		ViewsWriter secondWriter = second.getBean(ViewsWriter.class);
		for (int i = 0; i < 5; i++) {
			call(second, "GET", "/products/7", null);
		}
		assertThat(secondWriter.stored(7)).as("not flushed yet").isZero();
		second.close();
		assertThat(writer.stored(7)).as("flushed when the instance shut down").isEqualTo(5);
	}

	@Test
	void readAndUpdateWorkOnPostgresql() throws Exception {
		Assumptions.assumeTrue(reachable("127.0.0.1", 5432),
				"PostgreSQL not reachable on 127.0.0.1:5432: skipping the postgres profile test");
		ConfigurableApplicationContext a = start("spring.profiles.active=postgres",
				"spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test");
		ConfigurableApplicationContext b = start("spring.profiles.active=postgres",
				"spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test");
		HttpResponse<String> first = call(a, "GET", "/products/4", null);
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(source(first)).isEqualTo("database");
		assertThat(source(call(b, "GET", "/products/4", null))).isEqualTo("L2");
		String name = "Postgres " + UUID.randomUUID();
		call(a, "PUT", "/products/4", "{\"name\":\"" + name + "\",\"price\":1.50}");
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(call(b, "GET", "/products/4", null).body()).contains(name));
	}

	private static boolean reachable(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Test
	void everyCacheIsBoundToTheMeterRegistryOnce(CapturedOutput output) throws Exception {
		// Micrometer warns of a second registration once per JVM, then logs it at debug
		ConfigurableApplicationContext instance = start(
				"logging.level.io.micrometer.core.instrument.MeterRegistry=debug");
		call(instance, "GET", "/products/1", null);
		call(instance, "GET", "/products/1/price", null);
		assertThat(call(instance, "GET", "/actuator/metrics/cache.size", null).statusCode()).isEqualTo(200);
		assertThat(output).doesNotContain("already registered");
	}

	@Test
	void theEndpointIsExposedAndAnInstanceWithRedisDownStaysReady() throws Exception {
		RedisServer own = RedisServers.startPrivate();
		try {
			ConfigurableApplicationContext instance = start("spring.data.redis.host=" + own.host(),
					"spring.data.redis.port=" + own.port());
			HttpResponse<String> endpoint = call(instance, "GET", "/actuator/multilevelcache", null);
			assertThat(endpoint.statusCode()).isEqualTo(200);
			assertThat(endpoint.body()).contains("\"products\"", "\"prices\"", "\"views\"");
			own.stop();
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				call(instance, "GET", "/products/" + (2 + (System.nanoTime() % 40)), null);
				HttpResponse<String> readiness = call(instance, "GET", "/actuator/health/readiness", null);
				assertThat(readiness.statusCode()).isEqualTo(200);
				assertThat(readiness.body()).contains("\"degraded\":true");
			});
			assertThat(call(instance, "GET", "/actuator/health", null).statusCode()).isEqualTo(200);
		}
		finally {
			own.close();
		}
	}

}
