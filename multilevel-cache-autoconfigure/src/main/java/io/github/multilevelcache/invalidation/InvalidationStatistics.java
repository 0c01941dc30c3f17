package io.github.multilevelcache.invalidation;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one instance's invalidation traffic. All counters only grow.
 */
public final class InvalidationStatistics {

	final LongAdder sent = new LongAdder();

	final LongAdder publishFailures = new LongAdder();

	final LongAdder received = new LongAdder();

	final LongAdder gaps = new LongAdder();

	final LongAdder malformed = new LongAdder();

	final LongAdder resubscriptions = new LongAdder();

	final LongAdder epochChanges = new LongAdder();

	final LongAdder ackTimeouts = new LongAdder();

	final LongAdder acksReceived = new LongAdder();

	/**
	 * @return invalidation messages published
	 */
	public long sent() {
		return this.sent.sum();
	}

	/**
	 * @return messages that could not be published (receivers detect the gap)
	 */
	public long publishFailures() {
		return this.publishFailures.sum();
	}

	/**
	 * @return invalidation messages received from other instances
	 */
	public long received() {
		return this.received.sum();
	}

	/**
	 * @return lost messages detected (each cleared one cache's L1)
	 */
	public long gaps() {
		return this.gaps.sum();
	}

	/**
	 * @return malformed, foreign or oversized messages ignored
	 */
	public long malformed() {
		return this.malformed.sum();
	}

	/**
	 * @return the (re)subscriptions, each of which cleared every L1
	 */
	public long resubscriptions() {
		return this.resubscriptions.sum();
	}

	/**
	 * @return the Redis restarts or FLUSHALLs detected, each of which cleared every L1
	 */
	public long epochChanges() {
		return this.epochChanges.sum();
	}

	/**
	 * @return acknowledged writes that did not hear from every live peer in time
	 */
	public long ackTimeouts() {
		return this.ackTimeouts.sum();
	}

	/**
	 * @return acknowledgements received
	 */
	public long acksReceived() {
		return this.acksReceived.sum();
	}

}
