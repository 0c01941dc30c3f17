package io.github.multilevelcache;

import java.util.Collection;

import org.jspecify.annotations.Nullable;

/**
 * The tags of the entries of one cache: every value stored in Redis is recorded under
 * each of its tags, and {@link MultiLevelCacheManager#evictTag(String)} evicts every
 * entry recorded under a tag, in every cache and on every instance. Declare one bean per
 * cache, or tag expressions in YAML ({@code multilevel-cache.caches.<name>.tags}).
 * <p>
 * Called on every write of the cache, so it must be quick and side-effect free. An
 * exception from it evicts the entry being written (an entry whose tags are unknown is
 * never kept) and is logged.
 */
public interface CacheTagResolver {

	/**
	 * The cache whose entries this resolver tags.
	 * @return its name
	 */
	String cacheName();

	/**
	 * The tags of one entry.
	 * @param key the entry's key, as the cached method produced it
	 * @param value the value ({@code null} for a cached {@code null})
	 * @return its tags, possibly none
	 */
	Collection<String> tags(Object key, @Nullable Object value);

}
