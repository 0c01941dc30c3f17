/**
 * How values are stored in Redis: the
 * {@link io.github.multilevelcache.serialization.CacheValueSerializer} SPI and its
 * default, Jackson 3 JSON with type names checked against an allow-list before any class
 * is loaded.
 */
@NullMarked
package io.github.multilevelcache.serialization;

import org.jspecify.annotations.NullMarked;
