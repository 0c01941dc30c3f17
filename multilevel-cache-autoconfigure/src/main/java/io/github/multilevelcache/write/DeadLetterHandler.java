package io.github.multilevelcache.write;

import java.util.List;

/**
 * Receives write-behind batches that still failed after every retry. Define a bean of
 * this type to keep them (the default logs each at ERROR and counts it). Called from the
 * flusher thread.
 */
@FunctionalInterface
public interface DeadLetterHandler {

	/**
	 * Handles writes that could not be applied.
	 * @param cacheName the cache
	 * @param writes the writes, in the order they were accepted
	 * @param failure the last failure
	 */
	void deadLetter(String cacheName, List<PendingWrite> writes, Throwable failure);

}
