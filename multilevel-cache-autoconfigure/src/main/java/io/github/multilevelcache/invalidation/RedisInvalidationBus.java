package io.github.multilevelcache.invalidation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.github.multilevelcache.InvalidCacheSettingException;
import io.github.multilevelcache.InvalidationMode;
import io.github.multilevelcache.invalidation.InvalidationMessage.Heartbeat;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Cross-instance coherence over Redis pub/sub (G2, G6, G7a): gives every write of the
 * caches its invalidation message, drops the keys other instances changed from this
 * instance's L1, and clears L1 whenever messages may have been lost.
 * <p>
 * Guarantees:
 * <ul>
 * <li>Each message goes out with the Redis write that causes it, after it, in the same
 * round trip; messages of one cache carry consecutive sequence numbers and are handed to
 * their writes in that order.</li>
 * <li>Receivers never put values into L1 from a message (write-invalidate) and ignore
 * their own messages.</li>
 * <li>A sequence number skipped by a later message or announced by a heartbeat, and still
 * missing after the reorder grace, clears that cache's L1. Every (re)subscription, a
 * subscription that stops delivering this instance's own heartbeats, and a changed Redis
 * epoch marker (restart, {@code FLUSHALL}) clear every L1. Detection takes at most one
 * heartbeat interval plus the grace and a round trip.</li>
 * <li>Until its first subscription is confirmed this instance's L1 stays unused, so the
 * first subscription has nothing to clear; if it cannot subscribe, L1 serves degraded and
 * the later subscription clears it.</li>
 * <li>Malformed, foreign or oversized messages are ignored and counted; the listener
 * never throws.</li>
 * <li>In {@link InvalidationMode#ACKNOWLEDGED acknowledged} mode a write returns once
 * every live peer confirmed it dropped the keys, or after the acknowledgement timeout
 * (logged and counted).</li>
 * <li>Start-up never waits for Redis: the subscription is made and kept on a thread of
 * its own.</li>
 * </ul>
 * Sending (numbering, acknowledged waits) is {@link InvalidationSender}'s job. Threads:
 * the callers' (publishing), Lettuce's event loop (receiving,
 * {@link InvalidationReceiver}), the subscriber ({@link SubscriptionKeeper}) and the
 * heartbeat thread (heartbeats, gap and epoch checks), all started by {@link #start()}.
 * <p>
 * About 450 lines: it is the one place that wires those four threads together and runs
 * the heartbeat thread's checks, whose order matters (a missed heartbeat, a gap and a
 * changed epoch each clear L1 before the next tick); moving them apart would spread one
 * guarantee over several classes.
 */
public final class RedisInvalidationBus implements InvalidationPublisher, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisInvalidationBus.class);

	private final Settings settings;

	private final UUID instanceId;

	private final byte[] channel;

	private final BusTransport transport;

	private final InvalidationTargets targets;

	private final PeerTracker peers;

	private final InvalidationStatistics statistics = new InvalidationStatistics();

	private final Map<String, AckWaiter> ackWaiters = new ConcurrentHashMap<>();

	private final InvalidationSender sender;

	private final InvalidationReceiver receiver;

	private final SubscriptionKeeper keeper;

	private final EpochWatch epoch;

	private final Warnings warnings = new Warnings();

	private final boolean tracking;

	private final String trackingMarker;

	private final Object lifecycleMonitor = new Object();

	private volatile boolean running;

	private volatile long lastHeartbeatPublishedNanos;

	private @Nullable ScheduledExecutorService heartbeats;

	/**
	 * Creates a bus; nothing touches Redis and no thread starts until {@link #start()}.
	 * @param connectionFactory the application's connection factory
	 * @param settings channel, intervals and timeouts
	 * @param targets the L1s of this instance
	 * @param modes invalidation mode per cache name
	 * @param instanceId this instance's id, shared with its cache manager
	 */
	public RedisInvalidationBus(RedisConnectionFactory connectionFactory, Settings settings,
			InvalidationTargets targets, Function<String, InvalidationMode> modes, UUID instanceId) {
		this.settings = settings;
		this.instanceId = instanceId;
		this.targets = targets;
		this.channel = settings.channel().getBytes(StandardCharsets.UTF_8);
		this.transport = new BusTransport(connectionFactory);
		long grace = Math.min(Duration.ofMillis(100).toNanos(), settings.heartbeatInterval().toNanos() / 4);
		this.peers = new PeerTracker(settings.peerTimeout().toNanos(), grace, System::nanoTime);
		this.receiver = new InvalidationReceiver(instanceId, settings.channel(), targets, this.peers, this.statistics,
				this.ackWaiters, this.transport);
		this.tracking = settings.transport() == InvalidationTransport.TRACKING;
		this.trackingMarker = settings.keyPrefixes().get(0) + "multilevel-cache:tracking:" + instanceId;
		this.keeper = new SubscriptionKeeper(this.transport, this.receiver,
				new byte[][] { this.channel, InvalidationReceiver.ackChannel(settings.channel(), instanceId) },
				settings.heartbeatInterval(), targets, this.warnings, this.tracking ? settings.trackedPrefixes() : null,
				this.trackingMarker);
		this.receiver.keptBy(this.keeper);
		this.epoch = new EpochWatch(settings.epochKey());
		this.sender = new InvalidationSender(instanceId, this.channel, modes, this.tracking, settings.ackTimeout(),
				this.peers, this.statistics, this.ackWaiters);
	}

	/**
	 * The id of this instance, carried by every message it sends.
	 * @return the instance id
	 */
	public UUID instanceId() {
		return this.instanceId;
	}

	/**
	 * Counters of this instance's invalidation traffic.
	 * @return the statistics
	 */
	public InvalidationStatistics statistics() {
		return this.statistics;
	}

	/**
	 * Whether the subscription is up and delivering this instance's own heartbeats.
	 * @return {@code true} when subscribed
	 */
	public boolean isSubscribed() {
		return this.keeper.isSubscribed();
	}

	/**
	 * The peers heard recently, with the highest sequence number received per cache and
	 * the time since each was heard.
	 * @return peer id → what is known of it
	 */
	public Map<UUID, Peer> peers() {
		Map<UUID, Peer> peers = new LinkedHashMap<>();
		this.peers.snapshot()
			.forEach((id, view) -> peers.put(id, new Peer(view.sequences(), Duration.ofNanos(view.nanosSinceHeard()))));
		return peers;
	}

	// ---- publishing ----

	/**
	 * Numbers the message and hands it to the write ({@link InvalidationSender}).
	 */
	@Override
	public <T> Publication<T> publish(String cacheName, Operation operation, List<String> keys,
			Function<@Nullable Message, CompletableFuture<T>> write) {
		return this.sender.publish(cacheName, operation, keys, write);
	}

	// ---- lifecycle and periodic work ----

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			if (this.tracking) {
				probeTracking();
			}
			this.running = true;
			ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
				Thread thread = new Thread(runnable, "multilevel-cache-invalidation-heartbeat");
				thread.setDaemon(true);
				return thread;
			});
			long interval = this.settings.heartbeatInterval().toMillis();
			executor.scheduleWithFixedDelay(this::tick, 0, interval, TimeUnit.MILLISECONDS);
			long grace = Math.max(1, interval / 4);
			executor.scheduleWithFixedDelay(this::checkGaps, grace, grace, TimeUnit.MILLISECONDS);
			this.heartbeats = executor;
			this.keeper.start();
		}
	}

	/**
	 * Fails start-up when the Redis reached cannot track keys (older than 6.0, or
	 * {@code CLIENT TRACKING} denied); says nothing when Redis cannot be reached now (the
	 * subscription is retried in the background).
	 */
	private void probeTracking() {
		CompletableFuture<@Nullable Object> probe = CompletableFuture.supplyAsync(() -> {
			try (RedisConnection connection = this.transport.connection()) {
				return connection.execute("CLIENT", "TRACKING".getBytes(StandardCharsets.US_ASCII),
						"off".getBytes(StandardCharsets.US_ASCII));
			}
		});
		try {
			probe.get(2, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (TimeoutException ex) {
			logger.debug("Redis did not answer the tracking probe in time; tracking is set up once it does");
		}
		catch (ExecutionException ex) {
			StringBuilder messages = new StringBuilder();
			for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
				messages.append(cause.getMessage()).append(' ');
			}
			String message = messages.toString().trim();
			if (message.contains("ERR") || message.contains("NOPERM") || message.contains("nknown")) {
				throw new IllegalStateException("multilevel-cache.invalidation.transport=tracking needs CLIENT "
						+ "TRACKING (Redis 6 or later, and the +client|tracking permission), which this Redis refused: "
						+ message + ". Use multilevel-cache.invalidation.transport=pub-sub", ex.getCause());
			}
			logger.debug("Redis could not be asked whether it tracks keys; tracking is set up once it can", ex);
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (!this.running) {
				return;
			}
			this.running = false;
			if (this.heartbeats != null) {
				this.heartbeats.shutdownNow();
			}
			this.keeper.stop();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Stops after the web server stopped serving and the write-behind queues were
	 * flushed, before the Redis connection factory stops.
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 4096;
	}

	void tick() {
		try {
			publishHeartbeat();
			if (this.tracking) {
				touchTrackingMarkers();
			}
			boolean publishing = System.nanoTime()
					- this.lastHeartbeatPublishedNanos < this.settings.heartbeatInterval().toNanos() * 2;
			this.keeper.check(publishing);
			checkEpoch();
			this.peers.expire();
			this.ackWaiters.values().removeIf(AckWaiter::isDone);
		}
		catch (RuntimeException ex) {
			this.warnings.warn("Invalidation heartbeat failed", ex);
		}
	}

	private void publishHeartbeat() {
		// every message numbered up to the snapshot was handed to Redis before this
		// heartbeat
		Map<String, Long> snapshot = this.sender.sequences();
		this.transport.publish(this.channel, MessageCodec.encode(new Heartbeat(this.instanceId, snapshot)))
			.whenComplete((receivers, ex) -> {
				if (ex == null) {
					this.lastHeartbeatPublishedNanos = System.nanoTime();
				}
				else {
					this.targets.unsubscribed();
					this.warnings.warn("Could not publish an invalidation heartbeat", ex);
				}
			});
	}

	/**
	 * Changes this instance's marker keys (one per Cluster primary), whose announcements
	 * prove that Redis still tracks the prefixes for this instance.
	 */
	private void touchTrackingMarkers() {
		byte[] value = Long.toString(System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
		for (String marker : this.keeper.trackingMarkers()) {
			this.transport
				.touch(marker.getBytes(StandardCharsets.UTF_8), value,
						this.settings.heartbeatInterval().toMillis() * 10)
				.whenComplete((ok, ex) -> {
					if (ex != null) {
						this.warnings.warn("Could not write the tracking marker", ex);
					}
				});
		}
	}

	private void checkGaps() {
		try {
			this.peers.gaps().forEach(this.receiver::gap);
		}
		catch (RuntimeException ex) {
			logger.debug("Gap check failed", ex);
		}
	}

	/**
	 * Redis restarted (without persistence) or was flushed: the epoch marker is gone or
	 * different.
	 */
	private void checkEpoch() {
		try (RedisConnection connection = this.transport.connection()) {
			if (this.epoch.changed(connection)) {
				this.statistics.epochChanges.increment();
				logger.info("Redis was restarted or flushed (epoch marker changed); cleared every L1");
				this.targets.invalidateAll();
			}
		}
		catch (RuntimeException ex) {
			this.warnings.warn("Cannot check the Redis epoch marker", ex);
		}
	}

	/**
	 * Test seam: the next invalidation message this instance publishes is dropped (as if
	 * the network lost it), while its sequence number is still used.
	 */
	void dropNextPublication() {
		this.sender.dropNextPublication();
	}

	/**
	 * Test seam: runs the periodic checks now.
	 */
	void tickNow() {
		tick();
		checkGaps();
	}

	/**
	 * Fixed settings of the bus.
	 *
	 * @param channel the pub/sub channel
	 * @param heartbeatInterval heartbeat period, also the period of subscription and
	 * epoch checks
	 * @param ackTimeout how long an acknowledged write waits for its peers
	 * @param peerTimeout after this silence a peer is neither waited for nor remembered
	 * @param epochKey Redis key of the epoch marker that reveals restarts and
	 * {@code FLUSHALL}
	 * @param transport how changes reach the other instances
	 * @param keyPrefixes the key prefixes of the caches (with
	 * {@link InvalidationTransport#TRACKING tracking}, Redis announces changes under
	 * them); the first is the default one
	 */
	public record Settings(String channel, Duration heartbeatInterval, Duration ackTimeout, Duration peerTimeout,
			String epochKey, InvalidationTransport transport, List<String> keyPrefixes) {

		/**
		 * Validates the settings.
		 * @throws InvalidCacheSettingException naming the setting when a value is missing
		 * or out of range
		 */
		public Settings {
			require(channel != null && !channel.isBlank(), "invalidation.channel", channel, "must not be empty");
			require(heartbeatInterval != null && isPositive(heartbeatInterval), "invalidation.heartbeat-interval",
					heartbeatInterval, "must be a positive duration (e.g. 1s)");
			require(ackTimeout != null && isPositive(ackTimeout), "invalidation.ack-timeout", ackTimeout,
					"must be a positive duration (e.g. 500ms)");
			require(peerTimeout != null && peerTimeout.compareTo(heartbeatInterval.multipliedBy(2)) >= 0,
					"invalidation.peer-timeout", peerTimeout,
					"must be at least twice the heartbeat interval (" + heartbeatInterval + ")");
			Objects.requireNonNull(epochKey, "epochKey must not be null");
			require(transport != null, "invalidation.transport", transport, "must be pub-sub or tracking");
			require(keyPrefixes != null && !keyPrefixes.isEmpty(), "key-prefix", keyPrefixes,
					"at least the default key prefix is needed");
			keyPrefixes = List.copyOf(keyPrefixes);
		}

		/**
		 * Settings of a bus over pub/sub.
		 */
		public Settings(String channel, Duration heartbeatInterval, Duration ackTimeout, Duration peerTimeout,
				String epochKey) {
			this(channel, heartbeatInterval, ackTimeout, peerTimeout, epochKey, InvalidationTransport.PUB_SUB,
					List.of(""));
		}

		/**
		 * The prefixes to track: every key prefix once, without those another one already
		 * covers (Redis refuses overlapping prefixes).
		 */
		List<String> trackedPrefixes() {
			List<String> sorted = this.keyPrefixes.stream().distinct().sorted().toList();
			List<String> tracked = new ArrayList<>();
			for (String prefix : sorted) {
				if (tracked.stream().noneMatch(prefix::startsWith)) {
					tracked.add(prefix);
				}
			}
			return tracked;
		}

		private static boolean isPositive(Duration duration) {
			return !duration.isNegative() && !duration.isZero();
		}

		private static void require(boolean valid, String setting, @Nullable Object value, String reason) {
			if (!valid) {
				throw new InvalidCacheSettingException(setting, value, reason);
			}
		}

	}

	/**
	 * What is known of a peer.
	 *
	 * @param sequences highest sequence number received per cache
	 * @param sinceHeard time since its last message or heartbeat
	 */
	public record Peer(Map<String, Long> sequences, Duration sinceHeard) {
	}

}
