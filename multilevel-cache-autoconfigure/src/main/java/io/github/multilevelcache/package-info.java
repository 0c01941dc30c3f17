/**
 * Two-level (Caffeine over Redis) Spring Cache: the public API.
 */
@NullMarked
package io.github.multilevelcache;

import org.jspecify.annotations.NullMarked;
