/**
 * Cache warming: {@link io.github.multilevelcache.warming.CacheWarmer} beans name a
 * cache's hot set, {@link io.github.multilevelcache.warming.CacheWarming} loads it into
 * L1 from Redis (and the warmer's loader for what Redis lacks) before the application
 * reports ready, and on demand through the actuator endpoint.
 */
@NullMarked
package io.github.multilevelcache.warming;

import org.jspecify.annotations.NullMarked;
