package io.github.multilevelcache.invalidation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ClusterSlotHashUtil;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.data.redis.core.types.Expiration;

import io.github.multilevelcache.InvalidationMode;
import io.github.multilevelcache.l1.L1Cache;

/**
 * Cross-instance coherence over Redis pub/sub (G2, G6, G7a): publishes an invalidation for every change, drops
 * the keys other instances changed from this instance's L1, and clears L1 whenever messages may have been
 * lost.
 * <p>
 * Guarantees:
 * <ul>
 * <li>Messages are published by one sender thread, in sequence order per cache; keys that change together are
 * batched. A message that cannot be published still consumes its sequence number, so receivers see the
 * gap.</li>
 * <li>Receivers never put values into L1 from a message (write-invalidate) and ignore their own messages.</li>
 * <li>A skipped sequence, or a heartbeat announcing a sequence not yet received, clears that cache's L1. Every
 * (re)subscription, a subscription that stops hearing this instance's own heartbeats, and a changed Redis
 * epoch marker (restart, {@code FLUSHALL}) clear every L1. Detection takes at most one heartbeat interval plus
 * a round trip.</li>
 * <li>Malformed, foreign or oversized messages are ignored and counted; the listener never throws.</li>
 * <li>In {@link InvalidationMode#ACKNOWLEDGED acknowledged} mode a write returns once every live peer confirmed
 * it dropped the keys, or after the acknowledgement timeout (logged and counted).</li>
 * <li>Start-up never waits for Redis: the subscription is made and retried in the background.</li>
 * </ul>
 */
