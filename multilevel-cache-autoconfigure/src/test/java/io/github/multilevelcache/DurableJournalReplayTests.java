package io.github.multilevelcache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.github.multilevelcache.WriteStrategyIntegrationTests.RecordingWriter;
import io.github.multilevelcache.WriteStrategyIntegrationTests.WriterApp;
import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README, {@code write-behind.durable: true}: the journal of an instance that is gone
 * (here written straight into Redis, as a process that died left it) is replayed by a
 * live instance "once, coalesced to the last write per key, in journal order, skipping
 * keys whose cached value is newer than the journaled write". An entry that cannot be
 * read is skipped and logged; it does not keep the rest of the journal from being
 * replayed. (The {@code kill -9} of a real child process is
 * {@link WriteStrategyIntegrationTests}'s.)
 */
@RedisTest
@ExtendWith(OutputCaptureExtension.class)
class DurableJournalReplayTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "journal-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final JacksonCacheValueSerializer serializer = new JacksonCacheValueSerializer(List.of());

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	@AfterEach
	void close() {
		this.contexts.forEach(ConfigurableApplicationContext::close);
	}

	private MultiLevelCache start(RecordingWriter writer) {
		ConfigurableApplicationContext context = WriterApp.durableOrders(this.redis, this.prefix, writer,
				"multilevel-cache.caches.orders.write-behind.flush-interval=60s",
				"multilevel-cache.caches.orders.write-behind.batch-size=100000");
		this.contexts.add(context);
		return context.getBean(MultiLevelCacheManager.class).getCache("orders");
	}

	@Test
	void aGoneInstancesJournalIsReplayedOnceByOneLiveInstanceSkippingNewerValuesAndCorruptEntries(
			CapturedOutput output) {
		RecordingWriter first = new RecordingWriter();
		RecordingWriter second = new RecordingWriter();
		MultiLevelCache orders = start(first);
		start(second);
		// written after the dead instance's journaled write of the same key
		orders.put("order-3", 30L);
		String stream = this.prefix + "multilevel-cache:wb:orders:" + UUID.randomUUID();
		long now = System.currentTimeMillis();
		append(stream, this.serializer.serialize("order-1"), this.serializer.serialize(1L), "0", now - 30);
		append(stream, "{not json".getBytes(StandardCharsets.UTF_8), this.serializer.serialize(9L), "0", now - 25);
		append(stream, this.serializer.serialize("order-2"), new byte[0], "1", now - 20);
		append(stream, this.serializer.serialize("order-1"), this.serializer.serialize(2L), "0", now - 10);
		append(stream, this.serializer.serialize("order-3"), this.serializer.serialize(3L), "0", now - 60_000);
		// no owner key: seen missing twice, a second apart, then claimed by one instance
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.redis.command("EXISTS", stream)).isEqualTo("0"));
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(replayed(first, second, "order-1")).containsExactly(2L));
		assertThat(deleted(first, second)).as("the journaled evict became one delete").containsExactly("order-2");
		assertThat(replayed(first, second, "order-3")).as("the cache's newer order-3 wins").isEmpty();
		assertThat(first.history.size() + second.history.size()).as("keys written by the replay").isEqualTo(1);
		assertThat(output).contains("Skipped corrupt write-behind journal entry");
		// once: further orphan checks (one a second) find nothing to replay
		await().during(Duration.ofMillis(2500))
			.atMost(Duration.ofSeconds(4))
			.until(() -> replayed(first, second, "order-1").size() == 1 && deleted(first, second).size() == 1);
		assertThat(this.redis.command("KEYS", stream + "*")).as("no claim key left").isNullOrEmpty();
	}

	private void append(String stream, byte[] key, byte[] value, String kind, long time) {
		this.redis.commandBytes(bytes("XADD"), bytes(stream), bytes("*"), bytes("k"), key, bytes("v"), value,
				bytes("d"), bytes(kind), bytes("t"), bytes(Long.toString(time)));
	}

	private static List<Object> replayed(RecordingWriter first, RecordingWriter second, String key) {
		List<Object> all = new ArrayList<>(first.history.getOrDefault(key, List.of()));
		all.addAll(second.history.getOrDefault(key, List.of()));
		return all;
	}

	private static List<Object> deleted(RecordingWriter first, RecordingWriter second) {
		List<Object> all = new ArrayList<>(first.deleted);
		all.addAll(second.deleted);
		return all;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
