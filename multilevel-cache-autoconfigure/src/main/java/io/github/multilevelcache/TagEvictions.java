package io.github.multilevelcache;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The tags of one manager: which caches are tagged ({@link #forCache}) and the eviction
 * of a tag ({@link #evict}). A tag eviction that cannot reach Redis drops every entry of
 * the tagged caches from this instance's L1 at once and is replayed, cluster-wide, once
 * Redis is back ({@link #replayPending}, in the recovery run); until then other instances
 * keep what their L1 holds, as with any eviction during an outage. Failed evictions that
 * do not open the breaker are replayed every {@code 200 ms} while Redis answers; more
 * than {@value #MAX_PENDING} waiting turn into a clear of every tagged cache.
 */
final class TagEvictions {

	/** How many failed tag evictions are remembered for the replay. */
	static final int MAX_PENDING = 10_000;

	private static final Log logger = LogFactory.getLog(TagEvictions.class);

	private static final Duration PROBE_INTERVAL = Duration.ofMillis(200);

	private static final Duration SET_TTL_MARGIN = Duration.ofMinutes(1);

	private final Map<String, CacheTagResolver> resolvers;

	private final TagIndex index;

	private final Transactions transactions;

	private final Function<String, @Nullable MultiLevelCache> caches;

	private final Supplier<Iterable<MultiLevelCache>> existing;

	private final Set<String> pending = ConcurrentHashMap.newKeySet();

	private final CacheTasks tasks;

	private final Availability availability;

	private final AtomicBoolean probing = new AtomicBoolean();

	/**
	 * Creates the tags of a manager.
	 * @param resolvers the resolvers by cache name
	 * @param index the tag sets in Redis
	 * @param transactions whether evictions wait for the commit
	 * @param caches the manager's caches by name (creating a dynamic one)
	 * @param existing the caches created so far
	 * @param tasks runs the replay of failed evictions while the breaker stays closed
	 * @param availability whether Redis is reachable
	 */
	TagEvictions(Map<String, CacheTagResolver> resolvers, TagIndex index, Transactions transactions,
			Function<String, @Nullable MultiLevelCache> caches, Supplier<Iterable<MultiLevelCache>> existing,
			CacheTasks tasks, Availability availability) {
		this.resolvers = Map.copyOf(resolvers);
		this.index = index;
		this.transactions = transactions;
		this.caches = caches;
		this.existing = existing;
		this.tasks = tasks;
		this.availability = availability;
	}

	/**
	 * The tag bookkeeping of a cache being created.
	 * @param name the cache
	 * @param settings its settings
	 * @return {@link CacheTags#NONE} for an untagged cache or one without Redis
	 */
	CacheTags forCache(String name, CacheSettings settings) {
		CacheTagResolver resolver = this.resolvers.get(name);
		if (resolver == null || !settings.l2().enabled()) {
			return CacheTags.NONE;
		}
		return new CacheTags(resolver, this.index, this.transactions, setTtlMillis(settings));
	}

	/**
	 * How long a tag set must live after a member was added: the longest TTL an entry of
	 * the cache can get (TTL plus its jitter), plus a margin for the clock of the writer;
	 * 0 (no expiry) for entries without one.
	 */
	private static long setTtlMillis(CacheSettings settings) {
		Duration ttl = settings.l2().ttl();
		if (ttl == null) {
			return 0;
		}
		long longest = (long) Math.ceil(ttl.toMillis() * (1 + settings.l2().ttlJitter().fraction()));
		return longest + SET_TTL_MARGIN.toMillis();
	}

	/**
	 * Evicts every entry recorded under the tag, in every cache and on every instance;
	 * inside a transaction of a transaction-aware manager, after the commit.
	 * @param tag the tag
	 * @return the entries evicted; 0 when deferred to the commit; -1 when Redis could not
	 * be reached (the eviction is then replayed when it is back)
	 */
	long evict(String tag) {
		if (this.transactions.deferring()) {
			Transactions.afterCommit(() -> evictNow(tag));
			return 0;
		}
		return evictNow(tag);
	}

	private long evictNow(String tag) {
		try {
			return this.index.evict(tag, this.caches, false);
		}
		catch (L2Failure ex) {
			remember(tag);
			dropTaggedL1s();
			logger.warn("Tag '" + tag + "' could not be evicted in Redis (" + ex.getMessage()
					+ "); this instance's L1 of every tagged cache was cleared and the eviction is replayed once "
					+ "Redis is back");
			return -1;
		}
	}

	private void remember(String tag) {
		if (this.pending.size() < MAX_PENDING) {
			this.pending.add(tag);
		}
		else {
			// too many to replay one by one: the tagged caches are cleared by the repair
			for (MultiLevelCache cache : this.existing.get()) {
				if (this.resolvers.containsKey(cache.getName())) {
					cache.outage().rememberClear();
				}
			}
		}
		if (this.probing.compareAndSet(false, true)) {
			this.tasks.every(PROBE_INTERVAL, () -> {
				if (!this.pending.isEmpty() && this.availability.isAvailable()) {
					replay(false);
				}
			});
		}
	}

	private void dropTaggedL1s() {
		for (MultiLevelCache cache : this.existing.get()) {
			if (this.resolvers.containsKey(cache.getName())) {
				cache.l1().invalidateAll();
			}
		}
	}

	/**
	 * Replays the tag evictions that failed, in the recovery run after an outage (after
	 * the repair of its writes).
	 * @return whether every one was replayed; {@code false} leaves the rest for the next
	 * run
	 */
	boolean replayPending() {
		return replay(true);
	}

	private boolean replay(boolean recovery) {
		for (String tag : Set.copyOf(this.pending)) {
			try {
				this.index.evict(tag, this.caches, recovery);
				this.pending.remove(tag);
			}
			catch (L2Failure ex) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Tag evictions waiting for Redis.
	 * @return how many
	 */
	int pendingCount() {
		return this.pending.size();
	}

}
