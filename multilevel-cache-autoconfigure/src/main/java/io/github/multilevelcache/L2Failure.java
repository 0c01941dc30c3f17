package io.github.multilevelcache;

/**
 * A Redis operation of the cache failed, timed out, or was refused because Redis is
 * unavailable. Never leaves the cache: every caller answers it from L1 or the loader and
 * remembers what must be repaired.
 */
final class L2Failure extends RuntimeException {

	L2Failure(String message, Throwable cause) {
		super(message, cause);
	}

	L2Failure(String message) {
		super(message, null, false, false);
	}

}
