package io.github.multilevelcache;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.github.multilevelcache.ValueCodec.Read;
import org.jspecify.annotations.Nullable;

/**
 * {@code retrieve(key, loader)} of one cache ({@code @Cacheable(sync = true)} on a
 * {@code CompletableFuture}, {@code Mono} or {@code Flux} method): the protocol of
 * {@link LoadPath}'s {@code get(key, loader)}, without blocking a thread.
 * <ul>
 * <li>One load per key in this JVM at a time (the single flight it shares with
 * {@link LoadPath}), when {@code stampede.local} is on.</li>
 * <li>The Redis read leaves a lease when the key is absent; the lease is renewed while
 * the loader runs and released when the load fails, returns an uncached {@code null}, or
 * its store is refused.</li>
 * <li>With {@code stampede.distributed}, a key leased by another instance is polled
 * asynchronously ({@link LeaseWait#awaitHolderAsync}) until the holder's value arrives or
 * {@code stampede.wait-timeout} passes; then this instance loads, guarded by what the key
 * holds.</li>
 * <li>Values are stored through {@link GuardedStore} (only over the lease or guard they
 * were loaded under; L1 only if no invalidation arrived since the read).</li>
 * <li>Redis replies and polls continue on Lettuce's and the JDK's timer threads: no
 * caller's thread waits.</li>
 * </ul>
 */
final class RetrievePath {

	private final CacheSettings settings;

	private final LocalLevel l1;

	private final RedisLevel l2;

	private final ValueCodec codec;

	private final CacheStatistics statistics;

	private final Leases leases;

	private final ErrorLog errors;

	private final LeaseWait leaseWait;

	private final GuardedStore store;

	private final LoaderCall loaderCall;

	private final SingleFlight singleFlight;

	private final long leaseMillis;

	RetrievePath(CacheSettings settings, LocalLevel l1, RedisLevel l2, ValueCodec codec, CacheStatistics statistics,
			Leases leases, LeaseWait leaseWait, GuardedStore store, LoaderCall loaderCall, SingleFlight singleFlight,
			ErrorLog errors) {
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
		this.leaseMillis = settings.stampede().lockLease().toMillis();
	}

	/**
	 * Asynchronous variant of {@link LoadPath#load} ({@code retrieve(key, loader)}, i.e.
	 * {@code @Cacheable(sync = true)} on a {@code CompletableFuture}, {@code Mono} or
	 * {@code Flux} method): single-flight per key in this JVM, a lease that the watchdog
	 * renews while the loader runs, the same guarded store, and, with
	 * {@code stampede.distributed}, a wait for another instance's lease holder of up to
	 * {@code stampede.wait-timeout}. Nothing here blocks: Redis replies and the polls of
	 * the holder's key continue on Lettuce's and the JDK's timer threads.
	 */
	CompletableFuture<@Nullable Object> loadAsync(String canonical, Supplier<? extends CompletableFuture<?>> loader) {
		Supplier<CompletableFuture<@Nullable Object>> work = () -> {
			LocalEntry done = this.l1.peek(canonical);
			if (done != null) {
				// a load that finished just before this one joined
				return CompletableFuture.completedFuture(done.storeValue());
			}
			long stamp = this.l1.stamp();
			if (!this.settings.l2().enabled()) {
				return loadAndStoreAsync(canonical, loader, null, stamp);
			}
			long deadline = this.leaseWait.deadline();
			return attemptAsync(canonical, loader, stamp, deadline, false);
		};
		if (!this.settings.stampede().local()) {
			return work.get();
		}
		return this.singleFlight.executeAsync(canonical, this.l1.stamp(),
				(started) -> this.l1.invalidatedSince(canonical, started), work);
	}

