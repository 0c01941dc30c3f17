package io.github.multilevelcache;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.github.multilevelcache.invalidation.InvalidationTargets;

/**
 * The L1s of one manager's caches, as an invalidation bus sees them (what
 * {@link MultiLevelCacheManager#invalidationTargets()} returns). It only ever removes
 * entries from L1s and moves the manager's {@link Coherence} gate; it never touches
 * Redis, never stores a value and never creates a cache:
 * <ul>
 * <li>Keys of a named cache are dropped from that cache's L1; a name with no cache
 * created yet is ignored (its L1 holds nothing).</li>
 * <li>Keys without a cache name (Redis key tracking) are dropped from the L1 of every
 * cache whose key space owns them.</li>
 * <li>{@link #subscribed()} clears every L1 when the gate says the subscription may have
 * missed messages (a resubscription, or L1 was used unsubscribed), and nothing on the
 * first subscription; {@link #unsubscribed()} only tells the gate.</li>
 * </ul>
 * Thread-safe: it reads the manager's live map of caches.
 */
final class L1InvalidationTargets implements InvalidationTargets {

	private final Map<String, MultiLevelCache> caches;

	private final Coherence coherence;

	/**
	 * Creates the targets of one manager.
	 * @param caches the manager's caches by name (the live, concurrent map)
	 * @param coherence the manager's gate of L1 use
	 */
	L1InvalidationTargets(Map<String, MultiLevelCache> caches, Coherence coherence) {
		this.caches = caches;
		this.coherence = coherence;
	}

	@Override
	public void invalidate(String cacheName, Collection<String> keys) {
		MultiLevelCache cache = this.caches.get(cacheName);
		if (cache != null) {
			keys.forEach(cache.l1()::invalidate);
		}
	}

	@Override
	public void invalidateKeys(Collection<String> keys) {
		for (MultiLevelCache cache : this.caches.values()) {
			for (String key : keys) {
				if (cache.keys().owns(key)) {
					cache.l1().invalidate(key);
				}
			}
		}
	}

	@Override
	public void invalidateCache(String cacheName) {
		MultiLevelCache cache = this.caches.get(cacheName);
		if (cache != null) {
			cache.l1().invalidateAll();
		}
	}

	@Override
	public void invalidateAll() {
		List.copyOf(this.caches.values()).forEach((cache) -> cache.l1().invalidateAll());
	}

	@Override
	public void subscribed() {
		if (this.coherence.subscribed()) {
			invalidateAll();
		}
	}

	@Override
	public void unsubscribed() {
		this.coherence.unsubscribed();
	}

}
