/**
 * L2: Redis access (one round trip per operation), the value envelope and serialization.
 */
@NullMarked
package io.github.multilevelcache.l2;

import org.jspecify.annotations.NullMarked;
