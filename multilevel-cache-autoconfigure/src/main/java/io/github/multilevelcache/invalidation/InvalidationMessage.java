package io.github.multilevelcache.invalidation;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;

/**
 * What travels on the invalidation channels; {@link MessageCodec} gives each its compact
 * binary form.
 */
sealed interface InvalidationMessage {

	/**
	 * The instance that sent the message.
	 * @return its id
	 */
	UUID sender();

	/**
	 * Keys of a cache changed (or, with {@link Operation#CLEAR} and no keys, the whole
	 * cache).
	 *
	 * @param sender the sending instance
	 * @param cacheName the cache
	 * @param operation what changed the keys
	 * @param sequence the sender's sequence number for the cache (consecutive per sender
	 * and cache)
	 * @param keys the canonical keys, empty for a clear
	 * @param ackRequested whether receivers must confirm that they dropped the keys
	 */
	record Invalidate(UUID sender, String cacheName, Operation operation, long sequence, List<String> keys,
			boolean ackRequested) implements InvalidationMessage {
	}

	/**
	 * The sender is alive; its current sequence number per cache reveals messages that
	 * were lost.
	 *
	 * @param sender the sending instance
	 * @param sequences the last sequence number sent per cache
	 */
	record Heartbeat(UUID sender, Map<String, Long> sequences) implements InvalidationMessage {
	}

	/**
	 * A receiver dropped the keys of an acknowledged invalidation (sent on the target's
	 * own channel).
	 *
	 * @param sender the acknowledging instance
	 * @param target the instance whose invalidation is acknowledged
	 * @param cacheName the cache
	 * @param sequence the acknowledged sequence number
	 */
	record Ack(UUID sender, UUID target, String cacheName, long sequence) implements InvalidationMessage {
	}

}
