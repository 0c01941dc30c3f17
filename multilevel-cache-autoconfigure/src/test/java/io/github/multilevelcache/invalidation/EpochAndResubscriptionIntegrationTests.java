package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.UUID;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.test.PrivateRedis;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README, "Coherence" and "Observability": a Redis restart or {@code FLUSHALL} (the epoch
 * marker changes) and a resubscription both clear every L1, and each is told apart: its
 * own counter ({@code multilevel.cache.invalidation.epoch.changes} and
 * {@code .resubscriptions}) and, for the epoch, its own log line. Two instances on a
 * Redis of the test's own, since it flushes, kills connections and restarts it.
 */
@RedisTest
@ExtendWith(OutputCaptureExtension.class)
class EpochAndResubscriptionIntegrationTests {

	private static final String EPOCH_LOG = "Redis was restarted or flushed (epoch marker changed)";

	private final String prefix = "epoch-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private CacheInstance a;

	private CacheInstance b;

	@AfterEach
	void stop() {
		for (CacheInstance instance : new CacheInstance[] { this.a, this.b }) {
			if (instance != null) {
				instance.close();
			}
		}
	}

	private void start(RedisServer redis) {
		this.a = CacheInstance.start(redis, this.prefix).awaitSubscribed();
		this.b = CacheInstance.start(redis, this.prefix).awaitSubscribed();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.a.bus().peers().containsKey(this.b.bus().instanceId())
					&& this.b.bus().peers().containsKey(this.a.bus().instanceId()));
	}

	/** Each instance puts its own keys: its own writes stay in its L1. */
	private void warm() {
		for (CacheInstance instance : new CacheInstance[] { this.a, this.b }) {
			String id = instance.bus().instanceId().toString();
			instance.cache("products").put("p-" + id, "p");
			instance.cache("orders").put("o-" + id, "o");
			assertThat(holdsWarmKeys(instance)).isTrue();
		}
	}

	private static boolean holdsWarmKeys(CacheInstance instance) {
		String id = instance.bus().instanceId().toString();
		return instance.inL1("products", "p-" + id) && instance.inL1("orders", "o-" + id);
	}

	private static boolean holdsNone(CacheInstance instance) {
		String id = instance.bus().instanceId().toString();
		return !instance.inL1("products", "p-" + id) && !instance.inL1("orders", "o-" + id);
	}

	private static double meter(CacheInstance instance, String name) {
		return instance.context().getBean(MeterRegistry.class).get(name).functionCounter().count();
	}

	@Test
	void flushAllIsCountedAsAnEpochChangeNotAsAResubscription(@PrivateRedis RedisServer redis, CapturedOutput output) {
		start(redis);
		warm();
		long epochA = this.a.bus().statistics().epochChanges();
		long epochB = this.b.bus().statistics().epochChanges();
		long resubscriptionsA = this.a.bus().statistics().resubscriptions();
		long resubscriptionsB = this.b.bus().statistics().resubscriptions();
		int logged = count(output.getAll(), EPOCH_LOG);

		redis.flushAll();

		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.a.bus().statistics().epochChanges() == epochA + 1
					&& this.b.bus().statistics().epochChanges() == epochB + 1);
		assertThat(holdsNone(this.a)).as("every L1 of A cleared").isTrue();
		assertThat(holdsNone(this.b)).as("every L1 of B cleared").isTrue();
		assertThat(this.a.bus().statistics().resubscriptions()).isEqualTo(resubscriptionsA);
		assertThat(this.b.bus().statistics().resubscriptions()).isEqualTo(resubscriptionsB);
		assertThat(meter(this.a, "multilevel.cache.invalidation.epoch.changes")).isEqualTo(epochA + 1);
		assertThat(meter(this.a, "multilevel.cache.invalidation.resubscriptions")).isEqualTo(resubscriptionsA);
		await().atMost(Duration.ofSeconds(2)).until(() -> count(output.getAll(), EPOCH_LOG) == logged + 2);
	}

	@Test
	void aResubscriptionIsCountedAsSuchNotAsAnEpochChange(@PrivateRedis RedisServer redis, CapturedOutput output) {
		start(redis);
		warm();
		long epochA = this.a.bus().statistics().epochChanges();
		long epochB = this.b.bus().statistics().epochChanges();
		long resubscriptionsA = this.a.bus().statistics().resubscriptions();
		long resubscriptionsB = this.b.bus().statistics().resubscriptions();
		int logged = count(output.getAll(), EPOCH_LOG);

		redis.command("CLIENT", "KILL", "TYPE", "pubsub");

		await().atMost(Duration.ofSeconds(8))
			.until(() -> this.a.bus().statistics().resubscriptions() > resubscriptionsA
					&& this.b.bus().statistics().resubscriptions() > resubscriptionsB && this.a.bus().isSubscribed()
					&& this.b.bus().isSubscribed());
		assertThat(holdsNone(this.a)).as("every L1 of A cleared").isTrue();
		assertThat(holdsNone(this.b)).as("every L1 of B cleared").isTrue();
		// a few more epoch checks pass: the data is intact, so none reports a change
		long checked = System.nanoTime() + Duration.ofMillis(600).toNanos();
		await().atMost(Duration.ofSeconds(2)).until(() -> System.nanoTime() > checked);
		assertThat(this.a.bus().statistics().epochChanges()).isEqualTo(epochA);
		assertThat(this.b.bus().statistics().epochChanges()).isEqualTo(epochB);
		assertThat(meter(this.a, "multilevel.cache.invalidation.resubscriptions"))
			.isEqualTo(this.a.bus().statistics().resubscriptions());
		assertThat(meter(this.a, "multilevel.cache.invalidation.epoch.changes")).isEqualTo(epochA);
		assertThat(count(output.getAll(), EPOCH_LOG)).isEqualTo(logged);
	}

	@Test
	void aRestartIsBothAnEpochChangeAndAResubscription(@PrivateRedis RedisServer redis) {
		start(redis);
		warm();
		long epochB = this.b.bus().statistics().epochChanges();
		long resubscriptionsB = this.b.bus().statistics().resubscriptions();

		redis.stop();
		redis.start();

		await().atMost(Duration.ofSeconds(9))
			.until(() -> this.b.bus().statistics().epochChanges() > epochB
					&& this.b.bus().statistics().resubscriptions() > resubscriptionsB && this.b.bus().isSubscribed());
		assertThat(holdsNone(this.b)).isTrue();
	}

	private static int count(String text, String part) {
		int count = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
			count++;
		}
		return count;
	}

}
