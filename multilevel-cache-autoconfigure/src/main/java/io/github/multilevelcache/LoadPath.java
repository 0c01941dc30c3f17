package io.github.multilevelcache;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.github.multilevelcache.ValueCodec.Encoded;
import io.github.multilevelcache.ValueCodec.Read;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache.ValueRetrievalException;

/**
 * Everything between an L1 miss and a value: the Redis read, the lease or fill guard
 * taken by that same read, the loader, the guarded store, and L1's fill. The one owner of
 * the lease protocol (G1, G3):
 * <ul>
 * <li>Every Redis miss leaves a placeholder in the value key, in the round trip that read
 * it: a <em>lease</em> for {@code get(key, loader)} (the holder renews it while its
 * loader runs; with {@code stampede.distributed} other instances wait for its value), a
 * <em>fill guard</em> for a plain {@code get} (nobody waits for it). A miss that finds
 * another instance's placeholder keeps that one as its guard.</li>
 * <li>What a miss loads is stored in Redis only if the key still holds exactly its guard:
 * an evict (which deletes the key) or a put (which overwrites it) between the read and
 * the store wins, so a value read from the database before a concurrent update and evict
 * is never stored after them. The first of several concurrent fills of one key wins; the
 * others take the winner's value into L1 instead of their own.</li>
 * <li>L1 takes any value only if no invalidation of its key arrived since the reader's
 * stamp.</li>
 * <li>Concurrent {@code get(key, loader)} misses of one key in this JVM run one loader
 * (single-flight), and a call never joins a load that began before the key was
 * invalidated.</li>
 * <li>A fill publishes nothing: no other instance can hold a newer value than the one it
 * stored.</li>
 * <li>Waiting for another instance's lease is {@link LeaseWait}'s job, the guarded store
 * {@link GuardedStore}'s, calling the loader {@link LoaderCall}'s; the protocol that
 * strings them together (take the key, wait, take it again when the lease ended without a
 * value, store over the guard) is here.</li>
 * <li>When Redis fails, loads go on without it: the value goes to L1 (stamp-guarded),
 * never to Redis.</li>
 * </ul>
 * About 450 lines: the three read paths (plain miss, {@code get(key, loader)}, warming's
 * batch read) share the fill and stamp rules written once here; the waiting, storing,
 * loader call and the non-blocking {@code retrieve} path live in their own types.
 */
final class LoadPath {

	private final CacheSettings settings;

	private final LocalLevel l1;

	private final RedisLevel l2;

	private final ValueCodec codec;

	private final CacheStatistics statistics;

	private final Leases leases;

	private final ErrorLog errors;

	private final Transactions transactions;

	private final LeaseWait leaseWait;

	private final GuardedStore store;

	private final LoaderCall loaderCall;

	private final SingleFlight singleFlight;

	private final boolean allowNullValues;

	private final long leaseMillis;

	private volatile @Nullable Runnable afterL2Read;

	LoadPath(CacheSettings settings, LocalLevel l1, RedisLevel l2, ValueCodec codec, CacheStatistics statistics,
			Leases leases, LeaseWait leaseWait, GuardedStore store, LoaderCall loaderCall, SingleFlight singleFlight,
			ErrorLog errors, Transactions transactions) {
		this.settings = settings;
		this.l1 = l1;
		this.l2 = l2;
		this.codec = codec;
		this.statistics = statistics;
		this.leases = leases;
		this.leaseWait = leaseWait;
		this.store = store;
		this.loaderCall = loaderCall;
		this.singleFlight = singleFlight;
		this.errors = errors;
		this.transactions = transactions;
		this.allowNullValues = settings.nullValues().enabled();
		this.leaseMillis = settings.stampede().lockLease().toMillis();
	}

	// ---- plain get: read, remember the miss, fill on the following put ----

