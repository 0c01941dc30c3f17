package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.multilevelcache.test.PrivateRedis;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.boot.WebApplicationType;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README, "Reactive and asynchronous return types": {@code @Cacheable} methods that
 * return {@code Mono}, {@code Flux} or {@code CompletableFuture}, called over HTTP on two
 * reactive (WebFlux, Reactor Netty) instances that share one Redis, are served through
 * both levels ({@code Cache.retrieve}), with one loader per cold key across the instances
 * for {@code sync = true}, with invalidations reaching the other instance, and without
 * ever parking a Reactor thread on Redis.
 * <p>
 * Each instance's server runs on Reactor Netty loop resources of its own with one I/O
 * thread (closing one instance leaves the other's server running): a request that blocked
 * it would stall every other request to that instance, which is what
 * {@link #noReactorThreadWaitsForRedisWhileACachedCallDoes} looks for.
 */
@RedisTest
class ReactiveWebFluxIntegrationTests {

	private static final int SUBSCRIBERS = 200;

	private static final Duration LOADER_DELAY = Duration.ofMillis(200);

	private static final Duration DEADLINE = Duration.ofSeconds(10);

	private static final Database database = new Database();

	private static final ConnectionProvider connections = ConnectionProvider.builder("reactive-webflux-tests")
		.maxConnections(SUBSCRIBERS + 16)
		.pendingAcquireMaxCount(-1)
		.build();

	private static RedisServer redis;

	private static CacheInstance a;

	private static CacheInstance b;

	private final String id = UUID.randomUUID().toString().substring(0, 8);

	@BeforeAll
	static void start(RedisServer server) {
		redis = server;
		String prefix = "reactive-" + UUID.randomUUID().toString().substring(0, 8) + ":";
		a = startInstance(server, prefix);
		b = startInstance(server, prefix);
		await().atMost(DEADLINE)
			.until(() -> a.bus().peers().containsKey(b.bus().instanceId())
					&& b.bus().peers().containsKey(a.bus().instanceId()));
	}

	@AfterAll
	static void stop() {
		try {
			if (b != null) {
				b.close();
			}
		}
		finally {
			if (a != null) {
				a.close();
			}
			connections.dispose();
		}
	}

	private static CacheInstance startInstance(RedisServer server, String prefix, String... extra) {
		List<String> properties = new ArrayList<>(List.of("server.port=0",
				// a busy 2-core machine may take a while to open 200 connections; the
				// lease holder's value must still be waited for
				"multilevel-cache.defaults.stampede.wait-timeout=30s",
				// 200 concurrent stores there may take longer than the default 200 ms; a
				// breaker opened by them would turn the next test's L2 hits into loads
				"multilevel-cache.resilience.l2-timeout=3s"));
		properties.addAll(List.of(extra));
		return CacheInstance
			.start(WebApplicationType.REACTIVE, server, prefix, Map.of("database", database),
					new Class<?>[] { CatalogueConfiguration.class }, properties.toArray(new String[0]))
			.awaitSubscribed();
	}

	private static WebTestClient client(CacheInstance instance) {
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.create(connections)))
			.baseUrl("http://127.0.0.1:" + instance.port())
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	private static WebClient webClient(CacheInstance instance) {
		return WebClient.builder()
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
			.baseUrl("http://127.0.0.1:" + instance.port())
			.build();
	}

	private static String get(CacheInstance instance, String path) {
		return client(instance).get()
			.uri(path)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
	}

	private static String canonical(CacheInstance instance, String cache, String key) {
		return instance.cache(cache).canonicalKey(key);
	}

	/**
	 * First call loads, the same instance's next call is an L1 hit, the other instance's
	 * first call an L2 hit; the loader runs once in all.
	 */
	private void servedThroughBothLevels(String cache, String path, String key, String expected) {
		CacheStatistics onA = a.cache(cache).getStatistics();
		CacheStatistics onB = b.cache(cache).getStatistics();

		assertThat(get(a, path)).isEqualTo(expected);
		assertThat(database.loads(key)).as("the first call loads").isEqualTo(1);
		// the fill is stored in Redis, then in L1, without anyone waiting for it
		await().atMost(DEADLINE).until(() -> a.inL1(cache, key));
		assertThat(RedisTestSupport.holdsValue(redis, canonical(a, cache, key))).isTrue();

		long l1Hits = onA.l1Hits();
		long l2HitsOnA = onA.l2Hits();
		assertThat(get(a, path)).isEqualTo(expected);
		assertThat(database.loads(key)).as("an L1 hit calls no loader").isEqualTo(1);
		assertThat(onA.l1Hits()).as("A's second call is an L1 hit").isGreaterThan(l1Hits);
		assertThat(onA.l2Hits()).as("and asks Redis nothing").isEqualTo(l2HitsOnA);

		long l2Hits = onB.l2Hits();
		assertThat(b.inL1(cache, key)).isFalse();
		assertThat(get(b, path)).isEqualTo(expected);
		assertThat(database.loads(key)).as("an L2 hit calls no loader").isEqualTo(1);
		assertThat(onB.l2Hits()).as("B's first call is an L2 hit").isGreaterThan(l2Hits);
		await().atMost(DEADLINE).until(() -> b.inL1(cache, key));
	}

	@Test
	void monoIsLoadedOnceThenServedFromL1ThenFromL2OnTheOtherInstance() {
		String key = "mono-" + this.id;
		servedThroughBothLevels("products", "/mono/" + key, key, "v1-" + key);
	}

	@Test
	void monoWithSyncIsLoadedOnceThenServedFromL1ThenFromL2OnTheOtherInstance() {
		String key = "mono-sync-" + this.id;
		servedThroughBothLevels("products", "/mono-sync/" + key, key, "v1-" + key);
	}

	@Test
	void fluxIsCachedAsItsCollectedListInBothLevels() {
		String key = "flux-" + this.id;
		servedThroughBothLevels("lists", "/flux/" + key, key, "[\"v1-" + key + "-a\",\"v1-" + key + "-b\"]");
		// what Redis holds is the list, and every instance serves it back as the Flux
		assertThat(a.cache("lists").get(key).get()).isEqualTo(List.of("v1-" + key + "-a", "v1-" + key + "-b"));
	}

	@Test
	void completableFutureIsLoadedOnceThenServedFromL1ThenFromL2OnTheOtherInstance() {
		String key = "future-" + this.id;
		servedThroughBothLevels("futures", "/future/" + key, key, "v1-" + key);
	}

	/**
	 * Fires {@link #SUBSCRIBERS} requests together, half on each instance, at one cold
	 * key; the loader does not finish before every one of them is in the cached method.
	 */
	private List<String> stampede(String path, String key) {
		database.gate(key, SUBSCRIBERS);
		WebClient onA = webClient(a);
		WebClient onB = webClient(b);
		List<String> values = Flux.range(0, SUBSCRIBERS)
			.flatMap((i) -> ((i % 2 == 0) ? onA : onB).get().uri(path).retrieve().bodyToMono(String.class), SUBSCRIBERS)
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(database.entered(key)).as("every subscriber reached the cached method").isEqualTo(SUBSCRIBERS);
		return values;
	}

	@Test
	void syncMonoStampedeOnAColdKeyOverBothInstancesRunsOneLoader() {
		String key = "stampede-" + this.id;
		long waitsBefore = a.cache("products").getStatistics().lockWaits()
				+ b.cache("products").getStatistics().lockWaits();
		List<String> values = stampede("/slow-sync/" + key, key);
		assertThat(values).hasSize(SUBSCRIBERS).containsOnly("v1-" + key);
		assertThat(database.loads(key)).as("one loader for %d subscribers on two instances", SUBSCRIBERS).isEqualTo(1);
		// the instance that did not load waited for the other's lease, without blocking
		long waits = a.cache("products").getStatistics().lockWaits() + b.cache("products").getStatistics().lockWaits()
				- waitsBefore;
		assertThat(waits).isGreaterThanOrEqualTo(1);
		await().atMost(DEADLINE).until(() -> a.inL1("products", key) && b.inL1("products", key));
	}

	/**
	 * Documents the plain {@code @Cacheable} behaviour (README, "Reads and fills"):
	 * misses do not wait for each other, so concurrent cold subscribers each run the
	 * loader; the first fill wins and everyone gets the same value.
	 */
	@Test
	void plainMonoStampedeOnAColdKeyRunsALoaderPerConcurrentMiss() {
		String key = "stampede-plain-" + this.id;
		List<String> values = stampede("/slow/" + key, key);
		assertThat(values).hasSize(SUBSCRIBERS).containsOnly("v1-" + key);
		assertThat(database.loads(key)).as("without sync every concurrent miss loads").isGreaterThan(1);
		await().atMost(DEADLINE)
			.untilAsserted(
					() -> assertThat(RedisTestSupport.holdsValue(redis, canonical(a, "products", key))).isTrue());
	}

	@Test
	void evictOnOneInstanceKeepsTheOtherFromServingTheStaleValue() {
		String key = "evict-" + this.id;
		String path = "/mono/" + key;
		assertThat(get(a, path)).isEqualTo("v1-" + key);
		await().atMost(DEADLINE).until(() -> a.inL1("products", key));
		assertThat(get(b, path)).isEqualTo("v1-" + key);
		await().atMost(DEADLINE).until(() -> b.inL1("products", key));

		long received = b.bus().statistics().received();
		client(a).delete().uri(path + "?value=v2-" + key).exchange().expectStatus().isOk();
		assertThat(a.inL1("products", key)).as("the evict dropped A's copy before the response").isFalse();
		// async invalidation: B drops its copy once the message arrives
		await().atMost(DEADLINE).until(() -> b.bus().statistics().received() > received && !b.inL1("products", key));
		int loads = database.loads(key);
		assertThat(get(b, path)).isEqualTo("v2-" + key);
		assertThat(database.loads(key)).as("B loaded the new value").isEqualTo(loads + 1);
		await().atMost(DEADLINE).until(() -> b.inL1("products", key));
		assertThat(get(a, path)).as("A reads what B filled").isEqualTo("v2-" + key);
		assertThat(database.loads(key)).isEqualTo(loads + 1);
	}

	@Test
	void cachePutOnOneInstanceReachesTheOtherThroughRedis() {
		String key = "put-" + this.id;
		String path = "/mono-sync/" + key;
		assertThat(get(a, path)).isEqualTo("v1-" + key);
		await().atMost(DEADLINE).until(() -> a.inL1("products", key));
		assertThat(get(b, path)).isEqualTo("v1-" + key);
		await().atMost(DEADLINE).until(() -> b.inL1("products", key));

		long received = b.bus().statistics().received();
		client(a).put().uri(path + "?value=v3-" + key).exchange().expectStatus().isOk();
		await().atMost(DEADLINE).until(() -> b.bus().statistics().received() > received && !b.inL1("products", key));
		int loads = database.loads(key);
		assertThat(get(b, path)).isEqualTo("v3-" + key);
		assertThat(database.loads(key)).as("the put's value came from Redis, not the loader").isEqualTo(loads);
		assertThat(get(a, path)).isEqualTo("v3-" + key);
		assertThat(database.loads(key)).isEqualTo(loads);
	}

	/**
	 * Stalls Redis ({@code CLIENT PAUSE ALL}) while cold cached calls (plain and
	 * {@code sync}) wait for it on instance A: meanwhile other requests to A, on the one
	 * Reactor Netty I/O thread, are answered promptly, and no Reactor thread is parked in
	 * the starter. Without the pause nothing would prove that the cached calls really
	 * waited for Redis, so their duration is checked too.
	 */
	@Test
	void noReactorThreadWaitsForRedisWhileACachedCallDoes(@PrivateRedis RedisServer stalled) {
		String prefix = "reactive-stalled-" + this.id + ":";
		try (CacheInstance instance = startInstance(stalled, prefix, "multilevel-cache.resilience.l2-timeout=10s",
				"spring.data.redis.timeout=10s")) {
			WebTestClient web = client(instance);
			// warm the application and the HTTP connection
			web.get().uri("/ping").exchange().expectStatus().isOk();
			assertThat(get(instance, "/mono/warm-" + this.id)).isEqualTo("v1-warm-" + this.id);

			Duration pause = Duration.ofMillis(3000);
			String plain = "stalled-" + this.id;
			String sync = "stalled-sync-" + this.id;
			long start = System.nanoTime();
			stalled.pause(pause);
			// WebTestClient's exchange waits for the response: these two must not
			WebClient async = webClient(instance);
			CompletableFuture<String> plainCall = async.get()
				.uri("/mono/" + plain)
				.retrieve()
				.bodyToMono(String.class)
				.toFuture();
			CompletableFuture<String> syncCall = async.get()
				.uri("/mono-sync/" + sync)
				.retrieve()
				.bodyToMono(String.class)
				.toFuture();
			await().atMost(DEADLINE).until(() -> database.entered(plain) == 1 && database.entered(sync) == 1);

			List<String> parked = new ArrayList<>();
			int whileWaiting = 0;
			long deadline = System.nanoTime() + DEADLINE.toNanos();
			while (!(plainCall.isDone() && syncCall.isDone()) && System.nanoTime() < deadline) {
				boolean bothWaiting = !plainCall.isDone() && !syncCall.isDone();
				long pingStart = System.nanoTime();
				web.get().uri("/ping").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("pong");
				Duration took = Duration.ofNanos(System.nanoTime() - pingStart);
				if (bothWaiting && !plainCall.isDone() && !syncCall.isDone()) {
					assertThat(took).as("ping %d while the cached calls wait for Redis", whileWaiting)
						.isLessThan(Duration.ofMillis(300));
					whileWaiting++;
				}
				parked.addAll(reactorThreadsParkedInTheStarter());
			}
			assertThat(whileWaiting).as("pings answered while both cached calls waited for Redis")
				.isGreaterThanOrEqualTo(3);
			assertThat(parked).as("Reactor threads parked in the starter").isEmpty();

			assertThat(plainCall.join()).isEqualTo("v1-" + plain);
			assertThat(syncCall.join()).isEqualTo("v1-" + sync);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the cached calls waited for the paused Redis")
				.isGreaterThanOrEqualTo(pause.minusMillis(300));
		}
	}

	/**
	 * Names and frames of Reactor threads (Reactor Netty's I/O threads, Reactor's
	 * parallel scheduler) that wait inside the starter's code.
	 */
	private static List<String> reactorThreadsParkedInTheStarter() {
		List<String> parked = new ArrayList<>();
		Thread.getAllStackTraces().forEach((thread, stack) -> {
			String name = thread.getName();
			if (!(name.startsWith("reactor-http-") || name.startsWith("parallel-"))) {
				return;
			}
			Thread.State state = thread.getState();
			if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING && state != Thread.State.BLOCKED) {
				return;
			}
			for (StackTraceElement frame : stack) {
				if (frame.getClassName().startsWith("io.github.multilevelcache.")
						&& !frame.getClassName().startsWith(ReactiveWebFluxIntegrationTests.class.getName())) {
					parked.add(name + " " + state + " at " + frame);
					return;
				}
			}
		});
		return parked;
	}

	/**
	 * The simulated database both instances read: counts loads and entries per key.
	 */
	static final class Database {

		private final Map<String, String> rows = new ConcurrentHashMap<>();

		private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();

		private final Map<String, AtomicInteger> entered = new ConcurrentHashMap<>();

		private final Map<String, Integer> gates = new ConcurrentHashMap<>();

		String load(String key) {
			this.loads.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet();
			return this.rows.getOrDefault(key, "v1-" + key);
		}

		void update(String key, String value) {
			this.rows.put(key, value);
		}

		int loads(String key) {
			AtomicInteger count = this.loads.get(key);
			return (count != null) ? count.get() : 0;
		}

		void enter(String key) {
			this.entered.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet();
		}

		int entered(String key) {
			AtomicInteger count = this.entered.get(key);
			return (count != null) ? count.get() : 0;
		}

		void gate(String key, int subscribers) {
			this.gates.put(key, subscribers);
		}

		/**
		 * Completes once as many requests as the key's gate entered the cached method (at
		 * once when it has none), then after the loader's delay; never blocks.
		 */
		Mono<Void> slowly(String key) {
			int expected = this.gates.getOrDefault(key, 0);
			Mono<Long> allIn = Flux.interval(Duration.ofMillis(5))
				.filter((tick) -> entered(key) >= expected)
				.next()
				.timeout(Duration.ofSeconds(30), Mono.just(0L));
			return allIn.then(Mono.delay(LOADER_DELAY)).then();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CatalogueConfiguration {

		@Bean
		ReactorResourceFactory reactorResourceFactory() {
			ReactorResourceFactory factory = new ReactorResourceFactory();
			factory.setUseGlobalResources(false);
			factory.setLoopResourcesSupplier(() -> LoopResources.create("reactor-http", 1, true));
			return factory;
		}

		@Bean
		Catalogue catalogue(Database database) {
			return new Catalogue(database);
		}

		@Bean
		CatalogueController catalogueController(Catalogue catalogue, Database database) {
			return new CatalogueController(catalogue, database);
		}

	}

	static class Catalogue {

		private final Database database;

		Catalogue(Database database) {
			this.database = database;
		}

		@Cacheable("products")
		public Mono<String> mono(String key) {
			return Mono.fromSupplier(() -> this.database.load(key));
		}

		@Cacheable(cacheNames = "products", sync = true)
		public Mono<String> monoSync(String key) {
			return Mono.fromSupplier(() -> this.database.load(key));
		}

		@Cacheable("products")
		public Mono<String> slow(String key) {
			return Mono.defer(() -> {
				String value = this.database.load(key);
				return this.database.slowly(key).thenReturn(value);
			});
		}

		@Cacheable(cacheNames = "products", sync = true)
		public Mono<String> slowSync(String key) {
			return Mono.defer(() -> {
				String value = this.database.load(key);
				return this.database.slowly(key).thenReturn(value);
			});
		}

		@Cacheable("lists")
		public Flux<String> flux(String key) {
			return Flux.defer(() -> {
				String value = this.database.load(key);
				return Flux.just(value + "-a", value + "-b");
			});
		}

		@Cacheable("futures")
		public CompletableFuture<String> future(String key) {
			return CompletableFuture.supplyAsync(() -> this.database.load(key));
		}

		@CacheEvict(cacheNames = "products", key = "#key")
		public Mono<Void> rename(String key, String value) {
			return Mono.fromRunnable(() -> this.database.update(key, value));
		}

		@CachePut(cacheNames = "products", key = "#key")
		public Mono<String> replace(String key, String value) {
			return Mono.fromSupplier(() -> {
				this.database.update(key, value);
				return value;
			});
		}

	}

	@RestController
	static class CatalogueController {

		private final Catalogue catalogue;

		private final Database database;

		CatalogueController(Catalogue catalogue, Database database) {
			this.catalogue = catalogue;
			this.database = database;
		}

		@GetMapping("/ping")
		Mono<String> ping() {
			return Mono.just("pong");
		}

		@GetMapping("/mono/{key}")
		Mono<String> mono(@PathVariable String key) {
			this.database.enter(key);
			return this.catalogue.mono(key);
		}

		@DeleteMapping("/mono/{key}")
		Mono<Void> rename(@PathVariable String key, @RequestParam String value) {
			return this.catalogue.rename(key, value);
		}

		@GetMapping("/mono-sync/{key}")
		Mono<String> monoSync(@PathVariable String key) {
			this.database.enter(key);
			return this.catalogue.monoSync(key);
		}

		@PutMapping("/mono-sync/{key}")
		Mono<String> replace(@PathVariable String key, @RequestParam String value) {
			return this.catalogue.replace(key, value);
		}

		@GetMapping("/slow/{key}")
		Mono<String> slow(@PathVariable String key) {
			this.database.enter(key);
			return this.catalogue.slow(key);
		}

		@GetMapping("/slow-sync/{key}")
		Mono<String> slowSync(@PathVariable String key) {
			this.database.enter(key);
			return this.catalogue.slowSync(key);
		}

		@GetMapping("/flux/{key}")
		Mono<List<String>> flux(@PathVariable String key) {
			return this.catalogue.flux(key).collectList();
		}

		@GetMapping("/future/{key}")
		CompletableFuture<String> future(@PathVariable String key) {
			return this.catalogue.future(key);
		}

	}

}
