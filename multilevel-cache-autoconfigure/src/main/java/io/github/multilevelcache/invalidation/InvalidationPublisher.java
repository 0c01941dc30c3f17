package io.github.multilevelcache.invalidation;

import java.util.Collection;

/**
 * Tells the other instances that keys of a cache changed in L2, so they drop them from their L1. Called by
 * the cache after L2 was changed. Implementations never throw: a failed publication is logged and counted,
 * and the receivers' gap detection takes over.
 */
public interface InvalidationPublisher {

	/**
	 * A publisher for a single instance: publishes nothing.
	 */
	InvalidationPublisher NONE = new InvalidationPublisher() {

		@Override
		public void keysChanged(String cacheName, Operation operation, Collection<String> keys) {
		}

		@Override
		public void cacheCleared(String cacheName) {
		}

	};

	/**
	 * Keys were put or evicted.
	 * @param cacheName the cache
	 * @param operation what happened
	 * @param keys the canonical keys
	 */
	void keysChanged(String cacheName, Operation operation, Collection<String> keys);

	/**
	 * Every key of the cache was removed.
	 * @param cacheName the cache
	 */
	void cacheCleared(String cacheName);

	/**
	 * What changed the keys.
	 */
	enum Operation {

		/** A new value was stored. */
		PUT,

		/** The keys were removed. */
		EVICT,

		/** Every key of the cache was removed. */
		CLEAR

	}

}