	/**
	 * Looks a key up in both levels. With a {@code slot}, a miss in both is remembered
	 * there with the fill guard the same Redis round trip left in the key; without one
	 * Redis is only read.
	 * @return the entry, or {@code null} on a miss
	 */
	@Nullable LocalEntry lookup(String canonical, Fill.@Nullable Slot slot) {
		LocalEntry entry = this.l1.get(canonical);
		if (entry != null) {
			return entry;
		}
		long stamp = this.l1.stamp();
		if (!this.settings.l2().enabled()) {
			if (slot != null) {
				slot.missed(new Fill(canonical, stamp, null, System.nanoTime()));
			}
			return null;
		}
		byte[] guard = (slot != null)
				? this.codec.placeholder(Envelope.Kind.GUARD, this.leases.newToken(), this.leaseMillis) : null;
		Read read;
		try {
			read = this.codec.decode(this.l2.await(this.l2
				.call((redis) -> (guard != null) ? redis.getOrPlaceholder(bytes(canonical), guard, this.leaseMillis)
						: redis.get(bytes(canonical)))));
		}
		catch (L2Failure ex) {
			this.errors.failed("get", ex);
			if (slot != null) {
				slot.missed(new Fill(canonical, stamp, null, System.nanoTime()));
			}
			this.statistics.countL2Miss();
			return null;
		}
		if (read.isValue()) {
			Runnable hook = this.afterL2Read;
			if (hook != null) {
				hook.run();
			}
			return hit(canonical, read.entry(), stamp);
		}
		this.statistics.countL2Miss();
		if (slot != null) {
			slot.missed(new Fill(canonical, stamp, guardAfter(canonical, read, guard), System.nanoTime()));
		}
		return null;
	}

	/**
	 * The guard of a miss: the placeholder the miss found or left, or, when it found
	 * bytes that are not ours (corrupt or foreign), the miss's own guard put in their
	 * place (so they are gone, G12).
	 * @return the guard, {@code null} when there is none (the fill goes to L1 only)
	 */
	private byte @Nullable [] guardAfter(String canonical, Read read, byte @Nullable [] guard) {
		if (!read.isCorrupt()) {
			return (read.raw() != null) ? read.raw() : guard;
		}
		byte[] replacement = (guard != null) ? guard
				: this.codec.placeholder(Envelope.Kind.GUARD, this.leases.newToken(), this.leaseMillis);
		try {
			L2Commands.Swap swap = this.l2.await(this.l2
				.call((redis) -> redis.replaceIfEquals(bytes(canonical), read.raw(), replacement, this.leaseMillis)));
			return swap.stored() ? replacement : swap.current();
		}
		catch (L2Failure ex) {
			this.errors.failed("delete corrupt value", ex);
			return null;
		}
	}

	/**
	 * Which level holds a key, counting nothing and filling nothing.
	 * @return the level, {@code null} when neither holds it (or Redis cannot be read)
	 */
	@Nullable CacheLevel locate(String canonical) {
		if (this.l1.peek(canonical) != null) {
			return CacheLevel.L1;
		}
		return (this.settings.l2().enabled() && readQuietly(canonical) != null) ? CacheLevel.L2 : null;
	}

	/**
	 * When the value Redis holds for a key was written, 0 when it holds none (or cannot
	 * be read).
	 */
	long l2WriteTime(String canonical) {
		LocalEntry entry = readQuietly(canonical);
		return (entry != null) ? entry.writtenAt() : 0;
	}

	private @Nullable LocalEntry readQuietly(String canonical) {
		try {
			return this.codec.decode(this.l2.await(this.l2.call((redis) -> redis.get(bytes(canonical))))).entry();
		}
		catch (L2Failure ex) {
			this.errors.failed("get", ex);
			return null;
		}
	}

	void afterL2Read(@Nullable Runnable hook) {
		this.afterL2Read = hook;
	}

	/**
	 * Looks a key up without blocking ({@code retrieve(key)}): L1, then Redis. A miss in
	 * both is remembered in {@code slot} (with a fill guard) when there is one, otherwise
	 * Redis is only read.
	 * @param adapt turns a store value into what the caller returns
	 * @return the adapted value, or {@code null} on a miss; {@code null} instead of a
	 * future when L1 misses, Redis is not used and there is no slot
	 */
	@Nullable CompletableFuture<@Nullable Object> retrieve(String canonical, Fill.@Nullable Slot slot,
			Function<Object, @Nullable Object> adapt) {
		LocalEntry entry = this.l1.get(canonical);
		if (entry != null) {
			return CompletableFuture.completedFuture(adapt.apply(entry.storeValue()));
		}
		if (!this.settings.l2().enabled() && slot == null) {
			return null;
		}
		return lookupAsync(canonical, slot)
			.thenApply((found) -> (found != null) ? adapt.apply(found.storeValue()) : null);
	}

