package io.github.multilevelcache;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README, "Stampedes": refresh-ahead and XFetch replace a value only if Redis still holds
 * the write they refresh. While A's reload runs, B puts a new value; once the reload is
 * over, Redis and every L1 hold B's put, never the reload's result.
 */
@RedisTest
class FreshnessConflictIntegrationTests {

	private final String prefix = "fresh-cas-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	@Test
	void refreshAheadDoesNotOverwriteAPutMadeWhileItsLoaderRan(RedisServer redis) throws Exception {
		String[] settings = { "multilevel-cache.defaults.l2.ttl=20s", "multilevel-cache.defaults.l2.ttl-jitter=0",
				// due 200 ms after the write
				"multilevel-cache.defaults.refresh-ahead.ratio=0.01" };
		try (CacheInstance a = CacheInstance.start(redis, this.prefix, settings).awaitSubscribed();
				CacheInstance b = CacheInstance.start(redis, this.prefix, settings).awaitSubscribed()) {
			awaitPeers(a, b);
			MultiLevelCache onA = a.cache("products");
			assertThat(onA.get("k", () -> "loaded-first")).isEqualTo("loaded-first");
			assertThat(a.inL1("products", "k")).isTrue();
			BlockingLoader reload = new BlockingLoader("refreshed-value-c41d");
			// hits until one finds the entry due and schedules the background reload
			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
				assertThat(onA.get("k", reload)).isEqualTo("loaded-first");
				return reload.entered.getCount() == 0;
			});
			assertThat(reload.thread).startsWith("multilevel-cache-refresh");
			putWhileLoaderRuns(a, b, reload);
			await().atMost(Duration.ofSeconds(5)).until(() -> refreshOver(redis, onA));

