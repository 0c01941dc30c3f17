package io.github.multilevelcache.invalidation;

import java.util.Collection;

/**
 * The in-process levels an invalidation bus acts on (a manager's caches, see
 * {@code MultiLevelCacheManager.invalidationTargets()}), and how it reports the state of
 * its subscription.
 */
public interface InvalidationTargets {

	/**
	 * Drops keys of one cache from L1; does nothing for a cache this instance has not
	 * created.
	 * @param cacheName the cache
	 * @param keys the canonical keys
	 */
	void invalidate(String cacheName, Collection<String> keys);

	/**
	 * Drops keys named as Redis keys (a cache's canonical keys are its Redis keys) from
	 * the L1 of every cache they belong to; keys of no cache are ignored.
	 * @param keys the Redis keys
	 */
	void invalidateKeys(Collection<String> keys);

	/**
	 * Drops every L1 entry of one cache.
	 * @param cacheName the cache
	 */
	void invalidateCache(String cacheName);

	/**
	 * Drops every L1 entry of every cache.
	 */
	void invalidateAll();

	/**
	 * The subscription is up: from now on every invalidation reaches L1. Clears every L1
	 * first when it may hold entries stored while messages could have been missed (not on
	 * the first subscription of an instance whose L1 stayed unused until then).
	 */
	void subscribed();

	/**
	 * The subscription is down or could not be made: L1 keeps serving, degraded, and is
	 * cleared by the next subscription.
	 */
	void unsubscribed();

}
