package io.github.multilevelcache;

import java.util.concurrent.CompletableFuture;

import io.github.multilevelcache.ValueCodec.Encoded;
import io.github.multilevelcache.ValueCodec.Read;
import org.jspecify.annotations.Nullable;

/**
 * The guarded store of one cache's fills and loads (G3): what a miss loaded goes to Redis
 * only over the placeholder that miss left or found, and to L1 only if no invalidation of
 * its key arrived since the reader's stamp.
 * <ul>
 * <li>With a guard, the value replaces the key in Redis only if the key still holds
 * exactly that guard, in one round trip (a compare-and-set); such a store is counted as a
 * put. An evict or a put between the read and the store therefore wins, and of several
 * concurrent fills of one key the first wins.</li>
 * <li>A store that lost the key takes into L1 what Redis holds now, if it is a value,
 * never its own.</li>
 * <li>Without a guard, with L2 disabled, or for a value that is not kept in Redis, and
 * when Redis fails (whether it took the value is then unknown, and the guard makes either
 * outcome safe), the value goes to L1 only. A Redis failure is logged and counted, never
 * thrown.</li>
 * <li>L1 is only ever filled through {@link LocalLevel#fill}, with the reader's
 * stamp.</li>
 * <li>Publishes nothing and never calls a writer.</li>
 * </ul>
 */
final class GuardedStore {

	private final CacheSettings.L2 settings;

	private final LocalLevel l1;

	private final RedisLevel l2;

	private final ValueCodec codec;

	private final CacheStatistics statistics;

	private final ErrorLog errors;

	/**
	 * Creates the guarded store of one cache.
	 * @param settings the cache's L2 settings (whether Redis is used at all)
	 * @param l1 the cache's L1
	 * @param l2 the Redis level
	 * @param codec decodes what a lost store finds in Redis
	 * @param statistics where stores are counted
	 * @param errors where Redis failures are logged
	 */
	GuardedStore(CacheSettings.L2 settings, LocalLevel l1, RedisLevel l2, ValueCodec codec, CacheStatistics statistics,
			ErrorLog errors) {
		this.settings = settings;
		this.l1 = l1;
		this.l2 = l2;
		this.codec = codec;
		this.statistics = statistics;
		this.errors = errors;
	}

	/**
	 * The guarded store of a fill or a load, waiting for it.
	 * @return where the value went
	 */
	Outcome store(String canonical, Encoded encoded, byte @Nullable [] guard, long stamp) {
		return this.l2.await(storeAsync(canonical, encoded, guard, stamp));
	}

	/**
	 * The guarded store of a fill or a load, without blocking (it may complete on Redis's
	 * I/O thread).
	 * @return where the value went
	 */
	CompletableFuture<Outcome> storeAsync(String canonical, Encoded encoded, byte @Nullable [] guard, long stamp) {
		if (guard == null || encoded.bytes() == null || !this.settings.enabled()) {
			this.l1.fill(canonical, encoded.entry(), stamp);
			return CompletableFuture.completedFuture(Outcome.LOCAL);
		}
		byte[] value = encoded.bytes();
		return this.l2
			.call((redis) -> redis.replaceIfEquals(LoadPath.bytes(canonical), guard, value, encoded.ttlMillis()))
			.handle((swap, ex) -> {
				if (ex != null) {
					// whether Redis took it is unknown, and does not matter: the guard
					// makes either outcome safe
					this.errors.failed("store", ex);
					this.l1.fill(canonical, encoded.entry(), stamp);
					return Outcome.LOCAL;
				}
				if (swap.stored()) {
					this.statistics.countPut();
					this.l1.fill(canonical, encoded.entry(), stamp);
					return Outcome.STORED;
				}
				// someone wrote, evicted or filled the key meanwhile: take what Redis
				// holds now, if it is a value
				Read current = this.codec.decode(swap.current());
				if (current.isValue()) {
					this.l1.fill(canonical, current.entry(), stamp);
				}
				return Outcome.LOST;
			});
	}

	/**
	 * Where a guarded store put the value.
	 */
	enum Outcome {

		/** In Redis, over its guard (and in L1 unless invalidated since the stamp). */
		STORED,

		/**
		 * Not in Redis: Redis answered that the key no longer holds the guard (a write,
		 * an evict or another fill took it), so there is no guard left to release.
		 */
		LOST,

		/**
		 * Not in Redis (no guard, L2 off, a value Redis may not keep, or Redis failed):
		 * in L1 only; a guard, if any, may still be in Redis.
		 */
		LOCAL;

		boolean inRedis() {
			return this == STORED;
		}

	}

}
