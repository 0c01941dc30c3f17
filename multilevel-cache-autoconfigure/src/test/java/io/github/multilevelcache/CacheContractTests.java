package io.github.multilevelcache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.multilevelcache.invalidation.InvalidationPublisher;
import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import io.github.multilevelcache.write.CacheWriter;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache.ValueRetrievalException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The Spring {@code Cache} contract and the fill rules, written once and run against
 * every implementation of the Redis command layer: {@link InMemoryCacheContractTests} (in
 * memory, fast) and {@link RedisCacheContractTests} (a real Redis). Each test builds two
 * managers over one backend, as two instances of an application.
 */
abstract class CacheContractTests {

	protected final String prefix = "contract-" + UUID.randomUUID() + ":";

	private final CountingPublisher publisher = new CountingPublisher();

	/**
	 * A builder over the backend shared by every manager of the test.
	 */
	protected abstract MultiLevelCacheManagerBuilder builder();

	/**
	 * What the backend holds under a full key, {@code null} when nothing.
	 */
	protected abstract byte @Nullable [] raw(String key);

	/**
	 * Stores bytes under a full key, as another program would.
	 */
	protected abstract void rawSet(String key, byte[] value);

	private MultiLevelCache cache(CacheSettings settings) {
		MultiLevelCacheManager manager = builder().defaults(settings.withKeyPrefix(this.prefix))
			.serializer(new JacksonCacheValueSerializer(List.of("io.github.multilevelcache")))
			.invalidationPublisher(this.publisher)
			.build();
		// as in an application context: connected and scripts loaded before the first
		// call
		manager.afterSingletonsInstantiated();
		// as the bus reports once subscribed: L1 is usable from now on
		manager.invalidationTargets().subscribed();
		return manager.getCache("products");
	}

	private MultiLevelCache cache() {
		return cache(CacheSettings.defaults());
	}

	private boolean holdsValue(MultiLevelCache cache, Object key) {
		byte[] bytes = raw(cache.canonicalKey(key));
		return bytes != null && !Envelope.isPlaceholder(bytes);
	}

	@Test
	void aMissIsNull() {
		MultiLevelCache cache = cache();
		assertThat(cache.get("absent")).isNull();
		assertThat(cache.get("absent", String.class)).isNull();
		assertThat(cache.retrieve("absent").join()).isNull();
	}

	@Test
	void aPutIsServedFromL1HereAndFromRedisByAnotherInstance() {
		MultiLevelCache one = cache();
		MultiLevelCache two = cache();
		one.put("k", "v");
		assertThat(one.holdsLocally("k")).isTrue();
		assertThat(one.get("k").get()).isEqualTo("v");
		assertThat(two.holdsLocally("k")).isFalse();
		assertThat(two.get("k").get()).isEqualTo("v");
		assertThat(two.holdsLocally("k")).isTrue();
		assertThat(this.publisher.published(InvalidationPublisher.Operation.PUT)).isEqualTo(1);
	}

	@Test
	void aCachedNullIsAHitForNull() {
		MultiLevelCache cache = cache();
		cache.put("k", null);
		assertThat(cache.get("k")).isNotNull();
		assertThat(cache.get("k").get()).isNull();
		assertThat(cache().get("k").get()).isNull();
	}

	@Test
	void putIfAbsentKeepsWhatIsThereAndPublishesOnlyWhenItStores() {
		MultiLevelCache one = cache();
		MultiLevelCache two = cache();
		assertThat(one.putIfAbsent("k", "first")).isNull();
		assertThat(two.putIfAbsent("k", "second").get()).isEqualTo("first");
		assertThat(two.get("k").get()).isEqualTo("first");
		assertThat(this.publisher.published(InvalidationPublisher.Operation.PUT)).isEqualTo(1);
	}

