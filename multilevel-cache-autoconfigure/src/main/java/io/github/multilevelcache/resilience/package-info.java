/**
 * Resilience: a circuit breaker and per-operation timeouts around Redis, and the bookkeeping that makes
 * recovery from an outage safe.
 */
@NullMarked
package io.github.multilevelcache.resilience;

import org.jspecify.annotations.NullMarked;
