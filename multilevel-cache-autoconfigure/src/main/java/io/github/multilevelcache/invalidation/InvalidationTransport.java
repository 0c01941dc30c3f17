package io.github.multilevelcache.invalidation;

/**
 * How instances learn that a key changed, for every cache of the instance (the
 * invalidation mode of each cache still says what its writers wait for).
 */
public enum InvalidationTransport {

	/**
	 * Each write of this starter publishes a message on the invalidation channel; only
	 * this starter's writes reach other instances' L1.
	 */
	PUB_SUB,

	/**
	 * Redis itself announces every change of a key under the caches' prefixes
	 * ({@code CLIENT TRACKING ... BCAST PREFIX}, Redis 6 or later, RESP3): writes of any
	 * client, keys Redis expires or evicts, {@code FLUSHALL}. Asynchronous writes publish
	 * nothing of their own; acknowledged writes still publish, to collect their
	 * acknowledgements.
	 */
	TRACKING

}
