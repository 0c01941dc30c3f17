package io.github.multilevelcache;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.multilevelcache.invalidation.InvalidationPublisher;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;

/**
 * The repair of writes Redis may have missed (G11), for every cache of one manager. Each
 * cache's {@link Outage} remembers the keys; this class is the only one that replays
 * them:
 * <ul>
 * <li>Every remembered key is deleted in Redis and its eviction published to the other
 * instances, in chunks of at most 512 keys per message; a remembered clear deletes the
 * cache's keys in Redis and publishes a clear. A cache's memory is emptied only of what
 * was replayed ({@link Outage#repaired}); a write remembered meanwhile stays for the next
 * run.</li>
 * <li>After a breaker outage ({@link #afterOutage()}, run by the breaker while every
 * other Redis call is still refused) every L1 of the manager is cleared, whether or not
 * the replay succeeded.</li>
 * <li>While the breaker stays closed, a probe replays every 200 ms the writes that timed
 * out or failed without opening it, and also evicts them from this instance's L1. The
 * probe starts once ({@link #startProbing()}), on the manager's scheduler.</li>
 * <li>When Redis fails during a replay, the cache's keys all stay remembered and L1 keeps
 * serving; nothing is thrown.</li>
 * </ul>
 */
final class OutageRepair {

	private static final Duration PROBE_INTERVAL = Duration.ofMillis(200);

	private final RedisLevel l2;

	private final InvalidationPublisher publisher;

	private final CacheTasks tasks;

	private final Supplier<? extends Collection<MultiLevelCache>> caches;

	private final AtomicBoolean probing = new AtomicBoolean();

	private final KeyEviction eviction;

	/**
	 * Creates the repair of one manager's caches.
	 * @param l2 the Redis level the caches share
	 * @param publisher how the other instances hear of the repaired keys
	 * @param tasks the manager's background threads, which run the probe
	 * @param caches a snapshot of the caches created so far, taken on each run
	 */
	OutageRepair(RedisLevel l2, InvalidationPublisher publisher, CacheTasks tasks,
			Supplier<? extends Collection<MultiLevelCache>> caches) {
		this.l2 = l2;
		this.publisher = publisher;
		this.tasks = tasks;
		this.caches = caches;
		this.eviction = new KeyEviction(l2, publisher);
	}

	/**
	 * Repairs, while the breaker stays closed, writes that timed out or failed without
	 * opening it: every probe interval, while any is remembered. Starts the probe on the
	 * first call only.
	 */
	void startProbing() {
		if (this.probing.compareAndSet(false, true)) {
			this.tasks.every(PROBE_INTERVAL, () -> {
				if (this.l2.availability().isAvailable()) {
					for (MultiLevelCache cache : this.caches.get()) {
						if (cache.hasRememberedWrites()) {
							repair(cache, this.l2::call, true);
						}
					}
				}
			});
		}
	}

	/**
	 * Runs when the circuit breaker closes after an outage, while every other Redis call
	 * is refused: replays every cache's remembered writes, then clears every L1.
	 * @return whether every remembered write was repaired
	 */
	boolean afterOutage() {
		boolean repaired = true;
		for (MultiLevelCache cache : this.caches.get()) {
			repaired &= repair(cache, this.l2::callForRecovery, false);
		}
		this.caches.get().forEach((cache) -> cache.l1().invalidateAll());
		return repaired;
	}

	/**
	 * Deletes a cache's remembered keys in Redis (or clears it) and tells the other
	 * instances.
	 * @param evictLocally whether to drop the keys from this instance's L1 too (not
	 * needed when every L1 is cleared afterwards)
	 */
	private boolean repair(MultiLevelCache cache,
			Function<Function<L2Commands, CompletableFuture<Long>>, CompletableFuture<Long>> redis,
			boolean evictLocally) {
		Outage.Snapshot snapshot = cache.outage().snapshot();
		try {
			if (snapshot.clearAll()) {
				String pattern = cache.keys().pattern();
				this.l2.await(
						this.publisher
							.publish(cache.getName(), Operation.CLEAR, List.of(),
									(message) -> redis.apply((commands) -> commands.clear(pattern, message)))
							.written());
				if (evictLocally) {
					cache.l1().invalidateAll();
				}
			}
			this.eviction.evict(cache, snapshot.keys(), redis, evictLocally);
			cache.outage().repaired(snapshot);
			return true;
		}
		catch (L2Failure ex) {
			// Redis is still unreachable: everything stays remembered and L1 keeps
			// serving
			return false;
		}
	}

}
