package io.github.multilevelcache.write;

import org.jspecify.annotations.Nullable;

/**
 * A write accepted by a write-behind cache and not yet applied by its writer.
 *
 * @param key the cache key
 * @param value the value to write, {@code null} for a cached null or a delete
 * @param delete whether the key is to be deleted
 * @param version per-cache acceptance order; a higher version of a key supersedes a lower
 * one
 */
public record PendingWrite(Object key, @Nullable Object value, boolean delete, long version) {
}
