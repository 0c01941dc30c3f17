package io.github.multilevelcache.write;

import java.util.Collection;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The application's own store behind a cache with strategy {@code write-through} or
 * {@code write-behind}: name the bean in {@code multilevel-cache.caches.<name>.writer}.
 * Keys are the cache keys as the application passed them (e.g. the {@code @CachePut}
 * key), values the cached values ({@code null} for a cached {@code null}).
 * Implementations must be thread-safe; a write-behind writer is called from one flusher
 * thread per cache, never concurrently for one cache.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface CacheWriter<K, V> {

	/**
	 * Writes one entry.
	 * @param key the key
	 * @param value the value
	 */
	void write(K key, @Nullable V value);

	/**
	 * Writes a batch (write-behind); by default one {@link #write} per entry, in
	 * iteration order.
	 * @param entries the entries, at most one per key
	 */
	default void writeAll(Map<K, @Nullable V> entries) {
		entries.forEach(this::write);
	}

	/**
	 * Deletes one entry.
	 * @param key the key
	 */
	void delete(K key);

	/**
	 * Deletes a batch (write-behind); by default one {@link #delete} per key.
	 * @param keys the keys
	 */
	default void deleteAll(Collection<K> keys) {
		keys.forEach(this::delete);
	}

}
