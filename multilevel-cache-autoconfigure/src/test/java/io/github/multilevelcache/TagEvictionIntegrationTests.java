package io.github.multilevelcache;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.github.multilevelcache.test.PrivateRedis;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * README, "Tag invalidation": entries tagged by SpEL over the key and the value are
 * evicted together, in every cache that declared the tag and from every instance's L1,
 * through {@link MultiLevelCacheManager#evictTag}, {@code @CacheEvict} of the
 * {@code tags} cache and the actuator; an entry written concurrently with its tag's
 * eviction is never left behind; a tag eviction without Redis is replayed when it is
 * back.
 */
@RedisTest
class TagEvictionIntegrationTests {

	private static final int CATEGORIES = 10;

	private final String prefix = "tags-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final Catalogue catalogue = new Catalogue();

	private final List<CacheInstance> instances = new ArrayList<>();

	@AfterEach
	void stop() {
		this.instances.forEach(CacheInstance::close);
	}

	private CacheInstance start(RedisServer redis, WebApplicationType type, String... properties) {
		List<String> all = new ArrayList<>(
				List.of("server.port=0", "management.endpoints.web.exposure.include=multilevelcache",
						"multilevel-cache.caches.products.tags[0]='category:' + #result.category()",
						"multilevel-cache.caches.products.tags[1]=#result.id() % 2 == 0 ? 'even' : null",
						"multilevel-cache.caches.pages.tags[0]='category:' + #key",
						"multilevel-cache.caches.plain.l1.maximum-size=100"));
		all.addAll(List.of(properties));
		CacheInstance instance = CacheInstance
			.start(type, redis, this.prefix, Map.of("catalogue", this.catalogue),
					new Class<?>[] { CatalogueConfiguration.class }, all.toArray(String[]::new))
			.awaitSubscribed();
		this.instances.add(instance);
		return instance;
	}

	@Test
	void tenThousandTaggedEntriesOfOneTagAreEvictedFromRedisAndEveryInstancesL1() throws Exception {
		RedisServer redis = RedisServers.shared();
		// this test is about tag eviction, not timeouts: a host stall longer than the
		// default 200 ms would fail a tag registration, and the entry would be evicted by
		// design
		String patient = "multilevel-cache.resilience.l2-timeout=3s";
		CacheInstance a = start(redis, WebApplicationType.NONE, patient);
		CacheInstance b = start(redis, WebApplicationType.NONE, patient);
		ProductService onA = a.bean(ProductService.class);
		ProductService onB = b.bean(ProductService.class);
		// plain @Cacheable misses on A, in parallel as traffic does
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Future<?>> loads = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				int first = t;
				loads.add(pool.submit(() -> {
					for (long id = first; id < 10_000; id += 8) {
						onA.find(id);
					}
				}));
			}
			for (Future<?> load : loads) {
				load.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		// a plain fill reaches Redis after find returned (nobody waits for it): B reads
		// from Redis only once A's fills are there
		MultiLevelCache filled = a.cache("products");
		await().atMost(Duration.ofSeconds(30)).until(() -> filled.getStatistics().fills() == 10_000);
		onB.page(3);
		onB.page(4);
		for (long id = 0; id < 10_000; id += 7) {
			onB.find(id);
		}
		assertThat(this.catalogue.loads).hasValue(10_000 + 2);
		MultiLevelCache products = a.cache("products");

		long evicted = a.manager().evictTag("category:3");

		assertThat(evicted).as("1,000 products and one page").isEqualTo(1_001);
		Set<Long> ofCategory3 = IntStream.range(0, 10_000)
			.filter((id) -> id % CATEGORIES == 3)
			.mapToObj(Long::valueOf)
			.collect(Collectors.toSet());
		for (long id = 0; id < 10_000; id++) {
			boolean gone = ofCategory3.contains(id);
			assertThat(RedisTestSupport.holdsValue(redis, products.canonicalKey(id))).as("product %d in Redis", id)
				.isEqualTo(!gone);
			assertThat(a.inL1("products", id)).as("product %d in A's L1", id).isEqualTo(!gone);
		}
		await().atMost(Duration.ofSeconds(5))
			.until(() -> ofCategory3.stream().noneMatch((id) -> b.inL1("products", id)) && !b.inL1("pages", 3L));
		assertThat(b.inL1("pages", 4L)).isTrue();
		assertThat(b.inL1("products", 14L)).as("category 4, read by B").isTrue();
		assertThat(redis.command("EXISTS", this.prefix + "multilevel-cache:tag:{category:3}")).isEqualTo("0");
		assertThat(redis.command("SCARD", this.prefix + "multilevel-cache:tag:{category:4}")).isEqualTo("1001");
		assertThat(redis.command("PTTL", this.prefix + "multilevel-cache:tag:{category:4}"))
			.as("at least the entries' longest TTL (1 h + 10 %)")
			.satisfies((ttl) -> assertThat(Long.parseLong(ttl)).isGreaterThan(Duration.ofMinutes(66).toMillis()));

		// a second tag of the same entries, from the second expression
		assertThat(b.manager().evictTag("even")).as("categories 0, 2, 4, 6, 8").isEqualTo(5_000);
		assertThat(RedisTestSupport.holdsValue(redis, products.canonicalKey(14L))).isFalse();
		assertThat(RedisTestSupport.holdsValue(redis, products.canonicalKey(15L))).isTrue();
		await().atMost(Duration.ofSeconds(5)).until(() -> !b.inL1("products", 14L));
		assertThat(onB.find(14L)).isEqualTo(new Product(14, 4));
		assertThat(a.manager().evictTag("no-such-tag")).isZero();
	}

	@Test
	void anEntryWrittenWhileItsTagIsEvictedIsNeverLeftBehind() throws Exception {
		RedisServer redis = RedisServers.shared();
		CacheInstance a = start(redis, WebApplicationType.NONE);
		CacheInstance b = start(redis, WebApplicationType.NONE);
		MultiLevelCache onA = a.cache("products");
		MultiLevelCache onB = b.cache("products");
		Map<Long, Long> lastWrite = new ConcurrentHashMap<>();
		List<long[]> evictions = new ArrayList<>();
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicLong writes = new AtomicLong();
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<?>> writers = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				MultiLevelCache cache = (t % 2 == 0) ? onA : onB;
				writers.add(pool.submit(() -> {
					while (running.get()) {
						long id = ThreadLocalRandom.current().nextLong(200) * CATEGORIES + 1;
						cache.put(id, new Product(id, 1));
						// the latest end of a write of the key, whichever writer made it
						lastWrite.merge(id, System.nanoTime(), Math::max);
						writes.incrementAndGet();
					}
				}));
			}
			for (int round = 0; round < 40; round++) {
				Thread.sleep(10);
				long started = System.nanoTime();
				((round % 2 == 0) ? a : b).manager().evictTag("category:1");
				evictions.add(new long[] { started, System.nanoTime() });
			}
			running.set(false);
			for (Future<?> writer : writers) {
				writer.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(writes.get()).as("writes raced the evictions").isGreaterThan(200);
		String set = this.prefix + "multilevel-cache:tag:{category:1}";
		long lastEvictionStart = evictions.get(evictions.size() - 1)[0];
		int survivors = 0;
		for (Map.Entry<Long, Long> write : lastWrite.entrySet()) {
			String canonical = onA.canonicalKey(write.getKey());
			if (RedisTestSupport.holdsValue(redis, canonical)) {
				survivors++;
				assertThat(redis.command("SISMEMBER", set, "products\n" + canonical))
					.as("a surviving entry is recorded under its tag")
					.isEqualTo("1");
				assertThat(write.getValue()).as("a surviving entry was not written before the last eviction began")
					.isGreaterThan(lastEvictionStart);
			}
		}
		// and the next eviction catches every one of them
		assertThat(a.manager().evictTag("category:1")).isGreaterThanOrEqualTo(survivors);
		for (Long id : lastWrite.keySet()) {
			assertThat(RedisTestSupport.holdsValue(redis, onA.canonicalKey(id))).isFalse();
		}
		await().atMost(Duration.ofSeconds(5))
			.until(() -> lastWrite.keySet()
				.stream()
				.noneMatch((id) -> a.inL1("products", id) || b.inL1("products", id)));
	}

	@Test
	void cacheEvictOfTheTagsCacheAndTheActuatorEvictATag() throws Exception {
		CacheInstance a = start(RedisServers.shared(), WebApplicationType.SERVLET);
		ProductService products = a.bean(ProductService.class);
		products.find(2);
		products.find(12);
		products.find(13);
		products.page(2);

		products.categoryChanged(2);

		assertThat(a.inL1("products", 2L)).isFalse();
		assertThat(a.inL1("products", 12L)).isFalse();
		assertThat(a.inL1("pages", 2L)).isFalse();
		assertThat(a.inL1("products", 13L)).isTrue();
		assertThatIllegalStateException().isThrownBy(() -> products.mixedEviction(3))
			.withMessageContaining("evicts tags and cannot name other caches");

		HttpClient http = HttpClient.newHttpClient();
		HttpResponse<String> response = http.send(
				HttpRequest.newBuilder(endpoint(a, "tags/category:3")).DELETE().build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode result = JsonMapper.shared().readTree(response.body());
		assertThat(result.get("tag").asString()).isEqualTo("category:3");
		assertThat(result.get("evicted").asLong()).isEqualTo(1);
		assertThat(a.inL1("products", 13L)).isFalse();
		HttpResponse<String> otherScope = http.send(
				HttpRequest.newBuilder(endpoint(a, "other/category:3")).DELETE().build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(otherScope.statusCode()).isEqualTo(404);
		assertThat(a.manager().getCacheNames()).doesNotContain("tags");
	}

	@Test
	void aTagEvictionRedisDoesNotAnswerClearsTheTaggedL1AndIsReplayedWhenRedisIsBack(@PrivateRedis RedisServer redis) {
		CacheInstance a = start(redis, WebApplicationType.NONE);
		CacheInstance b = start(redis, WebApplicationType.NONE);
		ProductService onA = a.bean(ProductService.class);
		ProductService onB = b.bean(ProductService.class);
		onA.find(5);
		onA.find(6);
		onB.find(5);
		onA.plain(1);
		String canonical5 = a.cache("products").canonicalKey(5L);
		// stalled rather than stopped, so that what it holds is still there afterwards
		redis.pause(Duration.ofSeconds(4));
		assertThat(a.manager().evictTag("category:5")).isEqualTo(-1);
		assertThat(a.inL1("products", 6L)).as("every entry of a tagged cache left A's L1").isFalse();
		assertThat(a.inL1("plain", 1L)).as("untagged caches keep theirs").isTrue();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> !RedisTestSupport.holdsValue(redis, canonical5) && !b.inL1("products", 5L));
		assertThat(RedisTestSupport.holdsValue(redis, a.cache("products").canonicalKey(6L)))
			.as("only the tag's entries were evicted")
			.isTrue();
	}

	private static URI endpoint(CacheInstance instance, String path) {
		int port = ((WebServerApplicationContext) instance.context()).getWebServer().getPort();
		return URI.create("http://127.0.0.1:" + port + "/actuator/multilevelcache/" + path);
	}

	/**
	 * A product of a category.
	 *
	 * @param id the id
	 * @param category its category
	 */
	record Product(long id, long category) {
	}

	/**
	 * The database the instances of a test share, counting its reads.
	 */
	static final class Catalogue {

		final AtomicLong loads = new AtomicLong();

		Product product(long id) {
			this.loads.incrementAndGet();
			return new Product(id, id % CATEGORIES);
		}

		String page(long category) {
			this.loads.incrementAndGet();
			return "page of category " + category;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CatalogueConfiguration {

		@Bean
		ProductService productService(Catalogue catalogue) {
			return new ProductService(catalogue);
		}

	}

	/**
	 * Cached methods as applications write them.
	 */
	static class ProductService {

		private final Catalogue catalogue;

		ProductService(Catalogue catalogue) {
			this.catalogue = catalogue;
		}

		@Cacheable("products")
		public Product find(long id) {
			return this.catalogue.product(id);
		}

		@Cacheable("pages")
		public String page(long category) {
			return this.catalogue.page(category);
		}

		@Cacheable("plain")
		public String plain(long id) {
			return "plain " + id;
		}

		@CacheEvict(cacheNames = "tags", key = "'category:' + #category")
		public void categoryChanged(long category) {
		}

		@CacheEvict(cacheNames = { "tags", "pages" }, key = "'category:' + #category")
		public void mixedEviction(long category) {
		}

	}

}
