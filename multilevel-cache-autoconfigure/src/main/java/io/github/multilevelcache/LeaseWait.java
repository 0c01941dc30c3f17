package io.github.multilevelcache;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.github.multilevelcache.ValueCodec.Read;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.PessimisticLockingFailureException;

/**
 * Waiting for another instance's distributed lease on a key
 * ({@code stampede.distributed}), for one cache. It only reads Redis: it never takes,
 * renews, releases or replaces a lease and never stores a value.
 * <ul>
 * <li>A load waits only for a lease (never for a fill guard), only when
 * {@code stampede.distributed} is on, and only until its deadline, which is
 * {@code stampede.wait-timeout} after the load began, however many leases it waits
 * for.</li>
 * <li>While waiting it polls the key on a schedule taken from this cache's recent load
 * time on this instance ({@code L}, 1 ms before the first load): the first poll after
 * {@code L/2} (the holder is, on average, half-way through its load), then every
 * {@code L/4} until the wait is {@code 1.5 L} long, then after half the time waited
 * beyond {@code L} (each poll at most 1.5&times; the time of the previous one); every
 * pause is between 250 &micro;s and 100 ms, and none sleeps past the deadline. After the
 * first poll, a wait sees the holder's store at most {@code L/4} or a third of the wait
 * late, whichever is longer, for a number of polls logarithmic in the wait.</li>
 * <li>It returns as soon as the key no longer holds the same lease bytes: what replaced
 * them (a value, another placeholder, or nothing), or {@code null} when the deadline
 * passed or Redis failed first (the failure is logged and counted).</li>
 * <li>Every wait that returns is counted with its duration and whether it timed out.</li>
 * <li>An interrupt ends the wait with a {@link PessimisticLockingFailureException}, the
 * thread's interrupt status kept.</li>
 * </ul>
 */
final class LeaseWait {

	private static final long UNKNOWN_LOAD_NANOS = 1_000_000L;

	private static final long MIN_POLL_NANOS = 250_000L;

	private static final long MAX_POLL_NANOS = 100_000_000L;

	private final CacheSettings.Stampede settings;

	private final RedisLevel l2;

	private final ValueCodec codec;

	private final CacheStatistics statistics;

	private final ErrorLog errors;

	/**
	 * Creates the lease waiting of one cache.
	 * @param settings the cache's stampede settings (whether to wait, and how long)
	 * @param l2 the Redis level it polls
	 * @param codec decodes what replaced the lease
	 * @param statistics where waits are counted
	 * @param errors where failed polls are logged
	 */
	LeaseWait(CacheSettings.Stampede settings, RedisLevel l2, ValueCodec codec, CacheStatistics statistics,
			ErrorLog errors) {
		this.settings = settings;
		this.l2 = l2;
		this.codec = codec;
		this.statistics = statistics;
		this.errors = errors;
	}

	/**
	 * The deadline of the waits of a load that begins now.
	 * @return a {@link System#nanoTime()} value
	 */
	long deadline() {
		return System.nanoTime() + this.settings.waitTimeout().toNanos();
	}

	/**
	 * Whether a load that found {@code read} in the key waits for its holder: it is
	 * another instance's lease, waiting across instances is on, and the deadline has not
	 * passed.
	 */
	boolean waitsFor(Read read, long deadline) {
		return read.isLease() && this.settings.distributed() && System.nanoTime() < deadline;
	}

	/**
	 * Polls the key while the same lease holds it, and counts the wait.
	 * @param canonical the canonical key, for the interrupt's message
	 * @param redisKey the key in Redis
	 * @param lease the lease bytes the key held
	 * @param deadline from {@link #deadline()}
	 * @return what replaced the lease, or {@code null} when the deadline passed (or Redis
	 * failed) first
	 * @throws PessimisticLockingFailureException when the thread is interrupted
	 */
	@Nullable Read awaitHolder(String canonical, byte[] redisKey, byte[] lease, long deadline) {
		long waitStart = System.nanoTime();
		Read awaited = poll(canonical, redisKey, lease, deadline, waitStart);
		this.statistics.countLockWait(System.nanoTime() - waitStart, awaited == null);
		return awaited;
	}

