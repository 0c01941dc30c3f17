package io.github.multilevelcache;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The tag bookkeeping around the writes of one cache ({@link TagIndex} has the protocol):
 * {@link #before()} ahead of a value write, {@link #after} once it is done. An entry
 * whose bookkeeping fails (Redis failed, or the resolver threw) or that a concurrent tag
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

	boolean enabled() {
		return this.resolver != null;
	}

	/**
	 * Reads what {@link #after} compares with, before the value write.
	 * @return an opaque token
	 */
	byte[] before() {
		return join(beforeAsync());
	}

	/**
	 * Reads the token of a miss on this thread, for the fill of {@link #beforeFill} that
	 * may follow it: a tag eviction after the miss (while the method runs) makes the fill
	 * evict itself.
	 */
	void missed(String canonical) {
		this.misses.get().put(canonical, before());
	}

	/**
	 * The token for a fill: the one this thread's miss of the key read, or a new one.
	 */
	byte[] beforeFill(String canonical) {
		byte[] missed = this.misses.get().remove(canonical);
		return (missed != null) ? missed : before();
	}

	CompletableFuture<byte[]> beforeAsync() {
		return this.index.epoch().exceptionally((ex) -> UNKNOWN);
	}

	/**
	 * Records a written entry under its tags; evicts it through {@code evict} when that
	 * fails or a tag eviction may have missed it.
	 */
	void after(Object key, String canonical, @Nullable Object value, byte[] before, Consumer<Object> evict) {
		if (this.transactions.deferring()) {
			Transactions.afterCommit(() -> join(afterAsync(key, canonical, value, before, evict)));
			return;
		}
		join(afterAsync(key, canonical, value, before, evict));
	}

	/**
	 * {@link #after} without blocking: the eviction, when one is needed, runs on a pool
	 * thread; the future completes after it.
	 */
	CompletableFuture<Void> afterAsync(Object key, String canonical, @Nullable Object value, byte[] before,
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
