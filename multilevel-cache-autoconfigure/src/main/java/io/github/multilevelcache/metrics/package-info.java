/**
 * Micrometer meters per cache and level, bound through Boot's cache metrics mechanism.
 */
@NullMarked
package io.github.multilevelcache.metrics;

import org.jspecify.annotations.NullMarked;