	private @Nullable Read poll(String canonical, byte[] redisKey, byte[] lease, long deadline, long start) {
		long first = firstPause(this.statistics.recentLoadNanos());
		long pause = first;
		while (true) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				return null;
			}
			LockSupport.parkNanos(Math.min(pause, remaining));
			if (Thread.interrupted()) {
				Thread.currentThread().interrupt();
				throw new PessimisticLockingFailureException(
						"Interrupted while waiting for the lease holder of '" + canonical + "'");
			}
			byte[] bytes;
			try {
				bytes = this.l2.await(this.l2.call((redis) -> redis.get(redisKey)));
			}
			catch (L2Failure ex) {
				this.errors.failed("get", ex);
				return null;
			}
			if (bytes == null || !Arrays.equals(bytes, lease)) {
				return this.codec.decode(bytes);
			}
			pause = nextPause(first, System.nanoTime() - start);
		}
	}

	/**
	 * The pause before a wait's first poll.
	 * @param loadNanos the cache's recent load time, {@code -1} when unknown
	 * @return half of it, between the shortest and the longest pause
	 */
	static long firstPause(long loadNanos) {
		long load = (loadNanos < 0) ? UNKNOWN_LOAD_NANOS : loadNanos;
		return clamp(load / 2);
	}

	/**
	 * The pause before a wait's next poll.
	 * @param firstPause from {@link #firstPause}, half the recent load time {@code L}
	 * @param waitedNanos the time since the wait began
	 * @return {@code L/4} or half the time waited beyond {@code L}, whichever is longer,
	 * between the shortest and the longest pause
	 */
	static long nextPause(long firstPause, long waitedNanos) {
		return clamp(Math.max(firstPause / 2, (waitedNanos - 2 * firstPause) / 2));
	}

	private static long clamp(long pause) {
		return Math.max(MIN_POLL_NANOS, Math.min(MAX_POLL_NANOS, pause));
	}

	/**
	 * {@link #awaitHolder} without parking a thread ({@code retrieve(key, loader)}): each
	 * poll is scheduled on the JDK's delayed executor and reads Redis asynchronously,
	 * with the same backoff and deadline. Not counted here: the caller counts the wait.
	 * @return what replaced the lease, or {@code null} when the deadline passed or Redis
	 * failed first
	 */
	CompletableFuture<@Nullable Read> awaitHolderAsync(byte[] redisKey, byte[] lease, long deadline) {
		long first = firstPause(this.statistics.recentLoadNanos());
		return pollAsync(redisKey, lease, deadline, System.nanoTime(), first, first);
	}

	private CompletableFuture<@Nullable Read> pollAsync(byte[] redisKey, byte[] lease, long deadline, long start,
			long first, long pause) {
		long remaining = deadline - System.nanoTime();
		if (remaining <= 0) {
			return CompletableFuture.completedFuture(null);
		}
		Executor later = CompletableFuture.delayedExecutor(Math.min(pause, remaining), TimeUnit.NANOSECONDS);
		return CompletableFuture.supplyAsync(() -> redisKey, later)
			.thenCompose((key) -> this.l2.call((redis) -> redis.get(key)))
			.handle((bytes, ex) -> {
				if (ex != null) {
					this.errors.failed("get", ex);
					return CompletableFuture.<@Nullable Read>completedFuture(null);
				}
				if (bytes == null || !Arrays.equals(bytes, lease)) {
					return CompletableFuture.<@Nullable Read>completedFuture(this.codec.decode(bytes));
				}
				return pollAsync(redisKey, lease, deadline, start, first, nextPause(first, System.nanoTime() - start));
			})
			.thenCompose((next) -> next);
	}

}
