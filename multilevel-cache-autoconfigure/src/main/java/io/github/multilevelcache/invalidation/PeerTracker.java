package io.github.multilevelcache.invalidation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Tracks the other instances (peers) heard on the channel: which sequence numbers of each
 * of their caches arrived, to detect lost messages, and when each was last heard, to know
 * who is alive.
 * <p>
 * A peer's first contact sets its baseline (everything before it was covered by the L1
 * clear of our own subscription). After that, a number that a later message skips, or
 * that a heartbeat announces but that has not arrived, is <em>missing</em>; a missing
 * number that has not arrived within the reorder grace (messages of one sender may
 * overtake each other when they leave Redis through different nodes or connections) is a
 * gap, and its cache's L1 must be cleared. More than {@value #MAX_MISSING} missing
 * numbers of one cache are a gap at once. Thread-safe.
 */
final class PeerTracker {

	static final int MAX_MISSING = 1024;

	private final ConcurrentHashMap<UUID, Peer> peers = new ConcurrentHashMap<>();

	private final long peerTimeoutNanos;

	private final long graceNanos;

	private final LongSupplier nanoTime;

	PeerTracker(long peerTimeoutNanos, long graceNanos, LongSupplier nanoTime) {
		this.peerTimeoutNanos = peerTimeoutNanos;
		this.graceNanos = graceNanos;
		this.nanoTime = nanoTime;
	}

	/**
	 * Records an invalidation message.
	 * @return whether so many numbers are missing in this cache that it is a gap already
	 */
	boolean onInvalidation(UUID sender, String cacheName, long sequence) {
		long now = this.nanoTime.getAsLong();
		Peer peer = peer(sender, now);
		synchronized (peer) {
			Sequence state = peer.caches.get(cacheName);
			if (state == null) {
				state = new Sequence(peer.baselined ? 0 : sequence - 1);
				peer.caches.put(cacheName, state);
			}
			return state.received(sequence, now);
		}
	}

	/**
	 * Records a heartbeat: numbers it announces that have not arrived become missing.
	 * @return the caches in which so many numbers are missing that it is a gap already
	 */
	List<String> onHeartbeat(UUID sender, Map<String, Long> sequences) {
		long now = this.nanoTime.getAsLong();
		Peer peer = peer(sender, now);
		List<String> gaps = new ArrayList<>();
		synchronized (peer) {
			for (Map.Entry<String, Long> entry : sequences.entrySet()) {
				Sequence state = peer.caches.get(entry.getKey());
				if (state == null) {
					peer.caches.put(entry.getKey(), new Sequence(peer.baselined ? 0 : entry.getValue()));
					if (!peer.baselined) {
						continue;
					}
					state = peer.caches.get(entry.getKey());
				}
				if (state.announced(entry.getValue(), now)) {
					gaps.add(entry.getKey());
				}
			}
			peer.baselined = true;
		}
		return gaps;
	}

	/**
	 * The caches with a number missing for longer than the reorder grace; each is
	 * reported once (its missing numbers are forgotten).
	 * @return the caches to clear
	 */
	List<String> gaps() {
		long now = this.nanoTime.getAsLong();
		List<String> gaps = new ArrayList<>();
		for (Peer peer : this.peers.values()) {
			synchronized (peer) {
				peer.caches.forEach((cacheName, state) -> {
					if (state.overdue(now, this.graceNanos)) {
						gaps.add(cacheName);
					}
				});
			}
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
	 * @return peer id → (highest sequence received per cache, nanos since last heard)
	 */
	Map<UUID, PeerView> snapshot() {
		long now = this.nanoTime.getAsLong();
		Map<UUID, PeerView> views = new HashMap<>();
		this.peers.forEach((id, peer) -> {
			synchronized (peer) {
				Map<String, Long> sequences = new HashMap<>();
				peer.caches.forEach((name, state) -> sequences.put(name, state.highest));
				views.put(id, new PeerView(Map.copyOf(sequences), now - peer.lastHeard));
			}
		});
		return views;
	}

	private Peer peer(UUID sender, long now) {
		Peer peer = this.peers.computeIfAbsent(sender, Peer::new);
		peer.lastHeard = now;
		return peer;
	}

	/**
	 * What is known of one peer.
	 *
	 * @param sequences highest sequence number received per cache
	 * @param nanosSinceHeard time since the last message or heartbeat
	 */
	record PeerView(Map<String, Long> sequences, long nanosSinceHeard) {
	}

	private static final class Peer {

		final UUID id;

		final Map<String, Sequence> caches = new HashMap<>();

		boolean baselined;

		volatile long lastHeard;

		Peer(UUID id) {
			this.id = id;
		}

	}

	/**
	 * The numbers of one sender's cache: the highest seen, and the ones below it still
	 * missing (with when they went missing). Guarded by its peer.
	 */
	private static final class Sequence {

		long highest;

		final TreeMap<Long, Long> missing = new TreeMap<>();

		Sequence(long highest) {
			this.highest = highest;
		}

		/**
		 * @return whether too many are missing now
		 */
		boolean received(long sequence, long now) {
			if (sequence <= this.highest) {
				this.missing.remove(sequence);
				return false;
			}
			boolean overflow = markMissing(this.highest + 1, sequence - 1, now);
			this.highest = sequence;
			return overflow;
		}

		/**
		 * @return whether too many are missing now
		 */
		boolean announced(long sequence, long now) {
			if (sequence <= this.highest) {
				return false;
			}
			boolean overflow = markMissing(this.highest + 1, sequence, now);
			this.highest = sequence;
			return overflow;
		}

		private boolean markMissing(long from, long to, long now) {
			if (to - from + 1 + this.missing.size() > MAX_MISSING) {
				this.missing.clear();
				return true;
			}
			for (long sequence = from; sequence <= to; sequence++) {
				this.missing.put(sequence, now);
			}
			return false;
		}

		boolean overdue(long now, long graceNanos) {
			boolean overdue = false;
			for (Iterator<Long> since = this.missing.values().iterator(); since.hasNext();) {
				if (now - since.next() >= graceNanos) {
					overdue = true;
					break;
				}
			}
			if (overdue) {
				this.missing.clear();
			}
			return overdue;
		}

	}

}
