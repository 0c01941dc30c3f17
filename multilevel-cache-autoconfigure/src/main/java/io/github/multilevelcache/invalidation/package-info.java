/**
 * Cross-instance coherence: invalidation messages over Redis pub/sub.
 */
@NullMarked
package io.github.multilevelcache.invalidation;

import org.jspecify.annotations.NullMarked;