public final class RedisInvalidationBus
		implements InvalidationPublisher, MessageListener, SubscriptionListener, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisInvalidationBus.class);

	static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

	private static final int MAX_KEYS_PER_MESSAGE = 512;

	private static final int OUTBOX_CAPACITY = 100_000;

	private static final Duration PUBLISH_WAIT = Duration.ofSeconds(2);

	private final RedisConnectionFactory connectionFactory;

	private final Settings settings;

	private final Targets targets;

	private final Function<String, InvalidationMode> modes;

	private final UUID instanceId = UUID.randomUUID();

	private final byte[] channel;

	private final byte[] ackChannel;

	private final byte[] epochKey;

	private final BlockingQueue<Outgoing> outbox = new LinkedBlockingQueue<>(OUTBOX_CAPACITY);

	private final ConcurrentHashMap<String, AtomicLong> sequences = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, AckWaiter> ackWaiters = new ConcurrentHashMap<>();

	private final PeerTracker peers;

	private final InvalidationStatistics statistics = new InvalidationStatistics();

	private final Object lifecycleMonitor = new Object();

	private volatile boolean running;

	private @Nullable Thread sender;

	private @Nullable ScheduledExecutorService ticker;

	private volatile @Nullable RedisConnection subscription;

	private volatile long subscribedAtNanos;

	private volatile long lastOwnHeartbeatNanos;

	private volatile long lastHeartbeatPublishedNanos;

	private final Map<String, String> epochs = new ConcurrentHashMap<>();

	private final Map<Integer, String> epochTags = new ConcurrentHashMap<>();

	private volatile boolean suppressNextPublication;

	private volatile long lastWarning = Long.MIN_VALUE / 2;

	/**
	 * Creates a bus; nothing touches Redis until {@link #start()}.
	 * @param connectionFactory Boot's connection factory
	 * @param settings channel, intervals and timeouts
	 * @param targets the L1s of this instance
	 * @param modes invalidation mode per cache name
	 */
	public RedisInvalidationBus(RedisConnectionFactory connectionFactory, Settings settings, Targets targets,
			Function<String, InvalidationMode> modes) {
		this.connectionFactory = connectionFactory;
		this.settings = settings;
		this.targets = targets;
		this.modes = modes;
		this.channel = settings.channel().getBytes(StandardCharsets.UTF_8);
		this.ackChannel = (settings.channel() + ":ack:" + this.instanceId).getBytes(StandardCharsets.UTF_8);
		this.epochKey = settings.epochKey().getBytes(StandardCharsets.UTF_8);
		this.peers = new PeerTracker(settings.peerTimeout().toNanos(), System::nanoTime);
	}

	/**
	 * The random id of this instance, carried by every message it sends.
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
	 * Whether the subscription is currently established.
	 * @return {@code true} when subscribed
	 */
	public boolean isSubscribed() {
		return this.subscription != null && this.subscribedAtNanos != 0;
	}

	/**
	 * The peers heard recently, with the last sequence number per cache and the time since each was heard.
	 * @return peer id → what is known of it
	 */
	public Map<UUID, Peer> peers() {
		Map<UUID, Peer> peers = new LinkedHashMap<>();
		this.peers.snapshot()
			.forEach((id, view) -> peers.put(id,
					new Peer(view.sequences(), Duration.ofNanos(view.nanosSinceHeard()))));
		return peers;
	}

	// ---- publishing ----

	@Override
	public void keysChanged(String cacheName, Operation operation, Collection<String> keys) {
		if (!keys.isEmpty()) {
			publish(new Outgoing(cacheName, operation, List.copyOf(keys), isAcknowledged(cacheName)));
		}
	}

	@Override
	public void cacheCleared(String cacheName) {
		publish(new Outgoing(cacheName, Operation.CLEAR, List.of(), isAcknowledged(cacheName)));
	}

	private boolean isAcknowledged(String cacheName) {
		return this.modes.apply(cacheName) == InvalidationMode.ACKNOWLEDGED;
	}

	private void publish(Outgoing outgoing) {
		if (!this.outbox.offer(outgoing)) {
			// the sender cannot keep up (Redis unreachable): skip the number so receivers detect the loss
			sequence(outgoing.cacheName).incrementAndGet();
			this.statistics.publishFailures.increment();
			return;
		}
		if (!this.running || !isSubscribed()) {
			// not started yet, or Redis unreachable: the message goes out when it can, and until then the
			// receivers' resubscription clear covers it; a writer never waits on an outage
			return;
		}
		AckWaiter waiter;
		try {
			waiter = outgoing.published.get(PUBLISH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		catch (ExecutionException | TimeoutException ex) {
			return;
		}
		if (waiter != null) {
			waiter.await(this.settings.ackTimeout());
		}
	}

	private AtomicLong sequence(String cacheName) {
		return this.sequences.computeIfAbsent(cacheName, (name) -> new AtomicLong());
	}

	private void runSender() {
		List<Outgoing> batch = new ArrayList<>();
		while (this.running || !this.outbox.isEmpty()) {
			try {
				Outgoing first = this.outbox.poll(100, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				this.outbox.drainTo(batch, 4096);
				send(batch);
			}
			catch (InterruptedException ex) {
				if (!this.running) {
					break;
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Invalidation sender failed; continuing", ex);
			}
			finally {
				batch.forEach((outgoing) -> outgoing.published.complete(null));
				batch.clear();
			}
		}
	}

	private void send(List<Outgoing> batch) {
		Map<GroupKey, List<Outgoing>> groups = new LinkedHashMap<>();
		for (Outgoing outgoing : batch) {
			GroupKey key = new GroupKey(outgoing.kind, outgoing.cacheName, outgoing.operation, outgoing.ackRequested,
					outgoing.target);
			groups.computeIfAbsent(key, (k) -> new ArrayList<>()).add(outgoing);
		}
		for (Map.Entry<GroupKey, List<Outgoing>> group : groups.entrySet()) {
			GroupKey key = group.getKey();
			switch (key.kind) {
				case HEARTBEAT -> sendHeartbeat();
				case ACK -> group.getValue().forEach(this::sendAck);
				case INVALIDATE -> sendInvalidations(key, group.getValue());
			}
		}
	}

	private void sendInvalidations(GroupKey key, List<Outgoing> group) {
		List<String> keys = new ArrayList<>();
		group.forEach((outgoing) -> keys.addAll(outgoing.keys));
		List<List<String>> chunks = new ArrayList<>();
		if (key.operation == Operation.CLEAR) {
			chunks.add(List.of());
		}
		else {
			for (int i = 0; i < keys.size(); i += MAX_KEYS_PER_MESSAGE) {
				chunks.add(keys.subList(i, Math.min(keys.size(), i + MAX_KEYS_PER_MESSAGE)));
			}
		}
		List<AckWaiter> waiters = new ArrayList<>();
		for (List<String> chunk : chunks) {
			long sequence = sequence(key.cacheName).incrementAndGet();
			AckWaiter waiter = null;
			if (key.ackRequested) {
				waiter = new AckWaiter(key.cacheName, sequence, this.peers.livePeers());
				waiter.countTimeoutsIn(this.statistics);
				this.ackWaiters.put(waiter.id(), waiter);
				waiters.add(waiter);
			}
			byte[] body = InvalidationMessage
				.invalidate(this.instanceId, key.cacheName, key.operation, sequence, List.copyOf(chunk),
						key.ackRequested)
				.encode();
			if (this.suppressNextPublication) {
				// test seam: this invalidation is lost on its way, its sequence number is used all the same
				this.suppressNextPublication = false;
				if (waiter != null) {
					waiter.abandon();
				}
				continue;
			}
			if (publishRaw(this.channel, body)) {
				this.statistics.sent.increment();
			}
			else if (waiter != null) {
				waiter.abandon();
			}
		}
		AckWaiter combined = AckWaiter.allOf(waiters);
		group.forEach((outgoing) -> outgoing.published.complete(combined));
	}

	private void sendHeartbeat() {
		Map<String, Long> snapshot = new LinkedHashMap<>();
		this.sequences.forEach((name, sequence) -> snapshot.put(name, sequence.get()));
		if (publishRaw(this.channel, InvalidationMessage.heartbeat(this.instanceId, snapshot).encode())) {
			this.lastHeartbeatPublishedNanos = System.nanoTime();
		}
	}

	private void sendAck(Outgoing outgoing) {
		UUID target = Objects.requireNonNull(outgoing.target);
		byte[] body = InvalidationMessage.ack(this.instanceId, target, outgoing.cacheName, outgoing.ackSequence)
			.encode();
		publishRaw((this.settings.channel() + ":ack:" + target).getBytes(StandardCharsets.UTF_8), body);
	}

	private boolean publishRaw(byte[] channel, byte[] body) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			connection.publish(channel, body);
			return true;
		}
		catch (RuntimeException ex) {
			this.statistics.publishFailures.increment();
			warn("Could not publish an invalidation message; peers will detect the gap", ex);
			return false;
		}
	}

	// ---- receiving ----

	@Override
	public void onMessage(Message message, byte @Nullable [] pattern) {
		InvalidationMessage decoded;
		try {
			decoded = InvalidationMessage.decode(message.getBody(), MAX_MESSAGE_BYTES);
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
			clearAll();
		}
	}

	private void receive(InvalidationMessage message) {
		if (message.type() == InvalidationMessage.Type.ACK) {
			if (this.instanceId.equals(message.target())) {
				this.statistics.acksReceived.increment();
				AckWaiter waiter = this.ackWaiters.get(AckWaiter.id(message.cacheName(), message.sequence()));
				if (waiter != null) {
					waiter.acknowledged(message.sender());
				}
			}
			return;
		}
		if (message.sender().equals(this.instanceId)) {
			if (message.type() == InvalidationMessage.Type.HEARTBEAT) {
				this.lastOwnHeartbeatNanos = System.nanoTime();
			}
			return;
		}
		if (message.type() == InvalidationMessage.Type.HEARTBEAT) {
			for (String cacheName : this.peers.onHeartbeat(message.sender(), message.sequences())) {
				gap(cacheName);
			}
			return;
		}
		boolean gap = this.peers.onInvalidation(message.sender(), message.cacheName(), message.sequence());
		L1Cache l1 = this.targets.l1(message.cacheName());
		if (l1 != null) {
			if (gap || message.operation() == Operation.CLEAR) {
				l1.invalidateAll();
			}
			else {
				message.keys().forEach(l1::invalidate);
			}
		}
		if (gap) {
			this.statistics.gaps.increment();
			logger.debug("Lost invalidation messages detected for cache '" + message.cacheName() + "'; cleared its L1");
		}
		this.statistics.received.increment();
		if (message.ackRequested()) {
			Outgoing ack = Outgoing.ack(message.sender(), message.cacheName(), message.sequence());
			this.outbox.offer(ack);
		}
	}

	private void gap(String cacheName) {
		this.statistics.gaps.increment();
		L1Cache l1 = this.targets.l1(cacheName);
		if (l1 != null) {
			l1.invalidateAll();
		}
		logger.debug("Heartbeat revealed lost invalidation messages for cache '" + cacheName + "'; cleared its L1");
	}

	@Override
	public void onChannelSubscribed(byte[] channel, long count) {
		if (java.util.Arrays.equals(channel, this.channel)) {
			this.peers.reset();
			clearAll();
			this.statistics.resubscriptions.increment();
			this.subscribedAtNanos = System.nanoTime();
			this.lastOwnHeartbeatNanos = System.nanoTime();
			logger.debug("Subscribed to the invalidation channel; cleared every L1");
		}
	}

	@Override
	public void onChannelUnsubscribed(byte[] channel, long count) {
		if (java.util.Arrays.equals(channel, this.channel)) {
			this.subscribedAtNanos = 0;
		}
	}

	private void clearAll() {
		this.targets.all().forEach(L1Cache::invalidateAll);
	}

	// ---- lifecycle and periodic checks ----

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			this.running = true;
			Thread thread = new Thread(this::runSender, "multilevel-cache-invalidation-sender");
			thread.setDaemon(true);
			thread.start();
			this.sender = thread;
			ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
				Thread tick = new Thread(runnable, "multilevel-cache-invalidation-heartbeat");
				tick.setDaemon(true);
				return tick;
			});
			long interval = this.settings.heartbeatInterval().toMillis();
			executor.scheduleWithFixedDelay(this::tick, 0, interval, TimeUnit.MILLISECONDS);
			this.ticker = executor;
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (!this.running) {
				return;
			}
			this.running = false;
			if (this.ticker != null) {
				this.ticker.shutdownNow();
			}
			if (this.sender != null) {
				try {
					this.sender.join(PUBLISH_WAIT.toMillis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			closeSubscription();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Stops after the web server stopped serving and before the Redis connection factory stops.
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 4096;
	}

	void tick() {
		try {
			ensureSubscribed();
			checkOwnHeartbeats();
			this.outbox.offer(Outgoing.heartbeat());
			checkEpoch();
			this.peers.expire();
			this.ackWaiters.values().removeIf(AckWaiter::isDone);
		}
		catch (RuntimeException ex) {
			warn("Invalidation heartbeat failed", ex);
		}
	}

	private void ensureSubscribed() {
		if (this.subscription != null) {
			return;
		}
		RedisConnection connection = null;
		try {
			connection = this.connectionFactory.getConnection();
			connection.subscribe(this, this.channel, this.ackChannel);
			this.subscription = connection;
		}
		catch (RuntimeException ex) {
			if (connection != null) {
				closeQuietly(connection);
			}
			warn("Cannot subscribe to the invalidation channel yet (Redis unreachable?); retrying every "
					+ this.settings.heartbeatInterval().toMillis() + " ms", ex);
		}
	}

	/**
	 * A subscription that stops delivering this instance's own heartbeats while they are being published is
	 * broken without having told us: drop it, clear every L1 and subscribe again.
	 */
	private void checkOwnHeartbeats() {
		long now = System.nanoTime();
		long silence = 3 * this.settings.heartbeatInterval().toNanos() + Duration.ofMillis(500).toNanos();
		boolean publishing = now - this.lastHeartbeatPublishedNanos < this.settings.heartbeatInterval().toNanos() * 2;
		if (this.subscription != null && this.subscribedAtNanos != 0 && publishing
				&& now - this.lastOwnHeartbeatNanos > silence) {
			logger.warn("The invalidation subscription stopped delivering messages; clearing every L1 and "
					+ "subscribing again");
			closeSubscription();
			clearAll();
			ensureSubscribed();
		}
	}

	/**
	 * Redis restarted (without persistence) or was flushed: the epoch marker is gone or different.
	 */
	private void checkEpoch() {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			boolean changed = false;
			for (byte[] key : epochKeys(connection)) {
				changed |= checkEpoch(connection, key);
			}
			if (changed) {
				this.statistics.epochChanges.increment();
				logger.info("Redis was restarted or flushed (epoch marker changed); cleared every L1");
				clearAll();
			}
		}
		catch (RuntimeException ex) {
			warn("Cannot check the Redis epoch marker", ex);
		}
	}

	/**
	 * One marker on a standalone or Sentinel-managed Redis; on a cluster one per primary, each with a hash tag
	 * that maps to a slot of that primary, so a FLUSHALL or restart of any node is seen.
	 */
	private List<byte[]> epochKeys(RedisConnection connection) {
		if (!(connection instanceof RedisClusterConnection cluster)) {
			return List.of(this.epochKey);
		}
		List<byte[]> keys = new ArrayList<>();
		for (RedisClusterNode node : cluster.clusterGetNodes()) {
			if (node.isMaster() && node.getSlotRange() != null && !node.getSlotRange().getSlots().isEmpty()) {
				String tag = this.epochTags.computeIfAbsent(node.getSlotRange().getSlotsArray()[0],
						(slot) -> tagForSlotOf(node.getSlotRange()));
				keys.add((this.settings.epochKey() + ":{" + tag + "}").getBytes(StandardCharsets.UTF_8));
			}
		}
		return keys.isEmpty() ? List.of(this.epochKey) : keys;
	}

	private static String tagForSlotOf(RedisClusterNode.SlotRange range) {
		for (int i = 0; i < 1_000_000; i++) {
			String tag = Integer.toString(i);
			if (range.contains(ClusterSlotHashUtil.calculateSlot(tag))) {
				return tag;
			}
		}
		throw new IllegalStateException("No hash tag found for slots " + range);
	}

	private boolean checkEpoch(RedisConnection connection, byte[] key) {
		byte[] current = connection.stringCommands().get(key);
		if (current == null) {
			byte[] fresh = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
			connection.stringCommands().set(key, fresh, Expiration.persistent(), SetOption.ifAbsent());
			current = connection.stringCommands().get(key);
		}
		if (current == null) {
			return false;
		}
		String value = new String(current, StandardCharsets.UTF_8);
		String known = this.epochs.put(new String(key, StandardCharsets.UTF_8), value);
		return known != null && !known.equals(value);
	}

	private void closeSubscription() {
		RedisConnection connection = this.subscription;
		this.subscription = null;
		this.subscribedAtNanos = 0;
		if (connection != null) {
			closeQuietly(connection);
		}
	}

	private static void closeQuietly(RedisConnection connection) {
		try {
			connection.close();
		}
		catch (RuntimeException ex) {
			logger.debug("Error closing the invalidation subscription", ex);
		}
	}

	private void warn(String message, Exception ex) {
		long now = System.currentTimeMillis();
		if (now - this.lastWarning > 30_000) {
			this.lastWarning = now;
			logger.warn(message + " (logged at most every 30 s): " + ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(message, ex);
		}
	}

	/**
	 * Test seam: the next invalidation message this instance publishes is dropped (as if the network lost it),
	 * while its sequence number is still used.
	 */
	void dropNextPublication() {
		this.suppressNextPublication = true;
	}

	/**
	 * Test seam: runs the periodic checks now.
	 */
	void tickNow() {
		tick();
	}

	/**
	 * Fixed settings of the bus.
	 *
	 * @param channel the pub/sub channel
	 * @param heartbeatInterval heartbeat period, also the period of subscription and epoch checks
	 * @param ackTimeout how long an acknowledged write waits for its peers
	 * @param peerTimeout after this silence a peer is neither waited for nor remembered
	 * @param epochKey Redis key of the epoch marker that reveals restarts and {@code FLUSHALL}
	 */
	public record Settings(String channel, Duration heartbeatInterval, Duration ackTimeout, Duration peerTimeout,
			String epochKey) {

		public Settings {
			Objects.requireNonNull(channel, "channel must not be null");
			Objects.requireNonNull(heartbeatInterval, "heartbeatInterval must not be null");
			Objects.requireNonNull(ackTimeout, "ackTimeout must not be null");
			Objects.requireNonNull(peerTimeout, "peerTimeout must not be null");
			Objects.requireNonNull(epochKey, "epochKey must not be null");
		}

	}

	/**
	 * The L1s an invalidation bus acts on.
	 */
	public interface Targets {

		/**
		 * The L1 of a cache, if this instance has created the cache.
		 * @param cacheName the cache name
		 * @return its L1 or {@code null}
		 */
		@Nullable L1Cache l1(String cacheName);

		/**
		 * Every L1 of this instance.
		 * @return the L1s
		 */
		Collection<L1Cache> all();

	}

	/**
	 * What is known of a peer.
	 *
	 * @param sequences last sequence number received per cache
	 * @param sinceHeard time since its last message or heartbeat
	 */
	public record Peer(Map<String, Long> sequences, Duration sinceHeard) {
	}

	private enum Kind {

		INVALIDATE, HEARTBEAT, ACK

	}

	private record GroupKey(Kind kind, String cacheName, Operation operation, boolean ackRequested,
			@Nullable UUID target) {
	}

	private static final class Outgoing {

		final Kind kind;

		final String cacheName;

		final Operation operation;

		final List<String> keys;

		final boolean ackRequested;

		final @Nullable UUID target;

		final long ackSequence;

		final CompletableFuture<@Nullable AckWaiter> published = new CompletableFuture<>();

		Outgoing(String cacheName, Operation operation, List<String> keys, boolean ackRequested) {
			this(Kind.INVALIDATE, cacheName, operation, keys, ackRequested, null, 0);
		}

		private Outgoing(Kind kind, String cacheName, Operation operation, List<String> keys, boolean ackRequested,
				@Nullable UUID target, long ackSequence) {
			this.kind = kind;
			this.cacheName = cacheName;
			this.operation = operation;
			this.keys = keys;
			this.ackRequested = ackRequested;
			this.target = target;
			this.ackSequence = ackSequence;
		}

		static Outgoing heartbeat() {
			return new Outgoing(Kind.HEARTBEAT, "", Operation.EVICT, List.of(), false, null, 0);
		}

		static Outgoing ack(UUID target, String cacheName, long sequence) {
			return new Outgoing(Kind.ACK, cacheName, Operation.EVICT, List.of(), false, target, sequence);
		}

	}

}
