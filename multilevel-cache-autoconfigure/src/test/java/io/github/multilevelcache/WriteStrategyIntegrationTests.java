package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import io.github.multilevelcache.write.CacheWriter;
import io.github.multilevelcache.write.PendingWrite;
import io.github.multilevelcache.write.WriteBehindStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Write-through (G8) and write-behind (G9, G10) against a real Redis, with a recording
 * writer standing in for the application's database.
 */
@RedisTest
class WriteStrategyIntegrationTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "write-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final List<MultiLevelCacheManager> managers = new ArrayList<>();

	private LettuceConnectionFactory connectionFactory;

	@AfterEach
	void close() {
		this.managers.forEach(MultiLevelCacheManager::destroy);
		if (this.connectionFactory != null) {
			this.connectionFactory.destroy();
		}
	}

	private MultiLevelCache cache(CacheSettings settings, CacheWriter<?, ?> writer,
			List<List<PendingWrite>> deadLetters) {
		if (this.connectionFactory == null) {
			this.connectionFactory = RedisTestSupport.connectionFactory(this.redis);
		}
		MultiLevelCacheManager manager = MultiLevelCacheManager.builder(this.connectionFactory)
			.defaults(settings.withKeyPrefix(this.prefix))
			.serializer(new JacksonCacheValueSerializer(List.of()))
			.writers((name, s) -> writer)
			.deadLetterHandler((name, writes, failure) -> deadLetters.add(writes))
			.build();
		this.managers.add(manager);
		return manager.getCache("orders");
	}

	private static CacheSettings writeBehind(int batchSize, Duration flushInterval, int maxRetries, int capacity,
			Duration offerTimeout) {
		return CacheSettings.defaults()
			.withStrategy(WriteStrategy.WRITE_BEHIND)
			.withWriteBehind(new CacheSettings.WriteBehind(batchSize, flushInterval, maxRetries, Duration.ofMillis(20),
					capacity, offerTimeout, false));
	}

	@Test
	void writeThroughFailureReachesTheCallerAndLeavesBothLevelsUnchanged() {
		RecordingWriter writer = new RecordingWriter();
		MultiLevelCache cache = cache(CacheSettings.defaults().withStrategy(WriteStrategy.WRITE_THROUGH), writer,
				new CopyOnWriteArrayList<>());
		cache.put("k", "v1");
		assertThat(writer.latest).containsEntry("k", "v1");
		assertThat(this.redis.command("EXISTS", cache.canonicalKey("k"))).isEqualTo("1");
		writer.failOn = "v2";
		assertThatIllegalStateException().isThrownBy(() -> cache.put("k", "v2")).withMessage("database refused v2");
		assertThat(cache.get("k").get()).isEqualTo("v1");
		assertThat(cache.l1().peek(cache.canonicalKey("k")).storeValue()).isEqualTo("v1");
		assertThat(new StampedeIntegrationTests.CacheInstanceProbe(this.redis).read(cache.canonicalKey("k")))
			.isEqualTo("v1");
		cache.evict("k");
		assertThat(writer.deleted).containsExactly("k");
	}

	@Test
	void writeBehindCoalescesToEachKeysFinalValueInOrder() throws Exception {
		RecordingWriter writer = new RecordingWriter();
		MultiLevelCache cache = cache(writeBehind(100, Duration.ofMillis(100), 3, 10_000, Duration.ofSeconds(1)),
				writer, new CopyOnWriteArrayList<>());
		int threads = 8;
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			Thread worker = new Thread(() -> {
				try {
					start.await();
				}
				catch (InterruptedException ex) {
					return;
				}
				// each key has one writer thread, so its values are ordered: 0, 1, 2, ...
				List<Integer> own = (thread < 2) ? List.of(thread, thread + 8) : List.of(thread);
				for (int i = 0; i < 1_250; i++) {
					cache.put("key-" + own.get(i % own.size()), (long) i);
				}
			});
			workers.add(worker);
			worker.start();
		}
		long began = System.nanoTime();
		start.countDown();
		for (Thread worker : workers) {
			worker.join();
		}
		double seconds = (System.nanoTime() - began) / 1e9;
		cache.getWriteStrategy().flush();
		for (int key = 0; key < 10; key++) {
			List<Object> seen = writer.history.get("key-" + key);
			assertThat(seen).isNotEmpty();
			assertThat(seen.get(seen.size() - 1)).isEqualTo(cache.get("key-" + key).get());
			for (int i = 1; i < seen.size(); i++) {
				assertThat((Long) seen.get(i)).as("G10: never an older value after a newer one")
					.isGreaterThan((Long) seen.get(i - 1));
			}
		}
		int writes = writer.writes.get();
		System.out.printf(
				"[write-behind] 10,000 puts over 10 keys from 8 threads: %d writer writes, %d coalesced, "
						+ "%.0f accepted puts/s (each also a Redis SET)%n",
				writes, cache.getWriteBehindStatistics().coalesced(), 10_000 / seconds);
		assertThat(writes).isLessThan(2_000);
	}

	@Test
	void failingBatchIsRetriedAndArrivesOnce() {
		RecordingWriter writer = new RecordingWriter();
		writer.failuresLeft.set(2);
		MultiLevelCache cache = cache(writeBehind(10, Duration.ofMillis(50), 3, 100, Duration.ofSeconds(1)), writer,
				new CopyOnWriteArrayList<>());
		cache.put("a", "1");
		cache.getWriteStrategy().flush();
		assertThat(writer.history.get("a")).containsExactly("1");
		assertThat(cache.getWriteBehindStatistics().retries()).isEqualTo(2);
	}

	@Test
	void batchStillFailingAfterEveryRetryGoesToTheDeadLetterHandler() {
		RecordingWriter writer = new RecordingWriter();
		writer.failuresLeft.set(Integer.MAX_VALUE);
		List<List<PendingWrite>> deadLetters = new CopyOnWriteArrayList<>();
		MultiLevelCache cache = cache(writeBehind(10, Duration.ofMillis(50), 2, 100, Duration.ofSeconds(1)), writer,
				deadLetters);
		cache.put("a", "1");
		cache.evict("b");
		cache.getWriteStrategy().flush();
		// one batch or two, depending on whether the flusher woke between the put and the
		// evict
		List<PendingWrite> dead = deadLetters.stream().flatMap(List::stream).toList();
		assertThat(dead).extracting(PendingWrite::key).containsExactly("a", "b");
		assertThat(dead.get(1).delete()).isTrue();
		assertThat(cache.getWriteBehindStatistics().deadLettered()).isEqualTo(2);
	}

	@Test
	void fullQueueWritesThroughOnTheCallersThreadAndLosesNothing() throws Exception {
		RecordingWriter writer = new RecordingWriter();
		writer.batchGate = new CountDownLatch(1);
		// a batch only once five keys wait (the interval never elapses here)
		MultiLevelCache cache = cache(writeBehind(5, Duration.ofMinutes(10), 1, 5, Duration.ofMillis(50)), writer,
				new CopyOnWriteArrayList<>());
		WriteBehindStatistics statistics = cache.getWriteBehindStatistics();
		for (int i = 0; i < 5; i++) {
			cache.put("k" + i, (long) i);
		}
		// the flusher took those five and is stuck in the writer ...
		assertThat(writer.batchEntered.await(10, TimeUnit.SECONDS)).isTrue();
		for (int i = 5; i < 10; i++) {
			cache.put("k" + i, (long) i);
		}
		// ... so five more fill the queue
		assertThat(statistics.queueSize()).isEqualTo(5);
		assertThat(statistics.writtenThrough()).isZero();
		AtomicReference<Thread> caller = new AtomicReference<>();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread overflowing = new Thread(() -> {
			caller.set(Thread.currentThread());
			try {
				cache.put("k10", 10L);
				assertThat(writer.latest).as("written before put returned").containsEntry("k10", 10L);
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
		}, "overflowing-put");
		overflowing.start();
		// the next put waits offer-timeout for room, then writes through on its own
		// thread, after the batch in flight
		await().atMost(Duration.ofSeconds(10)).until(() -> inWriteThrough(overflowing));
		assertThat(writer.latest).doesNotContainKey("k10");
		writer.batchGate.countDown();
		overflowing.join(10_000);
		assertThat(overflowing.isAlive()).isFalse();
		assertThat(failure.get()).isNull();
		assertThat(writer.writtenBy.get("k10")).as("the writer ran on the caller's thread").isSameAs(caller.get());
		assertThat(statistics.writtenThrough()).isEqualTo(1);
		// and under sustained back-pressure nothing is lost
		writer.delayMillis = 5;
		for (int i = 0; i < 200; i++) {
			cache.put("k" + (i % 50), (long) i);
		}
		cache.getWriteStrategy().flush();
		for (int k = 0; k < 50; k++) {
			assertThat(writer.latest).containsEntry("k" + k, (long) (150 + k));
		}
		System.out.printf("[write-behind] back-pressure: %d puts written through synchronously%n",
				statistics.writtenThrough());
	}

	/**
	 * Whether a thread is inside the write-behind's synchronous fallback.
	 */
	private static boolean inWriteThrough(Thread thread) {
		for (StackTraceElement frame : thread.getStackTrace()) {
			if (frame.getClassName().equals("io.github.multilevelcache.write.WriteBehind")
					&& frame.getMethodName().equals("writeThroughNow")) {
				return true;
			}
		}
		return false;
	}

	@Test
	void closingTheContextFlushesEveryAcceptedWrite() {
		RecordingWriter writer = new RecordingWriter();
		ConfigurableApplicationContext context = new SpringApplicationBuilder(WriterApp.class)
			.web(WebApplicationType.NONE)
			.initializers((ctx) -> ctx.getBeanFactory().registerSingleton("ordersWriter", writer))
			.properties("spring.data.redis.url=" + this.redis.url(), "multilevel-cache.key-prefix=" + this.prefix,
					"multilevel-cache.invalidation.enabled=false",
					"multilevel-cache.caches.orders.strategy=write-behind",
					"multilevel-cache.caches.orders.writer=ordersWriter",
					"multilevel-cache.caches.orders.write-behind.flush-interval=10m",
					"multilevel-cache.caches.orders.write-behind.batch-size=1000",
					"management.endpoints.web.exposure.include=multilevelcache")
			.run();
		MultiLevelCache orders = context.getBean(MultiLevelCacheManager.class).getCache("orders");
		for (int i = 0; i < 300; i++) {
			orders.put("order-" + i, (long) i);
		}
		assertThat(writer.writes.get()).as("nothing flushed yet").isZero();
		orders.put("order-0", -1L);
		// the actuator endpoint flushes on demand
		assertThat(context.getBean(io.github.multilevelcache.actuate.MultiLevelCacheEndpoint.class).flushWriteBehind())
			.isEqualTo(1);
		assertThat(writer.latest).containsEntry("order-0", -1L).hasSize(300);
		for (int i = 0; i < 300; i++) {
			orders.put("order-" + i, (long) i);
		}
		context.close();
		assertThat(writer.latest).hasSize(300);
		assertThat(writer.latest).containsEntry("order-299", 299L);
	}

	@Test
	void durableJournalSurvivesKillNineAndIsReplayedByAnotherInstanceWhateverItsFlushInterval() throws Exception {
		String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
				DurableWriteBehindChild.class.getName(), this.redis.url(), this.prefix)
			.redirectErrorStream(true)
			.start();
		long killed;
		try {
			// a hung child must not hang the build: read its output with a deadline
			CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> awaitLine(child, "ACCEPTED"));
			assertThat(accepted.get(150, TimeUnit.SECONDS)).contains("ACCEPTED");
			child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			killed = System.nanoTime();
		}
		finally {
			child.destroyForcibly();
		}
		RecordingWriter writer = new RecordingWriter();
		ConfigurableApplicationContext context = new SpringApplicationBuilder(WriterApp.class)
			.web(WebApplicationType.NONE)
			.initializers((ctx) -> ctx.getBeanFactory().registerSingleton("ordersWriter", writer))
			.properties("spring.data.redis.url=" + this.redis.url(), "multilevel-cache.key-prefix=" + this.prefix,
					"multilevel-cache.invalidation.enabled=false",
					"multilevel-cache.caches.orders.strategy=write-behind",
					"multilevel-cache.caches.orders.writer=ordersWriter",
					"multilevel-cache.caches.orders.write-behind.durable=true",
					"multilevel-cache.caches.orders.write-behind.flush-interval=60s")
			.run();
		try {
			// the killed instance's owner key expires (10 s after its last renewal, at
			// most 2 s before the kill),
			// is seen missing twice a second apart, and the journal is replayed: never
			// later than ~13 s
			// the replay hands the writes to writeAll, then the delete to deleteAll: wait
			// for both
			await().atMost(Duration.ofSeconds(25)).untilAsserted(() -> {
				assertThat(writer.latest).hasSize(9).containsEntry("order-0", 5L);
				assertThat(writer.deleted).containsExactly("order-9");
			});
			assertThat(Duration.ofNanos(System.nanoTime() - killed)).as("replay after the kill")
				.isLessThan(Duration.ofSeconds(17));
			for (int key = 0; key < 9; key++) {
				assertThat(writer.history.get("order-" + key)).as("coalesced to the last accepted write")
					.containsExactly(5L);
			}
			// the journal and its claim key are gone once the replay finished
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(
						() -> assertThat(this.redis.command("KEYS", this.prefix + "multilevel-cache:wb:orders:*"))
							.isNullOrEmpty());
		}
		finally {
			context.close();
		}
	}

	private static String awaitLine(Process child, String marker) {
		try (java.io.BufferedReader out = new java.io.BufferedReader(
				new java.io.InputStreamReader(child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
			StringBuilder seen = new StringBuilder();
			String line;
			while ((line = out.readLine()) != null) {
				if (line.contains(marker)) {
					return line;
				}
				seen.append(line).append('\n');
			}
			throw new IllegalStateException("The child ended without printing " + marker + ":\n" + seen);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	@Test
	void liveInstancesNeverClaimEachOthersDurableJournal() throws Exception {
		List<RecordingWriter> writers = List.of(new RecordingWriter(), new RecordingWriter());
		List<ConfigurableApplicationContext> contexts = new ArrayList<>();
		try {
			for (RecordingWriter writer : writers) {
				contexts.add(new SpringApplicationBuilder(WriterApp.class).web(WebApplicationType.NONE)
					.initializers((ctx) -> ctx.getBeanFactory().registerSingleton("ordersWriter", writer))
					.properties("spring.data.redis.url=" + this.redis.url(),
							"multilevel-cache.key-prefix=" + this.prefix, "multilevel-cache.invalidation.enabled=false",
							"multilevel-cache.caches.orders.strategy=write-behind",
							"multilevel-cache.caches.orders.writer=ordersWriter",
							"multilevel-cache.caches.orders.write-behind.durable=true",
							"multilevel-cache.caches.orders.write-behind.flush-interval=60s",
							"multilevel-cache.caches.orders.write-behind.batch-size=100000")
					.run());
			}
			List<String> owners = contexts.stream()
				.map((context) -> this.prefix + "multilevel-cache:wb-owner:"
						+ context.getBean(MultiLevelCacheManager.class).getInstanceId())
				.toList();
			// a quarter of a minute of writes, far past the owner keys' 10 s TTL; nothing
			// flushes meanwhile, so
			// any write the writers see came from a claim of a live instance's journal
			long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
			long version = 0;
			while (System.nanoTime() < end) {
				version++;
				for (int i = 0; i < contexts.size(); i++) {
					contexts.get(i).getBean(MultiLevelCacheManager.class).getCache("orders").put("o" + i, version);
				}
				for (String owner : owners) {
					assertThat(this.redis.command("EXISTS", owner)).as(owner).isEqualTo("1");
				}
				Thread.sleep(200);
			}
			assertThat(writers.get(0).history).as("nothing claimed").isEmpty();
			assertThat(writers.get(1).history).as("nothing claimed").isEmpty();
		}
		finally {
			contexts.forEach(ConfigurableApplicationContext::close);
		}
		// closing flushes each instance's own queue, once
		for (int i = 0; i < writers.size(); i++) {
			assertThat(writers.get(i).history.get("o" + i)).hasSize(1);
			assertThat(writers.get(i).history).hasSize(1);
		}
	}

	/**
	 * Records what reaches the "database".
	 */
	@ParameterizedTest
	@EnumSource(value = WriteStrategy.class, names = { "WRITE_THROUGH", "WRITE_BEHIND" })
	void concurrentPutsOfOneKeyLeaveTheDatabaseAndTheCacheWithTheSameValue(WriteStrategy strategy) throws Exception {
		RecordingWriter writer = new RecordingWriter();
		CacheSettings settings = (strategy == WriteStrategy.WRITE_BEHIND)
				? writeBehind(100, Duration.ofMillis(50), 3, 10_000, Duration.ofSeconds(1))
				: CacheSettings.defaults().withStrategy(strategy);
		MultiLevelCache cache = cache(settings, writer, new CopyOnWriteArrayList<>());
		int threads = 8;
		int keys = 100;
		CyclicBarrier together = new CyclicBarrier(threads);
		List<Thread> workers = new ArrayList<>();
		List<Throwable> failures = new CopyOnWriteArrayList<>();
		for (int t = 0; t < threads; t++) {
			long thread = t;
			Thread worker = new Thread(() -> {
				try {
					for (int key = 0; key < keys; key++) {
						together.await(10, TimeUnit.SECONDS);
						// every thread writes the same key at once, each its own value
						cache.put("hot-" + key, thread);
					}
				}
				catch (Exception ex) {
					failures.add(ex);
				}
			});
			workers.add(worker);
			worker.start();
		}
		for (Thread worker : workers) {
			worker.join();
		}
		assertThat(failures).isEmpty();
		cache.getWriteStrategy().flush();
		StampedeIntegrationTests.CacheInstanceProbe redis = new StampedeIntegrationTests.CacheInstanceProbe(this.redis);
		for (int key = 0; key < keys; key++) {
			Object cached = cache.get("hot-" + key).get();
			assertThat(writer.latest.get("hot-" + key)).as("database row of hot-" + key).isEqualTo(cached);
			assertThat(redis.read(cache.canonicalKey("hot-" + key))).as("Redis value of hot-" + key).isEqualTo(cached);
		}
	}

	@Test
	void writersThatWriteEachOthersKeysDoNotDeadlock() throws Exception {
		AtomicReference<MultiLevelCache> self = new AtomicReference<>();
		CyclicBarrier bothWriting = new CyclicBarrier(2);
		CacheWriter<Object, Object> crossWriter = new CacheWriter<>() {
			@Override
			public void write(Object key, Object value) {
				if ("top".equals(value)) {
					// both threads are inside their writer, each holding its key's lock:
					// now write the other key
					awaitAll(bothWriting);
					self.get().put(key.equals("x") ? "y" : "x", "nested");
				}
			}

			@Override
			public void delete(Object key) {
			}
		};
		MultiLevelCache cache = cache(CacheSettings.defaults().withStrategy(WriteStrategy.WRITE_THROUGH), crossWriter,
				new CopyOnWriteArrayList<>());
		self.set(cache);
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			Future<?> x = threads.submit(() -> cache.put("x", "top"));
			Future<?> y = threads.submit(() -> cache.put("y", "top"));
			x.get(10, TimeUnit.SECONDS);
			y.get(10, TimeUnit.SECONDS);
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(cache.get("x").get()).isIn("top", "nested");
		assertThat(cache.get("y").get()).isIn("top", "nested");
	}

	/**
	 * Waits for the other writer; goes on alone when it cannot come (the two keys share a
	 * lock stripe, one time in 1,024, and then the writes simply run one after the
	 * other).
	 */
	private static void awaitAll(CyclicBarrier barrier) {
		try {
			barrier.await(2, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (BrokenBarrierException | TimeoutException ex) {
			// alone
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableCaching
	static class WriterApp {

		@Bean
		String unused() {
			return "";
		}

		/**
		 * Starts an application whose cache {@code orders} is durable write-behind into
		 * {@code writer}, without invalidation.
		 * @param properties more properties, overriding these
		 */
		static ConfigurableApplicationContext durableOrders(RedisServer redis, String prefix, RecordingWriter writer,
				String... properties) {
			List<String> all = new ArrayList<>(
					List.of("spring.main.banner-mode=off", "spring.data.redis.url=" + redis.url(),
							"multilevel-cache.key-prefix=" + prefix, "multilevel-cache.invalidation.enabled=false",
							"multilevel-cache.caches.orders.strategy=write-behind",
							"multilevel-cache.caches.orders.writer=ordersWriter",
							"multilevel-cache.caches.orders.write-behind.durable=true"));
			all.addAll(List.of(properties));
			return new SpringApplicationBuilder(WriterApp.class).web(WebApplicationType.NONE)
				.initializers((ctx) -> ctx.getBeanFactory().registerSingleton("ordersWriter", writer))
				.properties(all.toArray(new String[0]))
				.run();
		}

	}

	static final class RecordingWriter implements CacheWriter<Object, Object> {

		final Map<Object, Object> latest = new ConcurrentHashMap<>();

		final Map<Object, List<Object>> history = new ConcurrentHashMap<>();

		final List<Object> deleted = new CopyOnWriteArrayList<>();

		final AtomicInteger writes = new AtomicInteger();

		final AtomicInteger failuresLeft = new AtomicInteger();

		final Map<Object, Thread> writtenBy = new ConcurrentHashMap<>();

		final CountDownLatch batchEntered = new CountDownLatch(1);

		volatile Object failOn;

		volatile long delayMillis;

		/** When set, the first batch waits for it. */
		volatile CountDownLatch batchGate;

		@Override
		public void write(Object key, Object value) {
			if (value != null && value.equals(this.failOn)) {
				throw new IllegalStateException("database refused " + value);
			}
			this.writtenBy.put(key, Thread.currentThread());
			this.writes.incrementAndGet();
			this.latest.put(key, value);
			this.history.computeIfAbsent(key, (k) -> new CopyOnWriteArrayList<>()).add(value);
		}

		@Override
		public void writeAll(Map<Object, Object> entries) {
			failIfAsked();
			CountDownLatch gate = this.batchGate;
			if (gate != null && this.batchEntered.getCount() > 0) {
				this.batchEntered.countDown();
				try {
					if (!gate.await(30, TimeUnit.SECONDS)) {
						throw new IllegalStateException("The test never opened the gate");
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			pause();
			CacheWriter.super.writeAll(entries);
		}

		@Override
		public void delete(Object key) {
			this.deleted.add(key);
			this.latest.remove(key);
		}

		@Override
		public void deleteAll(java.util.Collection<Object> keys) {
			failIfAsked();
			CacheWriter.super.deleteAll(keys);
		}

		private void failIfAsked() {
			if (this.failuresLeft.getAndUpdate((n) -> (n > 0 && n != Integer.MAX_VALUE) ? n - 1 : n) > 0) {
				throw new IllegalStateException("database unavailable");
			}
		}

		private void pause() {
			if (this.delayMillis > 0) {
				try {
					Thread.sleep(this.delayMillis);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

	}

}
