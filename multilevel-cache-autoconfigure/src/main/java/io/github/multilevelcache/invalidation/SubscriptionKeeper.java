package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the bus subscribed, on a thread of its own (subscribing blocks until Redis
 * answers or the connection attempt fails, so it never delays a heartbeat): subscribes at
 * start and again whenever the subscription was dropped, retrying every heartbeat
 * interval while Redis is unreachable. Lettuce re-subscribes a connection it reconnects
 * by itself; a subscription that stops delivering this instance's own heartbeats while
 * they are published is broken without having said so, and is closed and made anew. The
 * first failed attempt tells the targets that L1 must serve without invalidations
 * (degraded) until the subscription is up. With tracking, the subscription also counts as
 * broken when Redis stops announcing changes of this instance's marker key (written every
 * heartbeat; on a Redis Cluster one marker per primary, each of which must be announced),
 * when Lettuce re-established a connection without its tracking, or (Cluster) when the
 * primaries changed (failover, resharding): tracking is then set up anew on the new
 * primaries.
 */
final class SubscriptionKeeper {

	private static final Log logger = LogFactory.getLog(SubscriptionKeeper.class);

	private final BusTransport transport;

	private final InvalidationReceiver listener;

	private final byte[][] channels;

	private final Duration interval;

	private final InvalidationTargets targets;

	private final Warnings warnings;

	private final @Nullable List<String> trackedPrefixes;

	private final String markerBase;

	private volatile BusTransport.@Nullable Subscription subscription;

	/**
	 * Marker key → when Redis last announced its change, for the current subscription.
	 */
	private volatile Map<String, Long> trackingEchoes = Map.of();

	private volatile boolean confirmed;

	private volatile long lastOwnHeartbeatNanos;

	private volatile boolean running;

	private volatile boolean lost;

	private @Nullable Thread thread;

	/**
	 * Creates a keeper.
	 * @param trackedPrefixes the key prefixes Redis tracks for this instance,
	 * {@code null} to subscribe without tracking
	 * @param markerBase the tracking marker key, or the start of the marker keys (see
	 * {@link BusTransport#subscribeTracking})
	 */
	SubscriptionKeeper(BusTransport transport, InvalidationReceiver listener, byte[][] channels, Duration interval,
			InvalidationTargets targets, Warnings warnings, @Nullable List<String> trackedPrefixes, String markerBase) {
		this.transport = transport;
		this.listener = listener;
		this.channels = channels;
		this.interval = interval;
		this.targets = targets;
		this.warnings = warnings;
		this.trackedPrefixes = trackedPrefixes;
		this.markerBase = markerBase;
	}

	synchronized void start() {
		if (this.running) {
			return;
		}
		this.running = true;
		Thread thread = new Thread(this::run, "multilevel-cache-invalidation-subscriber");
		thread.setDaemon(true);
		thread.start();
		this.thread = thread;
	}

	synchronized void stop() {
		this.running = false;
		if (this.thread != null) {
			LockSupport.unpark(this.thread);
		}
		close();
	}

	private void run() {
		while (this.running) {
			if (this.lost) {
				this.lost = false;
				close();
			}
			if (this.subscription == null) {
				subscribe();
			}
			else if (!isCurrent()) {
				logger.info("The Redis Cluster's primaries changed; L1 serves without invalidations until tracking "
						+ "is set up on the new primaries, which clears it");
				dropSubscription();
				continue;
			}
			LockSupport.parkNanos(this.interval.toNanos());
		}
	}

	private void subscribe() {
		BusTransport.Subscription made;
		long started = System.nanoTime();
		try {
			made = (this.trackedPrefixes != null) ? this.transport.subscribeTracking(this.listener,
					this.trackedPrefixes, this.markerBase, this.channels)
					: this.transport.subscribe(this.listener, this.channels);
		}
		catch (RuntimeException ex) {
			if (!this.running) {
				// stopped while the attempt was under way: the context may be closed
				return;
			}
			this.targets.unsubscribed();
			this.warnings.warn("Cannot subscribe to the invalidation channel yet (Redis unreachable?); L1 serves "
					+ "without invalidations and is cleared once subscribed; retrying every " + this.interval.toMillis()
					+ " ms", ex);
			return;
		}
		if (!keep(made, started)) {
			closeQuietly(made);
		}
	}

