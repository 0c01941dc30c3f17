package io.github.multilevelcache.warming;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.test.PrivateRedis;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisTest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, "Cache warming": a {@link CacheWarmer} bean's keys are in L1 before the
 * instance reports ready; a second instance warms from Redis (one {@code MGET} per batch)
 * without calling its loader; instances starting together load each key once (the lease);
 * a warm-up beyond its limit lets the instance start with a warning; the actuator warms a
 * cache on demand.
 */
@RedisTest
@ExtendWith(OutputCaptureExtension.class)
class CacheWarmingIntegrationTests {

	private final String prefix = "warming-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final Plan plan = new Plan();

	private CacheInstance a;

	private CacheInstance b;

	@AfterEach
	void stop() {
		this.plan.release.countDown();
		for (CacheInstance instance : new CacheInstance[] { this.a, this.b }) {
			if (instance != null) {
				instance.close();
			}
		}
	}

	private CacheInstance start(RedisServer redis, WebApplicationType type, String... properties) {
		String[] all = new String[properties.length + 2];
		all[0] = "server.port=0";
		all[1] = "management.endpoints.web.exposure.include=multilevelcache";
		System.arraycopy(properties, 0, all, 2, properties.length);
		return CacheInstance.start(type, redis, this.prefix, Map.<String, Object>of("warmingPlan", this.plan),
				new Class<?>[] { ProductsWarmer.class }, all);
	}

