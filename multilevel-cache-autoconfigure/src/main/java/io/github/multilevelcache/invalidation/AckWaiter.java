package io.github.multilevelcache.invalidation;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Waits for the acknowledgements of one invalidation message from the peers that were
 * alive when it was sent.
 */
class AckWaiter {

	private static final Log logger = LogFactory.getLog(AckWaiter.class);

	private final String cacheName;

	private final long sequence;

	private final Set<UUID> pending = ConcurrentHashMap.newKeySet();

	private final CompletableFuture<Void> done = new CompletableFuture<>();

	private @Nullable InvalidationStatistics statistics;

	AckWaiter(String cacheName, long sequence, Set<UUID> peers) {
		this.cacheName = cacheName;
		this.sequence = sequence;
		this.pending.addAll(peers);
		if (this.pending.isEmpty()) {
			this.done.complete(null);
		}
	}

	static String id(String cacheName, long sequence) {
		return cacheName + '\0' + sequence;
	}

	String id() {
		return id(this.cacheName, this.sequence);
	}

	void acknowledged(UUID peer) {
		this.pending.remove(peer);
		if (this.pending.isEmpty()) {
			this.done.complete(null);
		}
	}

	/**
	 * The message was never published: nobody will answer.
	 */
	void abandon() {
		this.pending.clear();
		this.done.complete(null);
	}

	boolean isDone() {
		return this.done.isDone();
	}

	void countTimeoutsIn(InvalidationStatistics statistics) {
		this.statistics = statistics;
	}

	/**
	 * Waits until every peer acknowledged or the timeout passed; a timeout is logged with
	 * the missing peers.
	 * @param timeout the acknowledgement timeout
	 * @return whether every peer acknowledged
	 */
	boolean await(Duration timeout) {
		try {
			this.done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (ExecutionException | TimeoutException ex) {
			if (this.statistics != null) {
				this.statistics.ackTimeouts.increment();
			}
			logger.warn("Peers " + this.pending + " did not acknowledge invalidation " + this.sequence + " of cache '"
					+ this.cacheName + "' within " + timeout.toMillis() + " ms; their L1 may serve the old value "
					+ "until their gap detection or expiry");
			this.done.complete(null);
			return false;
		}
	}

}