	/**
	 * Keeps a new subscription unless the keeper was stopped meanwhile (then the caller
	 * closes it: {@link #stop()} has already closed what it could see).
	 */
	private synchronized boolean keep(BusTransport.Subscription made, long started) {
		if (!this.running) {
			return false;
		}
		if (made instanceof BusTransport.TrackingSubscription tracking) {
			Map<String, Long> echoes = new ConcurrentHashMap<>();
			tracking.markers().forEach((marker) -> echoes.put(marker, started));
			this.trackingEchoes = echoes;
		}
		this.subscription = made;
		return true;
	}

	/**
	 * Redis confirmed the subscription of the invalidation channel (also after Lettuce
	 * reconnected).
	 */
	void confirmed() {
		this.confirmed = true;
		this.lastOwnHeartbeatNanos = System.nanoTime();
	}

	/** Redis ended the subscription. */
	void ended() {
		this.confirmed = false;
	}

	/** One of this instance's own heartbeats came back. */
	void ownHeartbeat() {
		this.lastOwnHeartbeatNanos = System.nanoTime();
	}

	/**
	 * Redis announced the change of a key: if it is one of the current subscription's
	 * tracking markers, tracking works (on that marker's primary).
	 * @return whether the key is such a marker
	 */
	boolean trackingEcho(String key) {
		return this.trackingEchoes.computeIfPresent(key, (marker, last) -> System.nanoTime()) != null;
	}

	/**
	 * The tracking marker keys of the current subscription, to change every heartbeat
	 * (none without a subscription or without tracking).
	 */
	List<String> trackingMarkers() {
		return (this.subscription instanceof BusTransport.TrackingSubscription tracking) ? tracking.markers()
				: List.of();
	}

	private boolean isCurrent() {
		if (!(this.subscription instanceof BusTransport.TrackingSubscription tracking)) {
			return true;
		}
		try {
			return tracking.isCurrent();
		}
		catch (RuntimeException ex) {
			// Redis did not answer: the heartbeat's checks decide whether the
			// subscription still works
			logger.debug("Could not check the Redis Cluster's primaries", ex);
			return true;
		}
	}

	private boolean trackingSilent(long now) {
		for (long last : this.trackingEchoes.values()) {
			if (now - last > silence().toNanos()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Lettuce re-established the subscription without its tracking: it is closed and made
	 * anew, which clears every L1.
	 */
	void trackingLost() {
		logger.warn("The invalidation connection was re-established without its tracking; L1 serves without "
				+ "invalidations until tracking is set up again, which clears it");
		// called on Lettuce's event loop, which must not close its own connection: the
		// keeper's thread does
		this.confirmed = false;
		this.lost = true;
		this.targets.unsubscribed();
		Thread thread = this.thread;
		if (thread != null) {
			LockSupport.unpark(thread);
		}
	}

	/**
	 * Whether the subscription is up and delivering (with tracking: and Redis announces
	 * changes).
	 */
	boolean isSubscribed() {
		long now = System.nanoTime();
		return this.subscription != null && this.confirmed && now - this.lastOwnHeartbeatNanos < silence().toNanos()
				&& (this.trackedPrefixes == null || !trackingSilent(now));
	}

	/**
	 * Called every heartbeat: drops a subscription that stopped delivering this
	 * instance's own heartbeats while they were being published, so that the keeper makes
	 * a new one (which clears every L1).
	 * @param publishing whether heartbeats were published recently
	 */
	void check(boolean publishing) {
		if (this.subscription == null || !this.confirmed || !publishing) {
			return;
		}
		long now = System.nanoTime();
		if (now - this.lastOwnHeartbeatNanos > silence().toNanos()) {
			logger.warn("The invalidation subscription stopped delivering messages; L1 serves without invalidations "
					+ "until a new subscription is up, which clears it");
			dropSubscription();
		}
		else if (this.trackedPrefixes != null && trackingSilent(now)) {
			logger.warn("Redis stopped announcing changes of tracked keys (CLIENT TRACKING lost?); L1 serves "
					+ "without invalidations until tracking is set up again, which clears it");
			dropSubscription();
		}
	}

	private void dropSubscription() {
		close();
		this.targets.unsubscribed();
		Thread thread = this.thread;
		if (thread != null) {
			LockSupport.unpark(thread);
		}
	}

	private Duration silence() {
		return this.interval.multipliedBy(3).plusMillis(500);
	}

	private void close() {
		BusTransport.Subscription connection = this.subscription;
		this.subscription = null;
		this.confirmed = false;
		if (connection != null) {
			closeQuietly(connection);
		}
	}

	private static void closeQuietly(BusTransport.Subscription subscription) {
		try {
			subscription.close();
		}
		catch (RuntimeException ex) {
			logger.debug("Error closing the invalidation subscription", ex);
		}
	}

}
