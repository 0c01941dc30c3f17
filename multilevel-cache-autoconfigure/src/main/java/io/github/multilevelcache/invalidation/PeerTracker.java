package io.github.multilevelcache.invalidation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Tracks the other instances (peers) heard on the channel: the last sequence number of each of their caches,
 * to detect lost messages, and when each was last heard, to know who is alive.
 * <p>
 * A peer's first contact sets its baseline (everything before it was covered by the L1 clear of our own
 * subscription). After that, a message whose sequence skips numbers, or a heartbeat announcing a higher
 * sequence than the last message received, reveals a gap in that cache.
 */
final class PeerTracker {

	private final ConcurrentHashMap<UUID, Peer> peers = new ConcurrentHashMap<>();

	private final long peerTimeoutNanos;

	private final LongSupplier nanoTime;

	PeerTracker(long peerTimeoutNanos, LongSupplier nanoTime) {
		this.peerTimeoutNanos = peerTimeoutNanos;
		this.nanoTime = nanoTime;
	}

	/**
	 * Records an invalidation message.
	 * @return whether messages of this cache from this sender were lost before it
	 */
	boolean onInvalidation(UUID sender, String cacheName, long sequence) {
		Peer peer = peer(sender);
		synchronized (peer) {
			Long last = peer.sequences.get(cacheName);
			if (last == null) {
				last = peer.baselined ? 0L : sequence - 1;
			}
			if (sequence > last) {
				peer.sequences.put(cacheName, sequence);
			}
			return sequence > last + 1;
		}
	}

	/**
	 * Records a heartbeat.
	 * @return the caches in which messages from this sender were lost
	 */
	List<String> onHeartbeat(UUID sender, Map<String, Long> sequences) {
		Peer peer = peer(sender);
		List<String> gaps = new ArrayList<>();
		synchronized (peer) {
			for (Map.Entry<String, Long> entry : sequences.entrySet()) {
				Long last = peer.sequences.get(entry.getKey());
				if (last == null) {
					last = peer.baselined ? 0L : entry.getValue();
				}
				if (entry.getValue() > last) {
					gaps.add(entry.getKey());
				}
				peer.sequences.put(entry.getKey(), Math.max(last, entry.getValue()));
			}
			peer.baselined = true;
		}
		return gaps;
	}

	/**
	 * Peers heard within the peer timeout.
	 * @return their ids
	 */
	Set<UUID> livePeers() {
		long now = this.nanoTime.getAsLong();
		return this.peers.values()
			.stream()
			.filter((peer) -> now - peer.lastHeard < this.peerTimeoutNanos)
			.map((peer) -> peer.id)
			.collect(Collectors.toUnmodifiableSet());
	}

	/**
	 * Forgets peers not heard within the peer timeout.
	 */
	void expire() {
		long now = this.nanoTime.getAsLong();
		this.peers.values().removeIf((peer) -> now - peer.lastHeard >= this.peerTimeoutNanos);
	}

	/**
	 * Forgets every baseline, after our own L1 was cleared (resubscription).
	 */
	void reset() {
		this.peers.clear();
	}

	/**
	 * A snapshot of every known peer.
	 * @return peer id → (last sequence per cache, nanos since last heard)
	 */
	Map<UUID, PeerView> snapshot() {
		long now = this.nanoTime.getAsLong();
		Map<UUID, PeerView> views = new HashMap<>();
		this.peers.forEach((id, peer) -> {
			synchronized (peer) {
				views.put(id, new PeerView(Map.copyOf(peer.sequences), now - peer.lastHeard));
			}
		});
		return views;
	}

	private Peer peer(UUID sender) {
		Peer peer = this.peers.computeIfAbsent(sender, Peer::new);
		peer.lastHeard = this.nanoTime.getAsLong();
		return peer;
	}

	/**
	 * What is known of one peer.
	 *
	 * @param sequences last sequence per cache
	 * @param nanosSinceHeard time since the last message or heartbeat
	 */
	record PeerView(Map<String, Long> sequences, long nanosSinceHeard) {
	}

	private static final class Peer {

		final UUID id;

		final Map<String, Long> sequences = new HashMap<>();

		boolean baselined;

		volatile long lastHeard;

		Peer(UUID id) {
			this.id = id;
		}

	}

}
