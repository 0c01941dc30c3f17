/**
 * L1: the in-process Caffeine level, keyed by the canonical key string.
 */
@NullMarked
package io.github.multilevelcache.l1;

import org.jspecify.annotations.NullMarked;
