package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import io.github.multilevelcache.write.CacheWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Write-behind promises of the README not covered by
 * {@link WriteStrategyIntegrationTests}: an evict after a put of the same key becomes one
 * delete, {@code flush-interval} and {@code batch-size} bound how long and how many
 * writes wait, and a write accepted after the final flush is not lost.
 */
@RedisTest
class WriteBehindPromisesTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "wb-promises-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final List<MultiLevelCacheManager> managers = new ArrayList<>();

	private LettuceConnectionFactory connectionFactory;

	@AfterEach
	void close() {
		this.managers.forEach(MultiLevelCacheManager::destroy);
		if (this.connectionFactory != null) {
			this.connectionFactory.destroy();
		}
	}

	private MultiLevelCache cache(int batchSize, Duration flushInterval, BatchWriter writer) {
		if (this.connectionFactory == null) {
			this.connectionFactory = RedisTestSupport.connectionFactory(this.redis);
		}
		CacheSettings settings = CacheSettings.defaults()
			.withStrategy(WriteStrategy.WRITE_BEHIND)
			.withWriteBehind(new CacheSettings.WriteBehind(batchSize, flushInterval, 1, Duration.ofMillis(20), 10_000,
					Duration.ofSeconds(1), false));
		MultiLevelCacheManager manager = MultiLevelCacheManager.builder(this.connectionFactory)
			.defaults(settings.withKeyPrefix(this.prefix))
			.serializer(new JacksonCacheValueSerializer(List.of()))
			.writers((name, s) -> writer)
			.build();
		this.managers.add(manager);
		return manager.getCache("orders");
	}

	@Test
	void aPutThenAnEvictOfOneKeyBeforeAFlushReachTheWriterAsOneDelete() {
		BatchWriter writer = new BatchWriter();
		MultiLevelCache cache = cache(1_000, Duration.ofMinutes(10), writer);
		cache.put("k", "v1");
		cache.put("k", "v2");
		cache.evict("k");
		cache.put("other", "o");
		assertThat(writer.calls()).as("nothing flushed before the interval or a flush").isZero();
		cache.getWriteStrategy().flush();
		assertThat(writer.deletes).as("the evict became a delete").containsExactly(List.of("k"));
		assertThat(writer.writes).as("the older puts of k were never written").containsExactly(Map.of("other", "o"));
		assertThat(cache.getWriteBehindStatistics().coalesced()).isEqualTo(2);
	}

	@Test
	void aWriteWaitsAtMostAboutOneFlushInterval() {
		BatchWriter writer = new BatchWriter();
		Duration interval = Duration.ofMillis(300);
		MultiLevelCache cache = cache(1_000, interval, writer);
		for (int round = 0; round < 3; round++) {
			String key = "k" + round;
			long start = System.nanoTime();
			cache.put(key, round);
			// nobody asks for a flush: only the interval can get the write out
			await().atMost(Duration.ofSeconds(5)).until(() -> writer.written(key));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as("write of " + key + " waited")
				.isLessThan(interval.plusMillis(700));
		}
	}

	@Test
	void aFullBatchIsFlushedAtOnceAndNoBatchIsLargerThanBatchSize() {
		BatchWriter writer = new BatchWriter();
		MultiLevelCache cache = cache(5, Duration.ofMinutes(10), writer);
		for (int i = 0; i < 12; i++) {
			cache.put("k" + i, i);
		}
		// the interval never elapses here: only full batches go out on their own
		await().atMost(Duration.ofSeconds(5)).until(() -> writer.writtenKeys() == 10);
		assertThat(writer.writtenKeys()).as("the two waiting writes form no full batch").isEqualTo(10);
		cache.getWriteStrategy().flush();
		assertThat(writer.writtenKeys()).isEqualTo(12);
		assertThat(writer.writes).allSatisfy((batch) -> assertThat(batch).hasSizeLessThanOrEqualTo(5));
		assertThat(writer.writes.get(0)).containsOnlyKeys("k0", "k1", "k2", "k3", "k4");
	}

	@Test
	void aWriteAcceptedAfterTheFinalFlushIsWrittenThroughBeforeItReturns() {
		BatchWriter writer = new BatchWriter();
		MultiLevelCache cache = cache(1_000, Duration.ofMinutes(10), writer);
		cache.put("before", "queued");
		cache.getWriteStrategy().close();
		assertThat(writer.writes).containsExactly(Map.of("before", "queued"));
		// a request still running when the context closed: nobody flushes any more
		cache.put("after", "late");
		assertThat(writer.direct).as("written before put returned").containsEntry("after", "late");
		cache.evict("before");
		assertThat(writer.direct).as("deleted before evict returned").containsEntry("before", "deleted");
		assertThat(cache.getWriteBehindStatistics().writtenThrough()).isEqualTo(2);
		assertThat(cache.getWriteBehindStatistics().queueSize()).isZero();
	}

	/**
	 * Records each batch and each single (written-through) call.
	 */
	static final class BatchWriter implements CacheWriter<Object, Object> {

		final List<Map<Object, Object>> writes = new CopyOnWriteArrayList<>();

		final List<List<Object>> deletes = new CopyOnWriteArrayList<>();

		final Map<Object, Object> direct = new ConcurrentHashMap<>();

		@Override
		public void write(Object key, Object value) {
			this.direct.put(key, value);
		}

		@Override
		public void writeAll(Map<Object, Object> entries) {
			this.writes.add(Map.copyOf(entries));
		}

		@Override
		public void delete(Object key) {
			this.direct.put(key, "deleted");
		}

		@Override
		public void deleteAll(Collection<Object> keys) {
			this.deletes.add(List.copyOf(keys));
		}

		int calls() {
			return this.writes.size() + this.deletes.size() + this.direct.size();
		}

		boolean written(Object key) {
			return this.writes.stream().anyMatch((batch) -> batch.containsKey(key));
		}

		int writtenKeys() {
			return this.writes.stream().mapToInt(Map::size).sum();
		}

	}

}