	private CompletableFuture<@Nullable LocalEntry> lookupAsync(String canonical, Fill.@Nullable Slot slot) {
		long stamp = this.l1.stamp();
		if (!this.settings.l2().enabled()) {
			if (slot != null) {
				slot.missed(new Fill(canonical, stamp, null, System.nanoTime()));
			}
			return CompletableFuture.completedFuture(null);
		}
		byte[] guard = (slot != null)
				? this.codec.placeholder(Envelope.Kind.GUARD, this.leases.newToken(), this.leaseMillis) : null;
		CompletableFuture<byte @Nullable []> reading = this.l2.call((redis) -> (guard != null)
				? redis.getOrPlaceholder(bytes(canonical), guard, this.leaseMillis) : redis.get(bytes(canonical)));
		return reading.handle((bytes, ex) -> {
			if (ex != null) {
				this.errors.failed("get", ex);
				this.statistics.countL2Miss();
				if (slot != null) {
					slot.missed(new Fill(canonical, stamp, null, System.nanoTime()));
				}
				return null;
			}
			Read read = this.codec.decode(bytes);
			if (read.isValue()) {
				return hit(canonical, read.entry(), stamp);
			}
			this.statistics.countL2Miss();
			if (slot != null) {
				slot.missed(new Fill(canonical, stamp, (read.raw() != null) ? read.raw() : guard, System.nanoTime()));
			}
			return null;
		});
	}

	/**
	 * Reads many keys from Redis in one {@code MGET} and puts every value found into L1
	 * (guarded by the invalidation stamp taken before the read, like any fill).
	 * @param canonicals the keys
	 * @return the keys Redis did not hold a value for (absent, a lease or guard, or
	 * undecodable); every key when Redis failed
	 */
	CompletableFuture<List<String>> readIntoL1(List<String> canonicals) {
		if (!this.settings.l2().enabled() || canonicals.isEmpty()) {
			return CompletableFuture.completedFuture(canonicals);
		}
		long stamp = this.l1.stamp();
		List<byte[]> keys = canonicals.stream().map(LoadPath::bytes).toList();
		return this.l2.callBulk((redis) -> redis.getAll(keys)).handle((values, ex) -> {
			if (ex != null) {
				this.errors.failed("mget", ex);
				canonicals.forEach((canonical) -> this.statistics.countL2Miss());
				return canonicals;
			}
			List<String> missing = new ArrayList<>();
			for (int i = 0; i < canonicals.size(); i++) {
				Read read = this.codec.decode(values.get(i));
				if (read.isValue()) {
					hit(canonicals.get(i), read.entry(), stamp);
				}
				else {
					this.statistics.countL2Miss();
					missing.add(canonicals.get(i));
				}
			}
			return missing;
		});
	}

	private LocalEntry hit(String canonical, LocalEntry entry, long stamp) {
		this.statistics.countL2Hit();
		this.l1.fill(canonical, entry, stamp);
		return entry;
	}

	/**
	 * Stores what the application loaded after a remembered miss: in Redis only if the
	 * key still holds the miss's guard, in L1 only if no invalidation arrived since the
	 * miss. Inside a transaction of a transaction-aware manager, after the commit.
	 * Publishes nothing and never calls a writer. The time from the miss to this call
	 * (the cached method's run) is counted as a load time.
	 */
	void fill(Fill fill, Object storeValue) {
		this.statistics.countFillTime(System.nanoTime() - fill.missedAtNanos());
		if (this.transactions.deferring()) {
			Transactions.afterCommit(() -> storeFill(fill, storeValue));
			return;
		}
		storeFill(fill, storeValue);
	}

	private void storeFill(Fill fill, Object storeValue) {
		Encoded encoded = this.codec.encode(storeValue, 0);
		// nobody waits for a fill: the caller has its value, and L1 takes it
		// (stamp-guarded) once Redis did
		this.store.storeAsync(fill.canonical(), encoded, fill.guard(), fill.stamp())
			.whenComplete((outcome, ex) -> this.statistics.countFill(outcome != null && outcome.inRedis()));
	}

	// ---- get(key, loader): single-flight, lease, wait for the holder ----

	/**
	 * Loads a key that L1 does not hold.
	 * @return the store value
	 * @throws ValueRetrievalException when the loader threw
	 */
	@Nullable Object load(Object key, String canonical, Callable<?> loader) {
		if (!this.settings.stampede().local()) {
			return loadThrough(key, canonical, loader);
		}
		return this.singleFlight.execute(canonical, this.l1.stamp(),
				(started) -> this.l1.invalidatedSince(canonical, started), () -> loadThrough(key, canonical, loader));
	}

