package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import io.github.multilevelcache.write.CacheWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * README, write-through: "{@code put} calls {@code write} first; if it throws, the
 * exception reaches the caller unchanged and neither level changes. {@code evict} calls
 * {@code delete} first", and "{@code clear()} clears the cache, never your database".
 * Beyond {@link WriteStrategyIntegrationTests}: a failed delete, the other instances' L1,
 * and {@code clear}.
 */
@RedisTest
class WriteThroughPromisesTests {

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "wt-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final FailingWriter writer = new FailingWriter();

	private final List<CacheInstance> instances = new ArrayList<>();

	@AfterEach
	void close() {
		this.instances.forEach(CacheInstance::close);
	}

	private CacheInstance start() {
		CacheInstance instance = CacheInstance
			.start(this.redis, this.prefix, Map.of("ordersWriter", this.writer), new Class<?>[0],
					"multilevel-cache.caches.orders.strategy=write-through",
					"multilevel-cache.caches.orders.writer=ordersWriter")
			.awaitSubscribed();
		this.instances.add(instance);
		return instance;
	}

	@Test
	void aFailedDeleteReachesTheCallerUnchangedAndTheValueStaysInBothLevels() {
		CacheInstance a = start();
		MultiLevelCache orders = a.cache("orders");
		orders.put("k", "v1");
		this.writer.failDeletes = true;
		assertThatIllegalStateException().isThrownBy(() -> orders.evict("k")).withMessage("database refused delete k");
		assertThat(orders.l1().peek(orders.canonicalKey("k")).storeValue()).isEqualTo("v1");
		assertThat(new StampedeIntegrationTests.CacheInstanceProbe(this.redis).read(orders.canonicalKey("k")))
			.isEqualTo("v1");
		assertThat(orders.get("k").get()).isEqualTo("v1");
		this.writer.failDeletes = false;
		orders.evict("k");
		assertThat(this.writer.deleted).containsExactly("k");
		assertThat(orders.get("k")).isNull();
	}

	@Test
	void aFailedPutOrDeleteLeavesTheOtherInstancesL1Unchanged() {
		CacheInstance a = start();
		CacheInstance b = start();
		// B writes k itself: no message of A's can still be on its way to B
		b.cache("orders").put("k", "v1");
		assertThat(b.inL1("orders", "k")).isTrue();
		assertThat(a.cache("orders").get("k").get()).isEqualTo("v1");
		this.writer.failOn = "v2";
		assertThatIllegalStateException().isThrownBy(() -> a.cache("orders").put("k", "v2"));
		this.writer.failDeletes = true;
		assertThatIllegalStateException().isThrownBy(() -> a.cache("orders").evict("k"));
		this.writer.failDeletes = false;
		// messages arrive in order: once B dropped "marker", anything the failed writes
		// had published would have reached it first
		b.cache("orders").put("marker", "m");
		assertThat(b.inL1("orders", "marker")).isTrue();
		a.cache("orders").evict("marker");
		await().atMost(Duration.ofSeconds(5)).until(() -> !b.inL1("orders", "marker"));
		assertThat(b.inL1("orders", "k")).as("B still holds k").isTrue();
		assertThat(b.cache("orders").get("k").get()).isEqualTo("v1");
		assertThat(this.writer.written).containsExactly("k=v1", "marker=m");
	}

	@Test
	void clearClearsTheCacheButNeverCallsTheWriter() {
		CacheInstance a = start();
		MultiLevelCache orders = a.cache("orders");
		orders.put("k1", "v1");
		orders.put("k2", "v2");
		orders.clear();
		assertThat(orders.get("k1")).isNull();
		assertThat(orders.get("k2")).isNull();
		assertThat(RedisTestSupport.holdsValue(this.redis, orders.canonicalKey("k1"))).isFalse();
		assertThat(this.writer.written).containsExactly("k1=v1", "k2=v2");
		assertThat(this.writer.deleted).as("clear deleted nothing in the database").isEmpty();
	}

	static final class FailingWriter implements CacheWriter<Object, Object> {

		final List<String> written = new CopyOnWriteArrayList<>();

		final List<Object> deleted = new CopyOnWriteArrayList<>();

		volatile Object failOn;

		volatile boolean failDeletes;

		@Override
		public void write(Object key, Object value) {
			if (value != null && value.equals(this.failOn)) {
				throw new IllegalStateException("database refused " + value);
			}
			this.written.add(key + "=" + value);
		}

		@Override
		public void delete(Object key) {
			if (this.failDeletes) {
				throw new IllegalStateException("database refused delete " + key);
			}
			this.deleted.add(key);
		}

	}

}
