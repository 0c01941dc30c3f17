package io.github.multilevelcache.invalidation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.github.multilevelcache.invalidation.InvalidationMessage.Ack;
import io.github.multilevelcache.invalidation.InvalidationMessage.Heartbeat;
import io.github.multilevelcache.invalidation.InvalidationMessage.Invalidate;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.DefaultMessage;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.SubscriptionListener;

/**
 * The receiving side of the bus, called on the subscription's thread (Lettuce's event
 * loop: it never blocks). Drops the keys other instances changed from L1
 * (write-invalidate: it never puts a value), ignores its own messages, answers
 * acknowledged invalidations at once (an asynchronous {@code PUBLISH} from this thread,
 * no queue in between), completes the acknowledgements of its own writes, hands sequence
 * numbers to the {@link PeerTracker}, and clears every L1 on each (re)subscription.
 * Malformed, foreign or oversized messages are ignored and counted; nothing is ever
 * thrown into the listener container.
 */
final class InvalidationReceiver implements MessageListener, SubscriptionListener, BusTransport.TrackingListener {

	private static final Log logger = LogFactory.getLog(InvalidationReceiver.class);

	static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

	private final UUID instanceId;

	private final byte[] channel;

	private final String channelName;

	private final InvalidationTargets targets;

	private final PeerTracker peers;

	private final InvalidationStatistics statistics;

	private final Map<String, AckWaiter> ackWaiters;

	private final BusTransport transport;

	private @Nullable SubscriptionKeeper keeper;

	InvalidationReceiver(UUID instanceId, String channel, InvalidationTargets targets, PeerTracker peers,
			InvalidationStatistics statistics, Map<String, AckWaiter> ackWaiters, BusTransport transport) {
		this.instanceId = instanceId;
		this.channelName = channel;
		this.channel = channel.getBytes(StandardCharsets.UTF_8);
		this.targets = targets;
		this.peers = peers;
		this.statistics = statistics;
		this.ackWaiters = ackWaiters;
		this.transport = transport;
	}

	void keptBy(SubscriptionKeeper keeper) {
		this.keeper = keeper;
	}

	static byte[] ackChannel(String channel, UUID instance) {
		return (channel + ":ack:" + instance).getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public void onMessage(Message message, byte @Nullable [] pattern) {
		InvalidationMessage decoded;
		try {
			decoded = MessageCodec.decode(message.getBody(), MAX_MESSAGE_BYTES);
		}
		catch (RuntimeException ex) {
			this.statistics.malformed.increment();
			if (logger.isDebugEnabled()) {
				logger.debug("Ignoring malformed message on the invalidation channel: " + ex.getMessage());
			}
			return;
		}
		try {
			receive(decoded);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not apply an invalidation message; clearing every L1", ex);
			this.targets.invalidateAll();
		}
	}

	private void receive(InvalidationMessage message) {
		if (message instanceof Ack ack) {
			if (this.instanceId.equals(ack.target())) {
				this.statistics.acksReceived.increment();
				AckWaiter waiter = this.ackWaiters.get(AckWaiter.id(ack.cacheName(), ack.sequence()));
				if (waiter != null) {
					waiter.acknowledged(ack.sender());
				}
			}
			return;
		}
		if (message.sender().equals(this.instanceId)) {
			if (message instanceof Heartbeat && this.keeper != null) {
				this.keeper.ownHeartbeat();
			}
			return;
		}
		if (message instanceof Heartbeat heartbeat) {
			this.peers.onHeartbeat(heartbeat.sender(), heartbeat.sequences()).forEach(this::gap);
			return;
		}
		Invalidate invalidate = (Invalidate) message;
		boolean overflow = this.peers.onInvalidation(invalidate.sender(), invalidate.cacheName(),
				invalidate.sequence());
		if (overflow || invalidate.operation() == Operation.CLEAR) {
			this.targets.invalidateCache(invalidate.cacheName());
		}
		else {
			this.targets.invalidate(invalidate.cacheName(), invalidate.keys());
		}
		if (overflow) {
			this.statistics.gaps.increment();
		}
		this.statistics.received.increment();
		if (invalidate.ackRequested()) {
			Ack ack = new Ack(this.instanceId, invalidate.sender(), invalidate.cacheName(), invalidate.sequence());
			this.transport.publish(ackChannel(this.channelName, invalidate.sender()), MessageCodec.encode(ack))
				.whenComplete((receivers, ex) -> {
					if (ex != null) {
						this.statistics.publishFailures.increment();
					}
				});
		}
	}

	/**
	 * Messages of a cache were lost: its L1 is cleared.
	 */
	void gap(String cacheName) {
		this.statistics.gaps.increment();
		this.targets.invalidateCache(cacheName);
		logger.debug("Lost invalidation messages detected for cache '" + cacheName + "'; cleared its L1");
	}

	@Override
	public void onChannelSubscribed(byte[] channel, long count) {
		if (Arrays.equals(channel, this.channel)) {
			this.peers.reset();
			this.targets.subscribed();
			this.statistics.resubscriptions.increment();
			if (this.keeper != null) {
				this.keeper.confirmed();
			}
			logger.debug("Subscribed to the invalidation channel");
		}
	}

	@Override
	public void onChannelUnsubscribed(byte[] channel, long count) {
		if (Arrays.equals(channel, this.channel) && this.keeper != null) {
			this.keeper.ended();
		}
	}

	@Override
	public void subscribed(byte[] channel) {
		onChannelSubscribed(channel, 1);
	}

	@Override
	public void message(byte[] channel, byte[] body) {
		onMessage(new DefaultMessage(channel, body), null);
	}

	/**
	 * Redis announced changed keys: each is dropped from the L1 of the cache it belongs
	 * to, whoever changed it (this instance's own writes included, which costs this
	 * instance a read from Redis the next time). A flush clears every L1.
	 */
	@Override
	public void invalidated(@Nullable List<byte[]> keys) {
		try {
			this.statistics.received.increment();
			if (keys == null) {
				this.targets.invalidateAll();
				return;
			}
			List<String> changed = new ArrayList<>(keys.size());
			for (byte[] key : keys) {
				String name = new String(key, StandardCharsets.UTF_8);
				if (this.keeper == null || !this.keeper.trackingEcho(name)) {
					changed.add(name);
				}
			}
			if (!changed.isEmpty()) {
				this.targets.invalidateKeys(changed);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not apply a tracking invalidation; clearing every L1", ex);
			this.targets.invalidateAll();
		}
	}

	@Override
	public void trackingLost() {
		if (this.keeper != null) {
			this.keeper.trackingLost();
		}
	}

}
