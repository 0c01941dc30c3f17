package io.github.multilevelcache.write;

import org.jspecify.annotations.Nullable;

/**
 * What a cache does with its writer around its own writes. {@link #CACHE_ASIDE} does
 * nothing.
 */
public interface WriteStrategyHandler {

	/**
	 * Cache-aside: the application writes its store itself.
	 */
	WriteStrategyHandler CACHE_ASIDE = new WriteStrategyHandler() {
	};

	/**
	 * Before the cache stores a value; an exception here reaches the caller and the cache
	 * stays unchanged.
	 * @param key the cache key
	 * @param value the value
	 */
	default void beforePut(Object key, @Nullable Object value) {
	}

	/**
	 * After the cache stored a value in both levels.
	 * @param key the cache key
	 * @param value the value
	 */
	default void afterPut(Object key, @Nullable Object value) {
	}

	/**
	 * Before the cache evicts a key; an exception here reaches the caller and the cache
	 * stays unchanged.
	 * @param key the cache key
	 */
	default void beforeEvict(Object key) {
	}

	/**
	 * After the cache evicted a key.
	 * @param key the cache key
	 */
	default void afterEvict(Object key) {
	}

	/**
	 * Starts background work (write-behind flusher, journal upkeep); called once by the
	 * manager after the cache was created.
	 */
	default void start() {
	}

	/**
	 * Writes everything accepted so far (write-behind), waiting at most until the queue
	 * is empty.
	 */
	default void flush() {
	}

	/**
	 * Flushes and stops background work.
	 */
	default void close() {
	}

}
