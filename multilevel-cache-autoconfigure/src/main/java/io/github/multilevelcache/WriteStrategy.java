package io.github.multilevelcache;

/**
 * How a cache's writes reach the application's own store.
 */
public enum WriteStrategy {

	/**
	 * The application writes its store itself; the cache only stores and evicts (the
	 * default).
	 */
	CACHE_ASIDE,

	/**
	 * {@code put} first calls the cache's writer, then updates both levels; a writer
	 * failure leaves the cache unchanged.
	 */
	WRITE_THROUGH,

	/**
	 * {@code put} updates both levels at once and hands the write to a background
	 * flusher.
	 */
	WRITE_BEHIND

}
