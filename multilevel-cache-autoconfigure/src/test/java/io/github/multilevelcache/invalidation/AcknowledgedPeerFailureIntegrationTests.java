package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.UUID;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.RedisProxy;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README, "Properties" and "Coherence", acknowledged mode: a write waits at most
 * {@code ack-timeout} for a live peer that does not confirm (the missed deadline is
 * counted and logged), and a peer silent longer than {@code peer-timeout} is no longer
 * waited for at all. B reaches Redis through a relay that either silences B's
 * subscription (B is alive and heartbeating, but hears nothing) or freezes every
 * connection of B (dead without having closed anything).
 */
@RedisTest
@ExtendWith(OutputCaptureExtension.class)
class AcknowledgedPeerFailureIntegrationTests {

	private static final Duration ACK_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration PEER_TIMEOUT = Duration.ofMillis(1500);

	private static final String[] ACKNOWLEDGED = { "multilevel-cache.invalidation.mode=acknowledged",
			"multilevel-cache.invalidation.ack-timeout=" + ACK_TIMEOUT.toMillis() + "ms",
			"multilevel-cache.invalidation.peer-timeout=" + PEER_TIMEOUT.toMillis() + "ms" };

	private final String prefix = "ack-peer-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private static String[] with(String... more) {
		String[] all = new String[ACKNOWLEDGED.length + more.length];
		System.arraycopy(ACKNOWLEDGED, 0, all, 0, ACKNOWLEDGED.length);
		System.arraycopy(more, 0, all, ACKNOWLEDGED.length, more.length);
		return all;
	}

	private static long timedPut(CacheInstance instance, String key, Object value) {
		long start = System.nanoTime();
		instance.cache("products").put(key, value);
		return System.nanoTime() - start;
	}

	private static void awaitPeers(CacheInstance a, CacheInstance b) {
		await().atMost(Duration.ofSeconds(10))
			.until(() -> a.bus().peers().containsKey(b.bus().instanceId())
					&& b.bus().peers().containsKey(a.bus().instanceId()));
	}

	@Test
	void aLivePeerThatDoesNotAcknowledgeDelaysAWriteByAboutTheAckTimeout(RedisServer redis, CapturedOutput output) {
		try (RedisProxy proxy = RedisProxy.start(redis);
				CacheInstance a = CacheInstance.start(redis, this.prefix, ACKNOWLEDGED).awaitSubscribed();
				CacheInstance b = CacheInstance.start(redis, this.prefix, with("spring.data.redis.url=" + proxy.url()))
					.awaitSubscribed()) {
			awaitPeers(a, b);
			// B acknowledges: the write does not wait for the timeout
			long acked = timedPut(a, "k", "v1");
			assertThat(a.bus().statistics().ackTimeouts()).isZero();
			assertThat(acked).isLessThan(ACK_TIMEOUT.toNanos());

			assertThat(proxy.silenceSubscribers()).isEqualTo(1);
			long waited = timedPut(a, "k", "v2");
			assertThat(waited).as("waited for B until the ack timeout")
				.isGreaterThanOrEqualTo(ACK_TIMEOUT.toNanos())
				.isLessThan(ACK_TIMEOUT.plusSeconds(3).toNanos());
			assertThat(a.bus().statistics().ackTimeouts()).isEqualTo(1);
			assertThat(a.context()
				.getBean(MeterRegistry.class)
				.get("multilevel.cache.invalidation.ack.timeouts")
				.functionCounter()
				.count()).isEqualTo(1);
			assertThat(output).contains("[" + b.bus().instanceId() + "] did not acknowledge invalidation");
			assertThat(a.bus().peers()).as("B is still heartbeating, so still a live peer")
				.containsKey(b.bus().instanceId());
		}
	}

	@Test
	void aPeerSilentLongerThanThePeerTimeoutIsNoLongerWaitedFor(RedisServer redis, CapturedOutput output) {
		try (RedisProxy proxy = RedisProxy.start(redis);
				CacheInstance a = CacheInstance.start(redis, this.prefix, ACKNOWLEDGED).awaitSubscribed()) {
			CacheInstance b = CacheInstance.start(redis, this.prefix, with("spring.data.redis.url=" + proxy.url()))
				.awaitSubscribed();
			try {
				awaitPeers(a, b);
				UUID dead = b.bus().instanceId();
				proxy.freeze();
				// still within the peer timeout: B is waited for, until the ack timeout
				long waited = timedPut(a, "k", "v1");
				assertThat(waited).isGreaterThanOrEqualTo(ACK_TIMEOUT.toNanos());
				assertThat(a.bus().statistics().ackTimeouts()).isEqualTo(1);
				assertThat(output).contains("[" + dead + "] did not acknowledge invalidation");

				await().atMost(PEER_TIMEOUT.plusSeconds(3)).until(() -> !a.bus().peers().containsKey(dead));
				long notWaited = timedPut(a, "k", "v2");
				assertThat(a.bus().statistics().ackTimeouts()).as("nobody left to wait for").isEqualTo(1);
				assertThat(notWaited).isLessThan(ACK_TIMEOUT.toNanos());
				assertThat(a.bus().peers()).isEmpty();
			}
			finally {
				proxy.close();
				b.close();
			}
		}
	}

}
