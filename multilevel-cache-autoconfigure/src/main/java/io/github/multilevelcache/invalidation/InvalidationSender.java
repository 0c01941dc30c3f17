package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import io.github.multilevelcache.InvalidationMode;
import io.github.multilevelcache.invalidation.InvalidationMessage.Invalidate;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Message;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Publication;
import org.jspecify.annotations.Nullable;

/**
 * The sending side of {@link RedisInvalidationBus}: numbers the invalidation messages of
 * this instance and hands each to the Redis write that causes it. It neither sends nor
 * receives anything itself (the caches' writes carry the messages) and keeps no thread.
 * <ul>
 * <li>Messages of one cache carry consecutive sequence numbers, starting at 1, and are
 * handed to their writes in that order: numbering and starting the write happen under one
 * lock per cache.</li>
 * <li>{@link #sequences()} reports per cache the last number handed out, read under the
 * same lock, so every message numbered up to it was handed to its write before.</li>
 * <li>With key tracking and a mode other than {@link InvalidationMode#ACKNOWLEDGED
 * acknowledged}, the write gets no message and no number (Redis announces it).</li>
 * <li>In acknowledged mode the waiter for the live peers' acknowledgements is registered
 * (where the receiver finds it) before the write starts; the publication waits at most
 * the acknowledgement timeout and then unregisters it. A write that fails abandons its
 * waiter.</li>
 * <li>Every write that completes is counted as sent or as a publish failure; a write that
 * throws instead of returning a future is a failed future, never an exception.</li>
 * </ul>
 */
final class InvalidationSender {

	private final UUID instanceId;

	private final byte[] channel;

	private final Function<String, InvalidationMode> modes;

	private final boolean tracking;

	private final Duration ackTimeout;

	private final PeerTracker peers;

	private final InvalidationStatistics statistics;

	private final Map<String, AckWaiter> ackWaiters;

	private final Map<String, Sequence> sequences = new ConcurrentHashMap<>();

	private volatile boolean dropNextPublication;

	/**
	 * Creates the sending side of a bus.
	 * @param instanceId the sender id every message carries
	 * @param channel the pub/sub channel of the messages
	 * @param modes invalidation mode per cache name
	 * @param tracking whether Redis key tracking announces the writes
	 * @param ackTimeout how long an acknowledged write waits for its peers
	 * @param peers the live peers an acknowledged write waits for
	 * @param statistics where sent messages and failures are counted
	 * @param ackWaiters the waiters of acknowledged writes by id, shared with the
	 * receiver that completes them
	 */
	InvalidationSender(UUID instanceId, byte[] channel, Function<String, InvalidationMode> modes, boolean tracking,
			Duration ackTimeout, PeerTracker peers, InvalidationStatistics statistics,
			Map<String, AckWaiter> ackWaiters) {
		this.instanceId = instanceId;
		this.channel = channel;
		this.modes = modes;
		this.tracking = tracking;
		this.ackTimeout = ackTimeout;
		this.peers = peers;
		this.statistics = statistics;
		this.ackWaiters = ackWaiters;
	}

	/**
	 * Numbers the message of a write and starts the write with it.
	 * @see InvalidationPublisher#publish
	 */
	<T> Publication<T> publish(String cacheName, Operation operation, List<String> keys,
			Function<@Nullable Message, CompletableFuture<T>> write) {
		boolean acknowledged = this.modes.apply(cacheName) == InvalidationMode.ACKNOWLEDGED;
		if (this.tracking && !acknowledged) {
			// Redis announces the write itself
			return new SentPublication<>(start(write, null), null);
		}
		Sequence sequence = this.sequences.computeIfAbsent(cacheName, (name) -> new Sequence());
		AckWaiter waiter = null;
		CompletableFuture<T> written;
		sequence.lock.lock();
		try {
			long number = ++sequence.value;
			if (acknowledged) {
				waiter = new AckWaiter(cacheName, number, this.peers.livePeers());
				waiter.countTimeoutsIn(this.statistics);
				if (!waiter.isDone()) {
					this.ackWaiters.put(waiter.id(), waiter);
				}
			}
			Message message = new Message(this.channel, MessageCodec
				.encode(new Invalidate(this.instanceId, cacheName, operation, number, keys, acknowledged)));
			if (this.dropNextPublication) {
				// test seam: this message is lost on its way, its sequence number is used
				// all the same
				this.dropNextPublication = false;
				message = null;
			}
			written = start(write, message);
		}
		finally {
			sequence.lock.unlock();
		}
		AckWaiter acks = waiter;
		written = written.whenComplete((result, ex) -> {
			if (ex != null) {
				this.statistics.publishFailures.increment();
				if (acks != null) {
					acks.abandon();
				}
			}
			else {
				this.statistics.sent.increment();
			}
		});
		return new SentPublication<>(written, acks);
	}

	/**
	 * The last sequence number handed out per cache, for a heartbeat: every message
	 * numbered up to it was handed to its write before this returns.
	 * @return cache name → last sequence number
	 */
	Map<String, Long> sequences() {
		Map<String, Long> snapshot = new LinkedHashMap<>();
		this.sequences.forEach((name, sequence) -> {
			// under the lock: every message numbered up to the snapshot was handed to
			// Redis before this heartbeat
			sequence.lock.lock();
			try {
				snapshot.put(name, sequence.value);
			}
			finally {
				sequence.lock.unlock();
			}
		});
		return snapshot;
	}

	/**
	 * Test seam: the next invalidation message is dropped (as if the network lost it),
	 * while its sequence number is still used.
	 */
	void dropNextPublication() {
		this.dropNextPublication = true;
	}

	private static <T> CompletableFuture<T> start(Function<@Nullable Message, CompletableFuture<T>> write,
			@Nullable Message message) {
		try {
			return write.apply(message);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * A write and its message on their way, with the acknowledgements to wait for.
	 */
	private final class SentPublication<T> implements Publication<T> {

		private final CompletableFuture<T> written;

		private final @Nullable AckWaiter acks;

		SentPublication(CompletableFuture<T> written, @Nullable AckWaiter acks) {
			this.written = written;
			this.acks = acks;
		}

		@Override
		public CompletableFuture<T> written() {
			return this.written;
		}

		@Override
		public void awaitAcknowledgements() {
			if (this.acks == null) {
				return;
			}
			try {
				this.acks.await(InvalidationSender.this.ackTimeout);
			}
			finally {
				InvalidationSender.this.ackWaiters.remove(this.acks.id());
			}
		}

	}

	/**
	 * The last sequence number of one cache, and the lock that orders its messages.
	 */
	private static final class Sequence {

		final ReentrantLock lock = new ReentrantLock();

		long value;

	}

}