	/**
	 * One round of {@link LoadPath}'s's loop: read the key leaving a lease, then load
	 * under it, load guarded by what the key holds, or wait for the other holder.
	 */
	private CompletableFuture<@Nullable Object> attemptAsync(String canonical,
			Supplier<? extends CompletableFuture<?>> loader, long stamp, long deadline, boolean missCounted) {
		byte[] redisKey = LoadPath.bytes(canonical);
		byte[] lease = this.codec.placeholder(Envelope.Kind.LEASE, this.leases.newToken(), this.leaseMillis);
		return this.l2.call((redis) -> redis.getOrPlaceholder(redisKey, lease, this.leaseMillis))
			.handle((bytes, ex) -> {
				if (ex != null) {
					this.errors.failed("get", ex);
					if (!missCounted) {
						this.statistics.countL2Miss();
					}
					return loadAndStoreAsync(canonical, loader, null, stamp);
				}
				Read read = this.codec.decode(bytes);
				if (read.isValue()) {
					return CompletableFuture.completedFuture(hit(canonical, read.entry(), stamp).storeValue());
				}
				if (!missCounted) {
					this.statistics.countL2Miss();
				}
				if (read.raw() == null) {
					this.statistics.countLockAcquired();
					return loadUnderLeaseAsync(canonical, loader, redisKey, lease, stamp);
				}
				if (read.isCorrupt() || !read.isLease() || !this.settings.stampede().distributed()
						|| System.nanoTime() >= deadline) {
					// a fill guard, bytes that are not ours, or no waiting: load now,
					// guarded by what the key holds (the store replaces it)
					return loadAndStoreAsync(canonical, loader, read.raw(), stamp);
				}
				long waitStart = System.nanoTime();
				return this.leaseWait.awaitHolderAsync(redisKey, read.raw(), deadline).thenCompose((awaited) -> {
					boolean timedOut = awaited == null;
					this.statistics.countLockWait(System.nanoTime() - waitStart, timedOut);
					if (timedOut) {
						return loadAndStoreAsync(canonical, loader, read.raw(), stamp);
					}
					if (awaited.isValue()) {
						return CompletableFuture.completedFuture(hit(canonical, awaited.entry(), stamp).storeValue());
					}
					// the lease ended without a value: try to take the key ourselves
					return attemptAsync(canonical, loader, stamp, deadline, true);
				});
			})
			.thenCompose((next) -> next);
	}

	private CompletableFuture<@Nullable Object> loadUnderLeaseAsync(String canonical,
			Supplier<? extends CompletableFuture<?>> loader, byte[] redisKey, byte[] lease, long stamp) {
		AutoCloseable renewal = this.leases.keepAlive(this.l2, redisKey, lease, this.settings.stampede().lockLease());
		GuardedStore.Outcome[] outcome = { GuardedStore.Outcome.LOCAL };
		return this.loaderCall.callAsync(loader).thenCompose((loaded) -> {
			if (loaded == null) {
				return CompletableFuture.completedFuture((Object) null);
			}
			return this.store
				.storeAsync(canonical, this.codec.encode(loaded.storeValue(), loaded.millis()), lease, stamp)
				.thenApply((stored) -> {
					outcome[0] = stored;
					if (!stored.inRedis()) {
						this.statistics.countLeaseLost();
					}
					return loaded.storeValue();
				});
		}).whenComplete((value, ex) -> {
			LoadPath.closeQuietly(renewal);
			if (outcome[0] == GuardedStore.Outcome.LOCAL) {
				// a failed load, a refused null, or a store Redis did not answer: let
				// waiters take the key at once (a lost lease is gone already)
				this.l2.call((redis) -> redis.deleteIfEquals(redisKey, lease)).whenComplete((deleted, failure) -> {
					if (failure != null) {
						// it expires by itself
						this.errors.failed("release lease", failure);
					}
				});
			}
		});
	}

	private CompletableFuture<@Nullable Object> loadAndStoreAsync(String canonical,
			Supplier<? extends CompletableFuture<?>> loader, byte @Nullable [] guard, long stamp) {
		return this.loaderCall.callAsync(loader).thenCompose((loaded) -> {
			if (loaded == null) {
				return CompletableFuture.completedFuture(null);
			}
			return this.store
				.storeAsync(canonical, this.codec.encode(loaded.storeValue(), loaded.millis()), guard, stamp)
				.thenApply((outcome) -> loaded.storeValue());
		});
	}

	private LocalEntry hit(String canonical, LocalEntry entry, long stamp) {
		this.statistics.countL2Hit();
		this.l1.fill(canonical, entry, stamp);
		return entry;
	}

}
