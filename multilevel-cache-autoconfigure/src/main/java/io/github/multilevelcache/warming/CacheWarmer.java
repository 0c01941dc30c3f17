package io.github.multilevelcache.warming;

import java.util.Collection;

import org.jspecify.annotations.Nullable;

/**
 * The hot set of one cache, loaded into L1 before the instance takes traffic. Declare one
 * bean per cache; the starter reads what Redis already holds in one {@code MGET} per
 * batch and calls {@link #load(Object)} only for the keys Redis lacks, under the cache's
 * stampede protection (with the distributed lease, instances starting together load each
 * key once).
 *
 * @param <K> the type of the cache's keys, as the {@code @Cacheable} methods produce them
 */
public interface CacheWarmer<K> {

	/**
	 * The cache to warm.
	 * @return its name
	 */
	String cacheName();

	/**
	 * The keys to warm, most important first (they are warmed in this order, in batches).
	 * Called once per warming run.
	 * @return the keys
	 */
	Collection<K> keys();

	/**
	 * Loads the value of a key Redis does not hold, as the cached method would.
	 * @param key the key
	 * @return the value ({@code null} is cached like a {@code null} result)
	 * @throws Exception when the value cannot be loaded: the key is left out and counted,
	 * the other keys are still warmed
	 */
	@Nullable Object load(K key) throws Exception;

}
