package io.github.multilevelcache;

/**
 * A level of a {@link MultiLevelCache}.
 */
public enum CacheLevel {

	/**
	 * The in-process Caffeine cache.
	 */
	L1,

	/**
	 * Redis.
	 */
	L2

}
