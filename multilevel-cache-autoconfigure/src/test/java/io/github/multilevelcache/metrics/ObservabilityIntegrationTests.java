package io.github.multilevelcache.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.MultiLevelCache;
import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Meters, the actuator endpoint and the health contribution in real Boot contexts on a
 * real Redis.
 */
@RedisTest
class ObservabilityIntegrationTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "obs-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private static double count(MeterRegistry registry, String name, String... tags) {
		return registry.get(name).tags(tags).functionCounter().count();
	}

	@Test
	void knownTrafficGivesExactMetersPerLevel() {
		try (CacheInstance a = CacheInstance.start(this.redis, this.prefix,
				"multilevel-cache.caches.metered.l2.ttl=10m");
				CacheInstance b = CacheInstance.start(this.redis, this.prefix)) {
			await().atMost(Duration.ofSeconds(10)).until(() -> a.bus().isSubscribed() && b.bus().isSubscribed());
			MultiLevelCache onA = a.cache("metered");
			MultiLevelCache onB = b.cache("metered");
			onA.put("hot", "v");
			for (int i = 0; i < 30; i++) {
				onB.put("l2-" + i, i);
			}
			// B's invalidations reach A before A reads, so no read races one (a racing
			// read rightly skips L1)
			await().atMost(Duration.ofSeconds(5)).until(() -> a.bus().statistics().received() >= 30);
			for (int i = 0; i < 60; i++) {
				assertThat(onA.get("hot").get()).isEqualTo("v");
			}
			for (int i = 0; i < 30; i++) {
				assertThat(onA.get("l2-" + i).get()).isEqualTo(i);
			}
			for (int i = 0; i < 10; i++) {
				assertThat(onA.get("missing-" + i)).isNull();
			}
			MeterRegistry registry = a.context().getBean(MeterRegistry.class);
			assertThat(count(registry, "cache.level.gets", "cache", "metered", "level", "l1", "result", "hit"))
				.isEqualTo(60);
			assertThat(count(registry, "cache.level.gets", "cache", "metered", "level", "l1", "result", "miss"))
				.isEqualTo(40);
			assertThat(count(registry, "cache.level.gets", "cache", "metered", "level", "l2", "result", "hit"))
				.isEqualTo(30);
			assertThat(count(registry, "cache.level.gets", "cache", "metered", "level", "l2", "result", "miss"))
				.isEqualTo(10);
			assertThat(count(registry, "cache.gets", "cache", "metered", "result", "hit")).isEqualTo(90);
			assertThat(count(registry, "cache.gets", "cache", "metered", "result", "miss")).isEqualTo(10);
			assertThat(count(registry, "cache.puts", "cache", "metered")).isEqualTo(1);
			assertThat(registry.get("cache.size").tags("cache", "metered").gauge().value()).isEqualTo(31);
			assertThat(registry.get("multilevel.cache.invalidations")
				.tags("direction", "received")
				.functionCounter()
				.count()).isGreaterThanOrEqualTo(30);
			assertThat(registry.get("multilevel.cache.l2.available").gauge().value()).isEqualTo(1);
		}
	}

	@Test
	void loadsAreTimedAndDynamicCachesGetMeters() {
		try (CacheInstance a = CacheInstance.start(this.redis, this.prefix)) {
			MultiLevelCache created = a.cache("created-later");
			created.get("k", () -> "v");
			MeterRegistry registry = a.context().getBean(MeterRegistry.class);
			assertThat(registry.get("cache.load.duration").tags("cache", "created-later").timer().count()).isEqualTo(1);
			assertThat(count(registry, "cache.loads", "cache", "created-later", "result", "success")).isEqualTo(1);
			assertThat(
					registry.get("cache.gets").tags("cache", "created-later", "cache.manager", "cacheManager").meters())
				.isNotEmpty();
		}
	}

	@Test
	void endpointReadsAndClearsClusterWide() throws Exception {
		try (CacheInstance a = CacheInstance.start(WebApplicationType.SERVLET, this.redis, this.prefix, "server.port=0",
				"management.endpoints.web.exposure.include=multilevelcache,health",
				"management.endpoint.health.show-details=always");
				CacheInstance b = CacheInstance.start(this.redis, this.prefix)) {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> a.bus().peers().containsKey(b.bus().instanceId()) && b.bus().isSubscribed());
			a.cache("products").put("1", "one");
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				b.cache("products").get("1");
				return b.inL1("products", "1");
			});
			int port = ((WebServerApplicationContext) a.context()).getWebServer().getPort();
			HttpClient http = HttpClient.newHttpClient();
			HttpResponse<String> all = http
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/multilevelcache"))
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(all.statusCode()).isEqualTo(200);
			assertThat(all.body()).contains("\"products\"")
				.contains(b.bus().instanceId().toString())
				.contains("\"l2\":\"CLOSED\"")
				.contains("\"ttlMillis\":")
				.doesNotContain("expireAfterAccessMillis")
				.doesNotContain("\"null\"");
			JsonNode json = JsonMapper.shared().readTree(all.body());
			JsonNode products = json.path("caches").path("products");
			assertThat(products.path("counts").path("puts").isNumber()).isTrue();
			assertThat(products.path("settings").path("l1").path("maximumSize").isNumber()).isTrue();
			assertThat(products.path("settings").path("l1").path("expireAfterWriteMillis").isNumber()).isTrue();
			assertThat(products.path("settings").path("l2").path("ttlJitter").isNumber()).isTrue();
			assertThat(json.path("l2Available").asBoolean()).isTrue();
			assertThat(json.path("l2UnavailableMillis").asLong(-1)).isZero();
			assertThat(json.path("invalidation").path("sent").isNumber()).isTrue();
			assertThat(products.path("loadTimes").path("boundsMicros").size())
				.isEqualTo(products.path("loadTimes").path("counts").size())
				.isEqualTo(27);
			assertThat(products.has("writeBehind")).as("only for write-behind caches").isFalse();
			HttpResponse<String> dashboard = http.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/multilevelcache/dashboard"))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(dashboard.statusCode()).as("the dashboard is off by default").isEqualTo(404);
			HttpResponse<String> unknown = http
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/multilevelcache/nope"))
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(unknown.statusCode()).isEqualTo(404);
			HttpResponse<String> clearUnknown = http
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/multilevelcache/nope"))
					.DELETE()
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(clearUnknown.statusCode()).isEqualTo(404);
			HttpResponse<String> cleared = http.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/multilevelcache/products"))
				.DELETE()
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(cleared.statusCode()).isEqualTo(204);
			await().atMost(Duration.ofSeconds(5)).until(() -> !b.inL1("products", "1"));
			assertThat(this.redis.command("EXISTS", this.prefix + "products::1")).isEqualTo("0");
			HttpResponse<String> health = http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(health.body()).contains("\"multiLevelCache\"").contains("\"degraded\":false");
		}
	}

	@Test
	void theTimeWithoutRedisCountsFromTheBreakerOpeningUntilTheRepairAfterIt() {
		RedisServer own = RedisServers.startPrivate();
		try (CacheInstance a = CacheInstance.start(own, this.prefix, "multilevel-cache.resilience.minimum-calls=2",
				"multilevel-cache.resilience.sliding-window-size=2", "multilevel-cache.resilience.stay-open=300ms")) {
			MultiLevelCacheManager manager = a.manager();
			assertThat(manager.getRedisUnavailableMillis()).isZero();
			own.stop();
			try {
				await().atMost(Duration.ofSeconds(15)).until(() -> {
					a.cache("products").get("k" + System.nanoTime(), () -> "v");
					return !manager.isRedisAvailable();
				});
				long first = manager.getRedisUnavailableMillis();
				await().atMost(Duration.ofSeconds(5)).until(() -> manager.getRedisUnavailableMillis() > first + 200);
			}
			finally {
				own.start();
			}
			await().atMost(Duration.ofSeconds(20)).until(() -> {
				a.cache("products").get("k" + System.nanoTime(), () -> "v");
				return manager.isRedisAvailable();
			});
			assertThat(manager.getRedisUnavailableMillis()).isZero();
		}
		finally {
			own.close();
		}
	}

	@Test
	void healthReportsDegradedWhileRedisIsDown() {
		RedisServer own = RedisServers.startPrivate();
		try (CacheInstance a = CacheInstance.start(own, this.prefix, "multilevel-cache.resilience.minimum-calls=2",
				"multilevel-cache.resilience.sliding-window-size=2")) {
			await().atMost(Duration.ofSeconds(10)).until(() -> a.bus().isSubscribed());
			HealthIndicator health = a.context().getBean("multiLevelCacheHealthIndicator", HealthIndicator.class);
			assertThat(health.health().getStatus()).isEqualTo(Status.UP);
			assertThat(health.health().getDetails()).containsEntry("degraded", false);
			own.stop();
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
				a.cache("products").get("k" + System.nanoTime(), () -> "v");
				assertThat(health.health().getDetails()).containsEntry("degraded", true);
			});
			assertThat(health.health().getStatus()).isEqualTo(Status.UP);
		}
		finally {
			own.close();
		}
	}

	@Test
	void anInstanceWithRedisStoppedStaysReadyWithTheRecommendedHealthConfiguration() throws Exception {
		RedisServer own = RedisServers.startPrivate();
		try (CacheInstance a = CacheInstance.start(WebApplicationType.SERVLET, own, this.prefix, "server.port=0",
				"management.endpoint.health.probes.enabled=true",
				"management.endpoint.health.group.readiness.include=readinessState,multiLevelCache",
				"management.endpoint.health.group.readiness.show-details=always",
				"management.endpoint.health.show-details=always", "multilevel-cache.resilience.minimum-calls=2",
				"multilevel-cache.resilience.sliding-window-size=2")) {
			await().atMost(Duration.ofSeconds(10)).until(() -> a.bus().isSubscribed());
			int port = ((WebServerApplicationContext) a.context()).getWebServer().getPort();
			HttpClient http = HttpClient.newHttpClient();
			own.stop();
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
				a.cache("products").get("k" + System.nanoTime(), () -> "v");
				HttpResponse<String> readiness = http
					.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
						.build(), HttpResponse.BodyHandlers.ofString());
				assertThat(readiness.statusCode()).isEqualTo(200);
				JsonNode cache = JsonMapper.shared()
					.readTree(readiness.body())
					.path("components")
					.path("multiLevelCache");
				assertThat(cache.path("status").asString()).isEqualTo("UP");
				assertThat(cache.path("details").path("degraded").asBoolean()).isTrue();
			});
			// Boot's own Redis indicator takes the overall health down, which is why
			// README tells probes to use the readiness group
			HttpResponse<String> overall = http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(overall.statusCode()).isEqualTo(503);
			assertThat(overall.body()).contains("\"redis\"");
		}
		finally {
			own.close();
		}
	}

}
