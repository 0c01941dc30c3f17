package io.github.multilevelcache;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.github.multilevelcache.ValueCodec.Encoded;
import io.github.multilevelcache.ValueCodec.Read;
import io.github.multilevelcache.invalidation.InvalidationPublisher;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Message;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Publication;
import io.github.multilevelcache.write.WriteStrategyHandler;
import org.jspecify.annotations.Nullable;

/**
 * Every change of one cache that is not a fill: {@code put}, {@code evict},
 * {@code clear}, {@code putIfAbsent}. Guarantees:
 * <ul>
 * <li>Redis is changed first and the invalidation message goes out after it, in the same
 * round trip; every evict and clear is published whatever this instance found locally, so
 * a key Redis dropped by itself still leaves every other L1 (G2).</li>
 * <li>No call waits for Redis longer than {@code resilience.l2-timeout}, and an open
 * breaker answers at once. A write that failed, timed out or was refused is applied to L1
 * and remembered: on recovery its key is deleted in Redis and evicted from every L1, so a
 * value Redis kept, or restored from a snapshot, is never served over it (G11).</li>
 * <li>With write-through the writer runs first and its exception reaches the caller with
 * the cache unchanged (G8); with write-behind the write is queued, and its Redis write
 * and message are sent without waiting for the reply (unless the journal is durable).
 * Writes of a key to a cache with a writer are ordered (G10).</li>
 * <li>In a transaction-aware manager, inside a Spring-managed transaction, {@code put},
 * {@code evict} and {@code clear} change the cache after the commit (the writer of a
 * write-through cache still runs at once, inside the transaction);
 * {@code evictIfPresent}, {@code invalidate} and {@code putIfAbsent} are immediate.</li>
 * </ul>
 */
final class WritePath {

	private final String name;

	private final CacheSettings settings;

	private final CacheKeys keys;

	private final LocalLevel l1;

	private final RedisLevel l2;

	private final ValueCodec codec;

	private final InvalidationPublisher publisher;

	private final Outage outage;

	private final CacheStatistics statistics;

	private final ErrorLog errors;

	private final Transactions transactions;

	private final WriteOrdering ordering;

	private final WriteStrategyHandler writes;

	private volatile @Nullable Runnable beforeL1Store;

	WritePath(String name, CacheSettings settings, CacheKeys keys, LocalLevel l1, RedisLevel l2, ValueCodec codec,
			InvalidationPublisher publisher, Outage outage, CacheStatistics statistics, ErrorLog errors,
			Transactions transactions, WriteStrategyHandler writes) {
		this.name = name;
		this.settings = settings;
		this.keys = keys;
		this.l1 = l1;
		this.l2 = l2;
		this.codec = codec;
		this.publisher = publisher;
		this.outage = outage;
		this.statistics = statistics;
		this.errors = errors;
		this.transactions = transactions;
		this.writes = writes;
		this.ordering = (writes == WriteStrategyHandler.CACHE_ASIDE) ? WriteOrdering.NONE : WriteOrdering.striped();
	}

	WriteStrategyHandler strategy() {
		return this.writes;
	}

	void put(Object key, String canonical, Object storeValue, @Nullable Object value) {
		if (this.transactions.deferring()) {
			this.ordering.inKeyOrder(canonical, () -> {
				this.writes.beforePut(key, value);
				return null;
			});
			Transactions.afterCommit(() -> this.ordering.inKeyOrder(canonical, () -> {
				store(key, canonical, storeValue, value);
				return null;
			}));
			return;
		}
		this.ordering.inKeyOrder(canonical, () -> {
			this.writes.beforePut(key, value);
			store(key, canonical, storeValue, value);
			return null;
		});
	}

	private void store(Object key, String canonical, Object storeValue, @Nullable Object value) {
		Encoded encoded = this.codec.encode(storeValue, 0);
		// an invalidation that arrives once the Redis write is under way may announce a
		// later write (another instance's, or anyone's with tracking): then this value
		// is not kept in L1
		long stamp = this.l1.stamp();
		Publication<?> publication = writeL2(canonical, encoded);
		Runnable hook = this.beforeL1Store;
		if (hook != null) {
			hook.run();
		}
		this.l1.putUnlessInvalidatedSince(canonical, encoded.entry(), stamp);
		this.statistics.countPut();
		this.writes.afterPut(key, value);
		finish(publication, canonical, "put");
	}

	/**
	 * The Redis side of an explicit put: the value and its message, or, for a value whose
	 * type may not be stored in Redis, the removal of whatever Redis held (the value
	 * stays in L1 only).
	 */
	private Publication<?> writeL2(String canonical, Encoded encoded) {
		byte[] key = LoadPath.bytes(canonical);
		byte[] value = encoded.bytes();
		if (!this.settings.l2().enabled()) {
			return publish(Operation.PUT, canonical, (message) -> (message != null)
					? this.l2.call((redis) -> redis.publish(message)) : CompletableFuture.completedFuture(null));
		}
		if (value == null) {
			return publish(Operation.EVICT, canonical,
					(message) -> this.l2.call((redis) -> redis.delete(key, message)));
		}
		return publish(Operation.PUT, canonical,
				(message) -> this.l2.call((redis) -> redis.set(key, value, encoded.ttlMillis(), message)));
	}

	void evict(Object key, String canonical) {
		if (this.transactions.deferring()) {
			this.ordering.inKeyOrder(canonical, () -> {
				this.writes.beforeEvict(key);
				return null;
			});
			Transactions.afterCommit(() -> remove(key, canonical, false));
			return;
		}
		remove(key, canonical, true);
	}

	boolean evictIfPresent(Object key, String canonical) {
		return remove(key, canonical, true);
	}

