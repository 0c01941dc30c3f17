package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;

/**
 * Keeps the bus subscribed, on a thread of its own (subscribing blocks until Redis
 * answers or the connection attempt fails, so it never delays a heartbeat): subscribes at
 * start and again whenever the subscription was dropped, retrying every heartbeat
 * interval while Redis is unreachable. Lettuce re-subscribes a connection it reconnects
 * by itself; a subscription that stops delivering this instance's own heartbeats while
 * they are published is broken without having said so, and is closed and made anew. The
 * first failed attempt tells the targets that L1 must serve without invalidations
 * (degraded) until the subscription is up.
 */
final class SubscriptionKeeper {

	private static final Log logger = LogFactory.getLog(SubscriptionKeeper.class);

	private final BusTransport transport;

	private final MessageListener listener;

	private final byte[][] channels;

	private final Duration interval;

	private final InvalidationTargets targets;

	private final Warnings warnings;

	private volatile @Nullable RedisConnection subscription;

	private volatile boolean confirmed;

	private volatile long lastOwnHeartbeatNanos;

	private volatile boolean running;

	private @Nullable Thread thread;

	SubscriptionKeeper(BusTransport transport, MessageListener listener, byte[][] channels, Duration interval,
			InvalidationTargets targets, Warnings warnings) {
		this.transport = transport;
		this.listener = listener;
		this.channels = channels;
		this.interval = interval;
		this.targets = targets;
		this.warnings = warnings;
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
			if (this.subscription == null) {
				subscribe();
			}
			LockSupport.parkNanos(this.interval.toNanos());
		}
	}

	private void subscribe() {
		try {
			this.subscription = this.transport.subscribe(this.listener, this.channels);
		}
		catch (RuntimeException ex) {
			this.targets.unsubscribed();
			this.warnings.warn("Cannot subscribe to the invalidation channel yet (Redis unreachable?); L1 serves "
					+ "without invalidations and is cleared once subscribed; retrying every " + this.interval.toMillis()
					+ " ms", ex);
		}
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
	 * Whether the subscription is up and delivering.
	 */
	boolean isSubscribed() {
		return this.subscription != null && this.confirmed
				&& System.nanoTime() - this.lastOwnHeartbeatNanos < silence().toNanos();
	}

	/**
	 * Called every heartbeat: drops a subscription that stopped delivering this
	 * instance's own heartbeats while they were being published, so that the keeper makes
	 * a new one (which clears every L1).
	 * @param publishing whether heartbeats were published recently
	 */
	void check(boolean publishing) {
		if (this.subscription != null && this.confirmed && publishing
				&& System.nanoTime() - this.lastOwnHeartbeatNanos > silence().toNanos()) {
			logger.warn("The invalidation subscription stopped delivering messages; L1 serves without invalidations "
					+ "until a new subscription is up, which clears it");
			close();
			this.targets.unsubscribed();
			Thread thread = this.thread;
			if (thread != null) {
				LockSupport.unpark(thread);
			}
		}
	}

	private Duration silence() {
		return this.interval.multipliedBy(3).plusMillis(500);
	}

	private void close() {
		RedisConnection connection = this.subscription;
		this.subscription = null;
		this.confirmed = false;
		if (connection != null) {
			try {
				connection.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Error closing the invalidation subscription", ex);
			}
		}
	}

}