	@Test
	void evictRemovesTheKeyFromBothLevelsAndIsPublishedEvenWhenNothingWasThere() {
		MultiLevelCache cache = cache();
		cache.put("k", "v");
		assertThat(cache.evictIfPresent("k")).isTrue();
		assertThat(holdsValue(cache, "k")).isFalse();
		assertThat(cache.holdsLocally("k")).isFalse();
		assertThat(cache.evictIfPresent("k")).isFalse();
		cache.evict("never-there");
		assertThat(this.publisher.published(InvalidationPublisher.Operation.EVICT)).isEqualTo(3);
	}

	@Test
	void clearAndInvalidateEmptyBothLevels() {
		MultiLevelCache cache = cache();
		cache.put("a", 1L);
		cache.put("b", 2L);
		assertThat(cache.invalidate()).isTrue();
		assertThat(holdsValue(cache, "a")).isFalse();
		assertThat(cache.get("b")).isNull();
		cache.put("c", 3L);
		cache.clear();
		assertThat(cache().get("c")).isNull();
		assertThat(this.publisher.published(InvalidationPublisher.Operation.CLEAR)).isEqualTo(2);
	}

	@Test
	void aLoaderRunsOnceAndItsFailureIsWrappedWithNothingCached() {
		MultiLevelCache cache = cache();
		AtomicInteger calls = new AtomicInteger();
		assertThat(cache.get("k", () -> "v" + calls.incrementAndGet())).isEqualTo("v1");
		assertThat(cache.get("k", () -> "v" + calls.incrementAndGet())).isEqualTo("v1");
		assertThat(cache().get("k", () -> "v" + calls.incrementAndGet())).isEqualTo("v1");
		assertThat(calls).hasValue(1);
		IllegalStateException failure = new IllegalStateException("database down");
		assertThatExceptionOfType(ValueRetrievalException.class).isThrownBy(() -> cache.get("j", () -> {
			throw failure;
		})).withCause(failure);
		assertThat(holdsValue(cache, "j")).isFalse();
		assertThat(cache.getStatistics().loadFailures()).isEqualTo(1);
		assertThat(this.publisher.published(null)).as("loads publish nothing").isZero();
	}

