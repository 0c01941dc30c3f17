package io.github.multilevelcache;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The tag bookkeeping around the writes of one cache ({@link TagIndex} has the protocol):
 * {@link #load} and {@link #write} run a cache's loads and writes with it. An entry whose
 * bookkeeping fails (Redis failed, or the resolver threw) or that a concurrent tag
 * eviction may have missed is evicted, never kept untracked. Inside a transaction the
 * second half runs after the commit, behind the write it follows. A cache without a
 * {@link CacheTagResolver} uses {@link #NONE}, which costs nothing.
 */
class CacheTags {

	/** No tags: no Redis call, nothing recorded. */
	static final CacheTags NONE = new CacheTags();

	private static final Log logger = LogFactory.getLog(CacheTags.class);

	private static final byte[] UNKNOWN = new byte[0];

	private final @Nullable CacheTagResolver resolver;

	private final @Nullable TagIndex index;

	private final @Nullable Transactions transactions;

	private final long ttlMillis;

	private final AtomicBoolean warned = new AtomicBoolean();

	private final ThreadLocal<Map<String, byte[]>> misses = ThreadLocal.withInitial(RecentMisses::new);

	private CacheTags() {
		this.resolver = null;
		this.index = null;
		this.transactions = null;
		this.ttlMillis = 0;
	}

	/**
	 * Creates the bookkeeping of a tagged cache.
	 * @param ttlMillis how long a tag set must live at least after a member was added:
	 * the longest TTL an entry of the cache can get, 0 for entries without expiry
	 */
	CacheTags(CacheTagResolver resolver, TagIndex index, Transactions transactions, long ttlMillis) {
		this.resolver = resolver;
		this.index = index;
		this.transactions = transactions;
		this.ttlMillis = ttlMillis;
	}

	/**
	 * Reads the token of a miss on this thread, for the fill that may follow it (a
	 * {@link #write} after a miss): a tag eviction after the miss (while the method runs)
	 * makes the fill evict itself.
	 */
	void missed(String canonical) {
		if (this.resolver != null) {
			this.misses.get().put(canonical, before());
		}
	}

	/**
	 * Runs a load through both levels ({@code get} with a loader) and records the value
	 * it gives under its tags.
	 * @param load the load, giving the entry's value
	 * @param evict evicts the key when its tags cannot be recorded
	 * @return what {@code load} gave
	 */
	<T> T load(Object key, String canonical, Supplier<T> load, Consumer<Object> evict) {
		if (this.resolver == null) {
			return load.get();
		}
		byte[] before = before();
		T value = load.get();
		after(key, canonical, value, before, evict);
		return value;
	}

	/**
	 * {@link #load} without blocking: the future completes once the value is recorded.
	 */
	<T> CompletableFuture<T> loadAsync(Object key, String canonical, Supplier<CompletableFuture<T>> load,
			Consumer<Object> evict) {
		if (this.resolver == null) {
			return load.get();
		}
		return beforeAsync().thenCompose((before) -> load.get()
			.thenCompose((value) -> afterAsync(key, canonical, value, before, evict).thenApply((recorded) -> value)));
	}

	/**
	 * Runs a write of a value and records it under its tags when it was written.
	 * @param afterMiss whether the write may be the fill of this thread's miss (whose
	 * token {@link #missed} read)
	 * @param write the write: {@code null} when it wrote the value, otherwise what kept
	 * it from writing (the entry a {@code putIfAbsent} found)
	 * @param evict evicts the key when its tags cannot be recorded
	 * @return what {@code write} returned
	 */
	<R> @Nullable R write(Object key, String canonical, @Nullable Object value, boolean afterMiss,
			Supplier<@Nullable R> write, Consumer<Object> evict) {
		if (this.resolver == null) {
			return write.get();
		}
		byte[] before = afterMiss ? beforeFill(canonical) : before();
		R refused = write.get();
		if (refused == null) {
			after(key, canonical, value, before, evict);
		}
		return refused;
	}

	private byte[] before() {
		return join(beforeAsync());
	}

	private byte[] beforeFill(String canonical) {
		byte[] missed = this.misses.get().remove(canonical);
		return (missed != null) ? missed : before();
	}

	private CompletableFuture<byte[]> beforeAsync() {
		return this.index.epoch().exceptionally((ex) -> UNKNOWN);
	}

	private void after(Object key, String canonical, @Nullable Object value, byte[] before, Consumer<Object> evict) {
		if (this.transactions.deferring()) {
			Transactions.afterCommit(() -> join(afterAsync(key, canonical, value, before, evict)));
			return;
		}
		join(afterAsync(key, canonical, value, before, evict));
	}

	/**
	 * Records a written entry under its tags; when that fails or a tag eviction may have
	 * missed it, evicts it (on a pool thread) before the future completes.
	 */
	private CompletableFuture<Void> afterAsync(Object key, String canonical, @Nullable Object value, byte[] before,
			Consumer<Object> evict) {
		Collection<String> tags;
		try {
			tags = this.resolver.tags(key, value);
		}
		catch (RuntimeException ex) {
			if (this.warned.compareAndSet(false, true)) {
				logger.warn("The tags of an entry of cache '" + this.resolver.cacheName()
						+ "' could not be resolved; such entries are evicted (logged once)", ex);
			}
			return CompletableFuture.runAsync(() -> evict.accept(key));
		}
		if (tags.isEmpty()) {
			return CompletableFuture.completedFuture(null);
		}
		CompletableFuture<Boolean> kept = (before == UNKNOWN) ? CompletableFuture.completedFuture(false)
				: this.index.register(this.resolver.cacheName(), canonical, tags, this.ttlMillis, before)
					.exceptionally((ex) -> false);
		return kept.thenCompose((keep) -> keep ? CompletableFuture.<Void>completedFuture(null)
				: CompletableFuture.runAsync(() -> evict.accept(key)));
	}

	private static <T> T join(CompletableFuture<T> future) {
		// every Redis call under it is bounded by l2-timeout
		return future.join();
	}

	/**
	 * The last few misses of one thread (nested cached calls each have one); an old one
	 * whose fill never came is dropped.
	 */
	private static final class RecentMisses extends LinkedHashMap<String, byte[]> {

		private static final int MAX = 8;

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
			return size() > MAX;
		}

	}

}