	@Test
	void aSecondInstanceWarmsFromRedisWithOneMgetPerBatchAndNoLoaderCall(@PrivateRedis RedisServer redis)
			throws Exception {
		this.plan.keys = 500;
		this.a = start(redis, WebApplicationType.NONE);
		assertThat(this.plan.loads).hasValue(500);
		assertThat(IntStream.range(0, 500).allMatch((key) -> this.a.inL1("products", key)))
			.as("every key in L1 when start-up returned")
			.isTrue();
		long mgets = redis.commandStats().getOrDefault("mget", 0L);
		this.b = start(redis, WebApplicationType.SERVLET);
		assertThat(this.plan.loads).as("the second instance called no loader").hasValue(500);
		assertThat(IntStream.range(0, 500).allMatch((key) -> this.b.inL1("products", key))).isTrue();
		assertThat(redis.commandStats().get("mget") - mgets).as("500 keys in batches of 100").isEqualTo(5);
		assertThat(this.b.cache("products").getStatistics().l2Hits()).isEqualTo(500);

		// on demand, through the actuator
		this.b.cache("products").evict(7);
		HttpClient http = HttpClient.newHttpClient();
		HttpResponse<String> warmed = http.send(
				HttpRequest.newBuilder(endpoint(this.b, "products")).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(warmed.statusCode()).isEqualTo(200);
		JsonNode result = JsonMapper.shared().readTree(warmed.body());
		assertThat(result.get("keys").asInt()).isEqualTo(500);
		assertThat(result.get("fromRedis").asInt()).isEqualTo(499);
		assertThat(result.get("loaded").asInt()).as("the evicted key").isEqualTo(1);
		assertThat(result.get("complete").asBoolean()).isTrue();
		assertThat(this.plan.loads).hasValue(501);
		assertThat(this.b.inL1("products", 7)).isTrue();
		HttpResponse<String> noWarmer = http.send(
				HttpRequest.newBuilder(endpoint(this.b, "orders")).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(noWarmer.statusCode()).isEqualTo(404);
	}

	@Test
	void theInstanceRefusesTrafficUntilWarmingEnded(@PrivateRedis RedisServer redis) {
		this.plan.keys = 10;
		this.a = start(redis, WebApplicationType.NONE);
		assertThat(this.plan.readinessWhileLoading.get()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
		assertThat(this.a.bean(ApplicationAvailability.class).getReadinessState())
			.isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
	}

	@Test
	void instancesStartingTogetherLoadEachKeyOnce(@PrivateRedis RedisServer redis) throws Exception {
		this.plan.keys = 100;
		this.plan.loadMillis = 20;
		this.plan.together = new CountDownLatch(2);
		CompletableFuture<CacheInstance> first = CompletableFuture
			.supplyAsync(() -> start(redis, WebApplicationType.NONE));
		// the second starts once the first is warming (Boot's logging set-up is not
		// meant to run twice at once); each waits in keys() until both warm
		assertThat(this.plan.firstWarming.await(60, TimeUnit.SECONDS)).isTrue();
		this.b = start(redis, WebApplicationType.NONE);
		this.a = first.get(60, TimeUnit.SECONDS);
		assertThat(this.plan.loads).as("one load per key over both instances").hasValue(100);
		for (CacheInstance instance : List.of(this.a, this.b)) {
			assertThat(IntStream.range(0, 100).allMatch((key) -> instance.inL1("products", key))).isTrue();
		}
	}

	@Test
	void aWarmUpBeyondItsLimitLetsTheInstanceStartWithAWarning(@PrivateRedis RedisServer redis, CapturedOutput output) {
		this.plan.keys = 1_000;
		this.plan.blockAfter = 150;
		long started = System.nanoTime();
		this.a = start(redis, WebApplicationType.NONE, "multilevel-cache.warming.timeout=1s");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
		assertThat(this.a.bean(ApplicationAvailability.class).getReadinessState())
			.isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
		assertThat(output).contains("Warming cache 'products' did not finish within 1000 ms")
			.contains("multilevel-cache.warming.timeout");
		assertThat(this.plan.loads.get()).as("stopped before the last key").isBetween(1, 999);
	}

	@Test
	void aWarmerThatCannotListItsKeysLetsTheInstanceStartWithAWarning(@PrivateRedis RedisServer redis,
			CapturedOutput output) {
		this.plan.keysFail = true;
		this.a = start(redis, WebApplicationType.NONE);
		assertThat(this.a.bean(ApplicationAvailability.class).getReadinessState())
			.isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
		assertThat(output).contains("could not list the keys of cache 'products'; it is not warmed");
		assertThat(this.plan.loads).hasValue(0);
	}

	private static URI endpoint(CacheInstance instance, String cache) {
		int port = ((WebServerApplicationContext) instance.context()).getWebServer().getPort();
		return URI.create("http://127.0.0.1:" + port + "/actuator/multilevelcache/" + cache);
	}

	/**
	 * What the warmers of a test do, shared by its instances.
	 */
	static final class Plan {

		volatile int keys;

		volatile boolean keysFail;

		volatile long loadMillis;

		/** Loads after this many block until {@link #release}. */
		volatile int blockAfter = Integer.MAX_VALUE;

		final CountDownLatch release = new CountDownLatch(1);

		/** When set, each instance's warming waits in keys() until this reaches zero. */
		volatile @Nullable CountDownLatch together;

		final CountDownLatch firstWarming = new CountDownLatch(1);

		final AtomicInteger loads = new AtomicInteger();

		final AtomicReference<@Nullable ReadinessState> readinessWhileLoading = new AtomicReference<>();

	}

	/**
	 * Warms {@code products} with the keys {@code 0 … plan.keys - 1}.
	 */
	static class ProductsWarmer implements CacheWarmer<Integer> {

		private final Plan plan;

		private final ObjectProvider<ApplicationAvailability> availability;

		ProductsWarmer(Plan plan, ObjectProvider<ApplicationAvailability> availability) {
			this.plan = plan;
			this.availability = availability;
		}

		@Override
		public String cacheName() {
			return "products";
		}

		@Override
		public List<Integer> keys() {
			this.plan.firstWarming.countDown();
			if (this.plan.keysFail) {
				throw new IllegalStateException("the database is down");
			}
			CountDownLatch together = this.plan.together;
			if (together != null) {
				together.countDown();
				try {
					together.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return IntStream.range(0, this.plan.keys).boxed().toList();
		}

		@Override
		public Object load(Integer key) throws InterruptedException {
			this.plan.readinessWhileLoading.compareAndSet(null, this.availability.getObject().getReadinessState());
			if (this.plan.loads.incrementAndGet() > this.plan.blockAfter) {
				this.plan.release.await(30, TimeUnit.SECONDS);
			}
			if (this.plan.loadMillis > 0) {
				Thread.sleep(this.plan.loadMillis);
			}
			return "product " + key;
		}

	}

}