	private @Nullable Object loadThrough(Object key, String canonical, Callable<?> loader) {
		LocalEntry done = this.l1.peek(canonical);
		if (done != null) {
			// a load that finished just before this one joined
			return done.storeValue();
		}
		long stamp = this.l1.stamp();
		if (!this.settings.l2().enabled()) {
			return loadAndStore(key, canonical, loader, null, stamp);
		}
		byte[] redisKey = bytes(canonical);
		long deadline = this.leaseWait.deadline();
		boolean missCounted = false;
		while (true) {
			byte[] lease = this.codec.placeholder(Envelope.Kind.LEASE, this.leases.newToken(), this.leaseMillis);
			Read read;
			try {
				read = this.codec.decode(this.l2
					.await(this.l2.call((redis) -> redis.getOrPlaceholder(redisKey, lease, this.leaseMillis))));
			}
			catch (L2Failure ex) {
				this.errors.failed("get", ex);
				return loadAndStore(key, canonical, loader, null, stamp);
			}
			if (read.isValue()) {
				return hit(canonical, read.entry(), stamp).storeValue();
			}
			if (!missCounted) {
				this.statistics.countL2Miss();
				missCounted = true;
			}
			if (read.raw() == null) {
				this.statistics.countLockAcquired();
				return loadUnderLease(key, canonical, loader, redisKey, lease, stamp);
			}
			if (read.isCorrupt()) {
				byte[] guard = guardAfter(canonical, read, lease);
				if (guard == lease) {
					this.statistics.countLockAcquired();
					return loadUnderLease(key, canonical, loader, redisKey, lease, stamp);
				}
				return loadAndStore(key, canonical, loader, guard, stamp);
			}
			if (!this.leaseWait.waitsFor(read, deadline)) {
				// a fill guard, or no waiting: load now, guarded by what the key holds
				return loadAndStore(key, canonical, loader, read.raw(), stamp);
			}
			Read awaited = this.leaseWait.awaitHolder(canonical, redisKey, read.raw(), deadline);
			if (awaited == null) {
				return loadAndStore(key, canonical, loader, read.raw(), stamp);
			}
			if (awaited.isValue()) {
				return hit(canonical, awaited.entry(), stamp).storeValue();
			}
			// the lease ended without a value (the holder failed, or an evict): try to
			// take the key ourselves
		}
	}

	private @Nullable Object loadUnderLease(Object key, String canonical, Callable<?> loader, byte[] redisKey,
			byte[] lease, long stamp) {
		AutoCloseable renewal = this.leases.keepAlive(this.l2, redisKey, lease, this.settings.stampede().lockLease());
		GuardedStore.Outcome outcome = GuardedStore.Outcome.LOCAL;
		try {
			LoaderCall.Loaded loaded = this.loaderCall.call(key, loader);
			if (loaded == null) {
				return null;
			}
			outcome = this.store.store(canonical, this.codec.encode(loaded.storeValue(), loaded.millis()), lease,
					stamp);
			if (!outcome.inRedis()) {
				this.statistics.countLeaseLost();
			}
			return loaded.storeValue();
		}
		finally {
			closeQuietly(renewal);
			if (outcome == GuardedStore.Outcome.LOCAL) {
				// a failed load, a refused null, or a store Redis did not answer: let
				// waiters take the key at once (a lost lease is gone already)
				release(redisKey, lease);
			}
		}
	}

	private void release(byte[] redisKey, byte[] lease) {
		try {
			this.l2.await(this.l2.call((redis) -> redis.deleteIfEquals(redisKey, lease)));
		}
		catch (L2Failure ex) {
			// it expires by itself
			this.errors.failed("release lease", ex);
		}
	}

	private @Nullable Object loadAndStore(Object key, String canonical, Callable<?> loader, byte @Nullable [] guard,
			long stamp) {
		LoaderCall.Loaded loaded = this.loaderCall.call(key, loader);
		if (loaded == null) {
			return null;
		}
		this.store.store(canonical, this.codec.encode(loaded.storeValue(), loaded.millis()), guard, stamp);
		return loaded.storeValue();
	}

	static byte[] bytes(String canonical) {
		return canonical.getBytes(StandardCharsets.UTF_8);
	}

	static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// renewal handles do not fail
		}
	}

}