	private boolean remove(Object key, String canonical, boolean callWriter) {
		return this.ordering.inKeyOrder(canonical, () -> {
			if (callWriter) {
				this.writes.beforeEvict(key);
			}
			byte[] redisKey = LoadPath.bytes(canonical);
			Publication<Long> publication = publish(Operation.EVICT, canonical,
					(message) -> this.settings.l2().enabled() ? this.l2.call((redis) -> redis.delete(redisKey, message))
							: (message != null) ? this.l2.call((redis) -> redis.publish(message)).thenApply((n) -> 0L)
									: CompletableFuture.completedFuture(0L));
			boolean removed = this.l1.invalidate(canonical);
			this.statistics.countEviction();
			this.writes.afterEvict(key);
			Long deleted = finish(publication, canonical, "evict");
			return removed || (deleted != null && deleted > 0);
		});
	}

	void clear() {
		if (this.transactions.deferring()) {
			Transactions.afterCommit(() -> invalidate());
			return;
		}
		invalidate();
	}

	boolean invalidate() {
		Publication<Long> publication = this.publisher.publish(this.name, Operation.CLEAR, List.of(),
				(message) -> this.settings.l2().enabled()
						? this.l2.callBulk((redis) -> redis.clear(this.keys.pattern(), message))
						: (message != null) ? this.l2.call((redis) -> redis.publish(message)).thenApply((n) -> 0L)
								: CompletableFuture.completedFuture(0L));
		boolean removed = this.l1.invalidateAll();
		Long deleted = null;
		try {
			deleted = this.l2.await(publication.written());
			publication.awaitAcknowledgements();
		}
		catch (L2Failure ex) {
			this.errors.failed("clear", ex);
			this.outage.rememberClear();
			this.statistics.countRemembered();
		}
		return removed || (deleted != null && deleted > 0);
	}

	/**
	 * Stores the value unless Redis holds one (atomic there), publishing only when it
	 * stored.
	 * @return the value that was present, or {@code null} when this one was stored
	 */
	@Nullable LocalEntry putIfAbsent(Object key, String canonical, Object storeValue, @Nullable Object value) {
		return this.ordering.inKeyOrder(canonical, () -> {
			Encoded encoded = this.codec.encode(storeValue, 0);
			byte[] bytes = encoded.bytes();
			if (!this.settings.l2().enabled() || bytes == null) {
				LocalEntry present = this.l1.peek(canonical);
				if (present != null) {
					return present;
				}
				put(key, canonical, storeValue, value);
				return null;
			}
			byte[] redisKey = LoadPath.bytes(canonical);
			// as in store: a later write announced while this one is under way wins
			long stamp = this.l1.stamp();
			byte[] existing;
			try {
				existing = this.l2
					.await(this.l2.call((redis) -> redis.setIfAbsent(redisKey, bytes, encoded.ttlMillis())));
			}
			catch (L2Failure ex) {
				this.errors.failed("putIfAbsent", ex);
				LocalEntry present = this.l1.putIfAbsent(canonical, encoded.entry());
				if (present == null) {
					this.outage.remember(canonical);
					this.statistics.countRemembered();
				}
				return present;
			}
			if (existing != null) {
				Read read = this.codec.decode(existing);
				if (read.isValue()) {
					this.l1.fill(canonical, read.entry(), stamp);
					return read.entry();
				}
				// undecodable bytes were there: replace them like any other put
				this.writes.beforePut(key, value);
				store(key, canonical, storeValue, value);
				return null;
			}
			// only a stored value is published (a message per attempt would leave gaps in
			// the sequence of
			// peers' receivers when nothing was stored): one more round trip, for
			// putIfAbsent only
			finish(publish(Operation.PUT, canonical, (message) -> (message != null)
					? this.l2.call((redis) -> redis.publish(message)) : CompletableFuture.completedFuture(0L)),
					canonical, "putIfAbsent");
			this.l1.putUnlessInvalidatedSince(canonical, encoded.entry(), stamp);
			this.statistics.countPut();
			try {
				// putIfAbsent only knows it stored after the fact: a failing
				// write-through undoes the store
				this.writes.beforePut(key, value);
			}
			catch (RuntimeException ex) {
				remove(key, canonical, false);
				throw ex;
			}
			this.writes.afterPut(key, value);
			return null;
		});
	}

	private <T> Publication<T> publish(Operation operation, String canonical,
			Function<@Nullable Message, CompletableFuture<T>> write) {
		return this.publisher.publish(this.name, operation, List.of(canonical), write);
	}

	/**
	 * Waits for a write and its acknowledgements (not for a write-behind write without a
	 * durable journal, nor on a thread that must not block); remembers the key when Redis
	 * did not take the write.
	 * @return the write's result, {@code null} when it failed or was not waited for
	 */
	private <T> @Nullable T finish(Publication<T> publication, String canonical, String operation) {
		if ((this.settings.strategy() == WriteStrategy.WRITE_BEHIND && !this.settings.writeBehind().durable())
				|| IoThreads.current()) {
			publication.written().whenComplete((result, ex) -> {
				if (ex != null) {
					failed(canonical, operation, ex);
				}
			});
			return null;
		}
		T result;
		try {
			result = this.l2.await(publication.written());
		}
		catch (L2Failure ex) {
			failed(canonical, operation, ex);
			return null;
		}
		publication.awaitAcknowledgements();
		return result;
	}

	private void failed(String canonical, String operation, Throwable ex) {
		this.errors.failed(operation, ex);
		this.outage.remember(canonical);
		this.statistics.countRemembered();
	}

	/**
	 * Test seam: runs between an explicit put's Redis write and its L1 store.
	 */
	void beforeL1Store(@Nullable Runnable hook) {
		this.beforeL1Store = hook;
	}

}
