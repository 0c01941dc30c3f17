package io.github.multilevelcache.resilience;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The evictions of one cache that could not reach Redis, to replay once it is back (G11). Bounded: beyond
 * {@code capacity} keys, or after a failed clear, the whole cache is cleared on recovery instead. Thread-safe.
 */
public final class RememberedEvictions {

	private final int capacity;

	private final Set<String> keys = new LinkedHashSet<>();

	private boolean clearAll;

	private volatile boolean pending;

	private long version;

	public RememberedEvictions(int capacity) {
		this.capacity = capacity;
	}

	/**
	 * Remembers one evicted key.
	 * @param canonicalKey the key
	 */
	public synchronized void evicted(String canonicalKey) {
		this.version++;
		if (!this.clearAll) {
			if (this.keys.size() >= this.capacity) {
				this.clearAll = true;
				this.keys.clear();
			}
			else {
				this.keys.add(canonicalKey);
			}
		}
		this.pending = true;
	}

	/**
	 * Remembers that the whole cache must be cleared.
	 */
	public synchronized void cleared() {
		this.version++;
		this.clearAll = true;
		this.keys.clear();
		this.pending = true;
	}

	/**
	 * Whether anything waits to be replayed (a cheap volatile read).
	 * @return {@code true} when evictions are remembered
	 */
	public boolean isPending() {
		return this.pending;
	}

	/**
	 * What is remembered now; it stays remembered until {@link #replayed(Replay)}.
	 * @return what to replay
	 */
	public synchronized Replay snapshot() {
		return new Replay(this.clearAll, List.copyOf(this.keys), this.version);
	}

	/**
	 * Forgets what a successful replay applied; evictions remembered since the snapshot stay.
	 * @param replay the replayed snapshot
	 */
	public synchronized void replayed(Replay replay) {
		if (replay.version() == this.version) {
			this.keys.clear();
			this.clearAll = false;
			this.pending = false;
		}
		else {
			replay.keys().forEach(this.keys::remove);
		}
	}

	/**
	 * What to replay.
	 *
	 * @param clearAll whether the whole cache must be cleared
	 * @param keys otherwise, the keys to delete
	 * @param version the state the snapshot was taken in
	 */
	public record Replay(boolean clearAll, List<String> keys, long version) {

		public boolean isEmpty() {
			return !this.clearAll && this.keys.isEmpty();
		}

	}

}