			assertBothHoldThePut(redis, a, b);
			assertThat(onA.getStatistics().refreshed()).as("no refresh was stored").isZero();
			assertThat(reload.calls).hasValue(1);
		}
	}

	@Test
	void earlyRecomputationDoesNotOverwriteAPutMadeWhileItsLoaderRan(RedisServer redis) throws Exception {
		// β this large makes nearly every hit recompute early (δ is the first load's
		// 20 ms)
		String[] settings = { "multilevel-cache.defaults.l2.ttl=60s", "multilevel-cache.defaults.l2.ttl-jitter=0",
				"multilevel-cache.defaults.early-expiration.beta=1000000" };
		try (CacheInstance a = CacheInstance.start(redis, this.prefix, settings).awaitSubscribed();
				CacheInstance b = CacheInstance.start(redis, this.prefix, settings).awaitSubscribed()) {
			awaitPeers(a, b);
			MultiLevelCache onA = a.cache("products");
			assertThat(onA.get("k", () -> {
				Thread.sleep(20);
				return "loaded-first";
			})).isEqualTo("loaded-first");
			assertThat(a.inL1("products", "k")).isTrue();
			BlockingLoader recompute = new BlockingLoader("recomputed-value-9b07");
			CompletableFuture<Object> reader = CompletableFuture.supplyAsync(() -> {
				// the rare hit that does not recompute returns at once: hit again
				while (recompute.entered.getCount() > 0) {
					onA.get("k", recompute);
				}
				return null;
			});
			assertThat(recompute.entered.await(5, TimeUnit.SECONDS)).isTrue();
			assertThat(onA.getStatistics().earlyRecomputes()).isGreaterThanOrEqualTo(1);
			putWhileLoaderRuns(a, b, recompute);
			reader.get(5, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(5)).until(() -> refreshOver(redis, onA));

			assertBothHoldThePut(redis, a, b);
			assertThat(onA.getStatistics().refreshed()).as("no recomputation was stored").isZero();
			assertThat(recompute.calls).hasValue(1);
		}
	}

	@Test
	void aPutThatFollowsTheRefreshsStoreStillWinsInTheRefreshersL1(RedisServer redis) throws Exception {
		// A reaches Redis through a relay that holds the reply to the refresh's
		// compare-and-set while B's put overwrites it and B's invalidation reaches A
		String[] settings = { "multilevel-cache.defaults.l2.ttl=20s", "multilevel-cache.defaults.l2.ttl-jitter=0",
				"multilevel-cache.defaults.refresh-ahead.ratio=0.01" };
		try (RedisProxy proxy = RedisProxy.start(redis);
				CacheInstance a = CacheInstance
					.start(redis, this.prefix,
							concat(settings, "spring.data.redis.url=" + proxy.url(),
									"multilevel-cache.resilience.l2-timeout=10s"))
					.awaitSubscribed();
				CacheInstance b = CacheInstance.start(redis, this.prefix, settings).awaitSubscribed()) {
			awaitPeers(a, b);
			MultiLevelCache onA = a.cache("products");
			assertThat(onA.get("k", () -> "loaded-first")).isEqualTo("loaded-first");
			BlockingLoader reload = new BlockingLoader("refreshed-value-c41d");
			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
				onA.get("k", reload);
				return reload.entered.getCount() == 0;
			});
			proxy.holdCommandReplies();
			reload.proceed.countDown();
			String key = onA.canonicalKey("k");
			// the compare-and-set went through: Redis holds the refreshed value
			await().atMost(Duration.ofSeconds(5))
				.until(() -> String.valueOf(redis.command("GET", key)).contains("refreshed-value-c41d"));
			long received = a.bus().statistics().received();
			b.cache("products").put("k", "put-value-e6a2");
			await().atMost(Duration.ofSeconds(5)).until(() -> a.bus().statistics().received() > received);
			proxy.releaseCommandReplies();
			await().atMost(Duration.ofSeconds(5)).until(() -> refreshOver(redis, onA));

			assertThat(onA.getStatistics().refreshed()).as("the refresh was stored, then overwritten").isEqualTo(1);
			assertBothHoldThePut(redis, a, b);
		}
	}

	private static String[] concat(String[] first, String... more) {
		String[] all = new String[first.length + more.length];
		System.arraycopy(first, 0, all, 0, first.length);
		System.arraycopy(more, 0, all, first.length, more.length);
		return all;
	}

	private static void awaitPeers(CacheInstance a, CacheInstance b) {
		await().atMost(Duration.ofSeconds(10))
			.until(() -> a.bus().peers().containsKey(b.bus().instanceId())
					&& b.bus().peers().containsKey(a.bus().instanceId()));
	}

	/**
	 * With A's loader blocked: B puts, A drops its copy on B's invalidation, then the
	 * loader returns.
	 */
	private static void putWhileLoaderRuns(CacheInstance a, CacheInstance b, BlockingLoader loader) {
		long received = a.bus().statistics().received();
		b.cache("products").put("k", "put-value-e6a2");
		await().atMost(Duration.ofSeconds(5)).until(() -> a.bus().statistics().received() > received);
		assertThat(a.inL1("products", "k")).isFalse();
		loader.proceed.countDown();
	}

	/** The refresh marker is deleted once the reload's compare-and-set was answered. */
	private static boolean refreshOver(RedisServer redis, MultiLevelCache cache) {
		return "0".equals(redis.command("EXISTS", cache.canonicalKey("k") + "~refresh"));
	}

	private static void assertBothHoldThePut(RedisServer redis, CacheInstance a, CacheInstance b) {
		String inRedis = redis.command("GET", a.cache("products").canonicalKey("k"));
		assertThat(inRedis).contains("put-value-e6a2").doesNotContain("refreshed-value").doesNotContain("recomputed");
		assertThat(a.cache("products").get("k").get()).isEqualTo("put-value-e6a2");
		assertThat(a.inL1("products", "k")).isTrue();
		assertThat(b.cache("products").get("k").get()).isEqualTo("put-value-e6a2");
		assertThat(b.inL1("products", "k")).isTrue();
	}

	/**
	 * A loader that says when it starts and returns only when told to.
	 */
	static final class BlockingLoader implements java.util.concurrent.Callable<Object> {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch proceed = new CountDownLatch(1);

		final AtomicInteger calls = new AtomicInteger();

		private final String value;

		volatile String thread = "";

		BlockingLoader(String value) {
			this.value = value;
		}

		@Override
		public Object call() throws Exception {
			this.calls.incrementAndGet();
			this.thread = Thread.currentThread().getName();
			this.entered.countDown();
			assertThat(this.proceed.await(10, TimeUnit.SECONDS)).isTrue();
			return this.value;
		}

	}

}
