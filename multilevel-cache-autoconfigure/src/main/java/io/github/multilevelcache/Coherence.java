package io.github.multilevelcache;

/**
 * Whether the in-process level of one manager's caches may be used, as far as
 * cross-instance invalidation is concerned.
 * <p>
 * With an invalidation bus, L1 stays unused (nothing is stored, so reads go to Redis)
 * until the instance's first subscription is confirmed; the first subscription then has
 * nothing to clear, so a freshly started instance keeps what it cached once it is
 * coherent. When the subscription cannot be made (Redis down at start-up) or drops later,
 * L1 is used all the same, degraded, and is cleared by the next subscription: what it
 * stored meanwhile may have missed other instances' invalidations. Without a bus L1 is
 * always usable. Thread-safe.
 */
final class Coherence {

	private volatile boolean usable;

	private volatile boolean subscribedOnce;

	private volatile boolean usedUnsubscribed;

	private Coherence(boolean usable) {
		this.usable = usable;
	}

	/** Always usable: no other instance can invalidate anything. */
	static Coherence standalone() {
		return new Coherence(true);
	}

	/** Unusable until the first subscription, or until the first one fails. */
	static Coherence awaitingSubscription() {
		return new Coherence(false);
	}

	boolean l1Usable() {
		return this.usable;
	}

	/**
	 * The subscription is down or could not be made: L1 serves (degraded) from now on.
	 */
	void unsubscribed() {
		this.usedUnsubscribed = true;
		this.usable = true;
	}

	/**
	 * The subscription is up.
	 * @return whether every L1 must be cleared first, because it may hold entries stored
	 * while messages could have been missed
	 */
	boolean subscribed() {
		boolean clear = this.subscribedOnce || this.usedUnsubscribed;
		this.subscribedOnce = true;
		this.usedUnsubscribed = false;
		this.usable = true;
		return clear;
	}

}
