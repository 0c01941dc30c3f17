package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.github.multilevelcache.WriteStrategyIntegrationTests.RecordingWriter;
import io.github.multilevelcache.WriteStrategyIntegrationTests.WriterApp;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code write-behind.durable: true} with Redis really stopped: the journal cannot be
 * written, so each put is written through instead (README, "Write strategies"), and no
 * put waits for Redis longer than about {@code resilience.l2-timeout}, whether Redis was
 * down from the start or went down under the instance (G11's bounded waits).
 */
@RedisTest
class DurableJournalOutageTests {

	private static final int PUTS = 30;

	/**
	 * The l2-timeout (200 ms) plus room for a loaded machine; far below a connect
	 * timeout.
	 */
	private static final Duration BOUND = Duration.ofMillis(1_000);

	private final String prefix = "journal-outage-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	private RedisServer redis;

	@BeforeEach
	void startRedis() {
		this.redis = RedisServers.startPrivate();
	}

	@AfterEach
	void close() {
		this.contexts.forEach(ConfigurableApplicationContext::close);
		this.redis.close();
	}

	private MultiLevelCache start(RecordingWriter writer) {
		ConfigurableApplicationContext context = WriterApp.durableOrders(this.redis, this.prefix, writer,
				"multilevel-cache.resilience.minimum-calls=5", "multilevel-cache.resilience.sliding-window-size=10",
				"multilevel-cache.resilience.stay-open=60s",
				"multilevel-cache.caches.orders.write-behind.flush-interval=100ms");
		this.contexts.add(context);
		return context.getBean(MultiLevelCacheManager.class).getCache("orders");
	}

	@Test
	void redisDownFromTheStartEveryPutReturnsWithinTheTimeoutAndReachesTheWriter() {
		this.redis.stop();
		RecordingWriter writer = new RecordingWriter();
		MultiLevelCache cache = start(writer);

		Duration slowest = putAll(cache, 0);

		assertThat(slowest).isLessThan(BOUND);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(writer.latest).hasSize(PUTS));
		assertThat(writer.latest).containsEntry("order-7", 7L);
		assertThat(cache.get("order-7", Long.class)).isEqualTo(7L);
	}

	@Test
	void anOpenBreakerRefusesTheJournalAtOnceWhileRedisIsStalled() {
		RecordingWriter writer = new RecordingWriter();
		MultiLevelCache cache = start(writer);
		MultiLevelCacheManager manager = this.contexts.get(0).getBean(MultiLevelCacheManager.class);
		putAll(cache, 0);
		// connected, but every command waits: each journal append and Redis write times
		// out after the l2-timeout until the breaker opens
		this.redis.pause(Duration.ofSeconds(30));
		putAll(cache, PUTS);
		await().atMost(Duration.ofSeconds(10)).until(() -> "OPEN".equals(manager.getRedisState()));

		// with the breaker open nothing waits for Redis: each put would otherwise wait
		// the
		// l2-timeout (200 ms) for its journal append
		Duration slowest = putAll(cache, 2 * PUTS);

		assertThat(slowest).isLessThan(Duration.ofMillis(150));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(writer.latest).hasSize(3 * PUTS));
	}

	@Test
	void redisStoppingUnderTheInstanceKeepsPutsBoundedAndLosesNoWrite() {
		RecordingWriter writer = new RecordingWriter();
		MultiLevelCache cache = start(writer);
		assertThat(putAll(cache, 0)).as("journaled while Redis is up").isLessThan(BOUND);

		this.redis.stop();
		Duration slowest = putAll(cache, PUTS);

		assertThat(slowest).isLessThan(BOUND);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(writer.latest).hasSize(2 * PUTS));
		assertThat(writer.latest).containsEntry("order-" + (PUTS + 7), (long) PUTS + 7);
	}

	private static Duration putAll(MultiLevelCache cache, int first) {
		long slowest = 0;
		for (int i = first; i < first + PUTS; i++) {
			long start = System.nanoTime();
			cache.put("order-" + i, (long) i);
			slowest = Math.max(slowest, System.nanoTime() - start);
		}
		return Duration.ofNanos(slowest);
	}

}
