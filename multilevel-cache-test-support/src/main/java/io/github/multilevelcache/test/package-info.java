/**
 * The Redis fixture the modules' tests share: {@code redis-server} processes spawned on
 * free ports (or the server {@code REDIS_URL} names), a minimal RESP client, a
 * three-primary cluster and a Sentinel set-up.
 */
package io.github.multilevelcache.test;
