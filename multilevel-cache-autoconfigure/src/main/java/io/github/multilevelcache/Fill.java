package io.github.multilevelcache;

import org.jspecify.annotations.Nullable;

/**
 * A miss that may be followed by a fill: what the miss saw, so that the fill can be
 * stored only if nothing changed the key since.
 *
 * @param canonical the key
 * @param stamp the L1 invalidation stamp taken before Redis was read: L1 takes the fill
 * only if no invalidation of the key arrived since
 * @param guard exactly what the key held in Redis after the miss (this instance's fill
 * guard, another instance's lease or guard, or undecodable bytes): Redis takes the fill
 * only if the key still holds it; {@code null} when Redis could not be read (the fill
 * then goes to L1 only)
 * @param missedAtNanos when the miss happened; a fill later than the lease time is
 * treated as a write
 */
record Fill(String canonical, long stamp, byte @Nullable [] guard, long missedAtNanos) {

	/**
	 * Where a miss is remembered until the put that fills it.
	 */
	interface Slot {

		/** Remembers a miss. */
		void missed(Fill fill);

		/** The miss of this key, taken out of the slot, or {@code null}. */
		@Nullable Fill take(String canonical);

	}

}
