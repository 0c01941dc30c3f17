package io.github.multilevelcache;

/**
 * How a write waits for the other instances to drop the changed keys from their L1.
 */
public enum InvalidationMode {

	/**
	 * The writer returns once the invalidation message is published (the default).
	 */
	ASYNC,

	/**
	 * The writer returns once every live peer confirmed that it dropped the keys, or
	 * after the acknowledgement timeout: a read on any instance that starts after the
	 * write returned sees the new value.
	 */
	ACKNOWLEDGED

}
