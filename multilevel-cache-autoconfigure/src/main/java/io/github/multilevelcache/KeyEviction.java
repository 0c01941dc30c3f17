package io.github.multilevelcache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.github.multilevelcache.invalidation.InvalidationPublisher;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;

/**
 * Evicts many keys of one cache at once, as the outage repair and tag eviction need: the
 * keys are deleted in Redis in chunks of {@value #KEYS_PER_MESSAGE} (the deletes of a
 * chunk sent without waiting for each other), then one evict message per chunk tells the
 * other instances, then (if asked) this instance's L1 drops them. A chunk is announced
 * only after all its deletes were applied, so a peer that re-reads a key it dropped finds
 * it gone.
 */
final class KeyEviction {

	static final int KEYS_PER_MESSAGE = 512;

	private final RedisLevel l2;

	private final InvalidationPublisher publisher;

	KeyEviction(RedisLevel l2, InvalidationPublisher publisher) {
		this.l2 = l2;
		this.publisher = publisher;
	}

	/**
	 * Evicts the keys.
	 * @param cache their cache
	 * @param keys canonical keys
	 * @param redis how each Redis call is made (normally, or during a recovery)
	 * @param evictLocally whether this instance's L1 drops them too
	 * @throws L2Failure when Redis failed: keys of the chunks already announced are gone,
	 * the others may not be
	 */
	void evict(MultiLevelCache cache, List<String> keys,
			Function<Function<L2Commands, CompletableFuture<Long>>, CompletableFuture<Long>> redis,
			boolean evictLocally) {
		for (int start = 0; start < keys.size(); start += KEYS_PER_MESSAGE) {
			List<String> chunk = keys.subList(start, Math.min(keys.size(), start + KEYS_PER_MESSAGE));
			List<CompletableFuture<Long>> deletes = new ArrayList<>(chunk.size());
			for (String key : chunk) {
				deletes.add(redis.apply((commands) -> commands.delete(LoadPath.bytes(key), null)));
			}
			for (CompletableFuture<Long> delete : deletes) {
				this.l2.await(delete);
			}
			this.l2.await(
					this.publisher
						.publish(cache.getName(), Operation.EVICT, List.copyOf(chunk),
								(message) -> (message != null) ? redis.apply((commands) -> commands.publish(message))
										: CompletableFuture.completedFuture(0L))
						.written());
			if (evictLocally) {
				chunk.forEach(cache.l1()::invalidate);
			}
		}
	}

}