	@Test
	void retrieveWithALoaderLoadsOnceAndStores() throws Exception {
		MultiLevelCache cache = cache();
		AtomicInteger calls = new AtomicInteger();
		assertThat(cache.retrieve("k", () -> CompletableFuture.completedFuture("v" + calls.incrementAndGet()))
			.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
		assertThat(cache.retrieve("k", () -> CompletableFuture.completedFuture("v" + calls.incrementAndGet()))
			.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
		assertThat(holdsValue(cache, "k")).isTrue();
		assertThat(calls).hasValue(1);
	}

	@Test
	void aPutAfterAMissOfTheKeyOnThisThreadIsAFillThatPublishesNothing() {
		MultiLevelCache cache = cache();
		assertThat(cache.get("k")).isNull();
		cache.put("k", "loaded");
		// a fill completes on Redis's reply
		await().atMost(Duration.ofSeconds(2)).until(() -> cache.getStatistics().fills() == 1);
		assertThat(holdsValue(cache, "k")).isTrue();
		assertThat(cache.holdsLocally("k")).isTrue();
		assertThat(this.publisher.published(null)).isZero();
		cache.put("k", "written");
		assertThat(this.publisher.published(InvalidationPublisher.Operation.PUT)).isEqualTo(1);
	}

	@Test
	void aFillLosesToAWriteMadeAfterItsMiss() {
		MultiLevelCache reader = cache();
		MultiLevelCache writer = cache();
		assertThat(reader.get("k")).isNull();
		writer.put("k", "newer");
		reader.put("k", "read before the write");
		await().atMost(Duration.ofSeconds(2)).until(() -> reader.getStatistics().fillsLost() == 1);
		assertThat(cache().get("k").get()).isEqualTo("newer");
		assertThat(reader.get("k").get()).as("the loser took the winner's value").isEqualTo("newer");
	}

	@Test
	void aFillLosesToAnEvictMadeAfterItsMiss() {
		MultiLevelCache reader = cache();
		MultiLevelCache writer = cache();
		assertThat(reader.get("k")).isNull();
		writer.evict("k");
		reader.put("k", "read before the evict");
		await().atMost(Duration.ofSeconds(2)).until(() -> reader.getStatistics().fillsLost() == 1);
		assertThat(holdsValue(reader, "k")).isFalse();
		assertThat(reader.holdsLocally("k")).isFalse();
	}

	@Test
	void undecodableBytesAreAMissAndTheNextFillReplacesThem() {
		MultiLevelCache cache = cache();
		rawSet(cache.canonicalKey("k"), "not ours".getBytes(StandardCharsets.UTF_8));
		assertThat(cache.get("k")).isNull();
		assertThat(cache.getStatistics().corruptValues()).isEqualTo(1);
		assertThat(new String(raw(cache.canonicalKey("k")), StandardCharsets.UTF_8)).as("replaced by a guard")
			.startsWith(Envelope.PREFIX + "G");
		cache.put("k", "loaded");
		await().atMost(Duration.ofSeconds(2)).until(() -> cache.getStatistics().fills() == 1);
		assertThat(cache().get("k").get()).isEqualTo("loaded");
	}

	@Test
	void aValueOutsideTheAllowListStaysInL1Only() {
		MultiLevelCache cache = cache();
		StringBuilder value = new StringBuilder("x");
		cache.put("k", value);
		assertThat(cache.get("k").get()).isSameAs(value);
		assertThat(holdsValue(cache, "k")).isFalse();
		assertThat(cache.getStatistics().unstorableValues()).isEqualTo(1);
	}

	@Test
	void aFailingWriteThroughLeavesBothLevelsUnchanged() {
		Map<Object, Object> database = new ConcurrentHashMap<>();
		CacheWriter<Object, Object> writer = new CacheWriter<>() {

			@Override
			public void write(Object key, @Nullable Object value) {
				if ("refused".equals(value)) {
					throw new IllegalStateException("constraint violated");
				}
				database.put(key, value);
			}

			@Override
			public void delete(Object key) {
				database.remove(key);
			}

		};
		MultiLevelCache cache = builder()
			.defaults(CacheSettings.defaults().withKeyPrefix(this.prefix).withStrategy(WriteStrategy.WRITE_THROUGH))
			.writers((name, settings) -> writer)
			.build()
			.getCache("products");
		cache.put("k", "v1");
		assertThat(database).containsEntry("k", "v1");
		assertThatIllegalStateException().isThrownBy(() -> cache.put("k", "refused"));
		assertThat(cache.get("k").get()).isEqualTo("v1");
		assertThat(database).containsEntry("k", "v1");
		cache.evict("k");
		assertThat(database).doesNotContainKey("k");
	}

	/**
	 * Gives every write a message, as the bus does, and counts them per operation.
	 */
	static final class CountingPublisher implements InvalidationPublisher {

		private final Map<Operation, AtomicInteger> counts = new ConcurrentHashMap<>();

		@Override
		public <T> Publication<T> publish(String cacheName, Operation operation, List<String> keys,
				java.util.function.Function<@Nullable Message, CompletableFuture<T>> write) {
			this.counts.computeIfAbsent(operation, (o) -> new AtomicInteger()).incrementAndGet();
			CompletableFuture<T> written = write
				.apply(new Message("contract-test".getBytes(StandardCharsets.UTF_8), new byte[] { 1 }));
			return new Publication<>() {

				@Override
				public CompletableFuture<T> written() {
					return written;
				}

				@Override
				public void awaitAcknowledgements() {
				}

			};
		}

		int published(@Nullable Operation operation) {
			if (operation == null) {
				return this.counts.values().stream().mapToInt(AtomicInteger::get).sum();
			}
			AtomicInteger count = this.counts.get(operation);
			return (count != null) ? count.get() : 0;
		}

	}

}
