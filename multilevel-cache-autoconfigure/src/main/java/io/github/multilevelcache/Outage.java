package io.github.multilevelcache;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The writes of one cache that may not have reached Redis (it failed, timed out, or the
 * breaker was open): puts, evictions and clears alike. Each is repaired the same way once
 * Redis answers: the key is deleted in Redis and evicted from every L1 (a remembered
 * clear clears the cache everywhere), so neither the value Redis kept from before nor a
 * late write that did land can be served over the newer one the application wrote.
 * Bounded: beyond {@code capacity} keys the whole cache is cleared instead. Thread-safe.
 */
final class Outage {

	private final int capacity;

	private final Set<String> keys = new LinkedHashSet<>();

	private boolean clearAll;

	private volatile boolean pending;

	private long version;

	Outage(int capacity) {
		this.capacity = capacity;
	}

	synchronized void remember(String canonicalKey) {
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

	synchronized void rememberClear() {
		this.version++;
		this.clearAll = true;
		this.keys.clear();
		this.pending = true;
	}

	/** Whether anything waits to be repaired (a volatile read). */
	boolean isPending() {
		return this.pending;
	}

	/** What is remembered now; it stays remembered until {@link #repaired(Snapshot)}. */
	synchronized Snapshot snapshot() {
		return new Snapshot(this.clearAll, List.copyOf(this.keys), this.version);
	}

	/**
	 * Forgets what a successful repair applied; what was remembered since the snapshot
	 * stays.
	 */
	synchronized void repaired(Snapshot snapshot) {
		if (snapshot.version() == this.version) {
			this.keys.clear();
			this.clearAll = false;
			this.pending = false;
		}
		else {
			snapshot.keys().forEach(this.keys::remove);
		}
	}

	/**
	 * What to repair.
	 *
	 * @param clearAll whether the whole cache must be cleared
	 * @param keys otherwise, the keys to evict everywhere
	 * @param version the state the snapshot was taken in
	 */
	record Snapshot(boolean clearAll, List<String> keys, long version) {
	}

}
