/**
 * Write strategies: the {@link io.github.multilevelcache.write.CacheWriter} SPI,
 * write-through and write-behind.
 */
@NullMarked
package io.github.multilevelcache.write;

import org.jspecify.annotations.NullMarked;
