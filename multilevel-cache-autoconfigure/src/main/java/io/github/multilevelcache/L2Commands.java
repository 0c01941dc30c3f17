package io.github.multilevelcache;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.github.multilevelcache.invalidation.InvalidationPublisher.Message;
import org.jspecify.annotations.Nullable;

/**
 * Every Redis operation of the cache, each written once, asynchronous and in one round
 * trip: {@code byte[]} keys and values, TTLs in milliseconds ({@code 0} for none). An
 * operation that also tells other instances about the change carries the invalidation
 * {@link Message}, which Redis publishes after it applied the write (pipelined on the
 * same connection, or inside the write's script on a cluster), so a peer that drops the
 * key and re-reads it sees the new state. Nothing here times out, retries or counts:
 * {@link RedisLevel} does, for every operation.
 * <p>
 * Implemented over Boot's Lettuce connection ({@link LettuceL2Commands}) and, for unit
 * tests, in memory; the same contract tests run against both.
 */
interface L2Commands {

	/** {@code GET}: the bytes, or {@code null}. */
	CompletableFuture<byte @Nullable []> get(byte[] key);

	/**
	 * {@code MGET}: the bytes of each key in order, {@code null} for an absent one (on a
	 * cluster the client splits it per slot).
	 */
	CompletableFuture<List<byte @Nullable []>> getAll(List<byte[]> keys);

	/**
	 * Returns what the key holds, or, when it is absent, stores {@code placeholder} (a
	 * lease or fill guard) for {@code ttlMillis} and returns {@code null}.
	 */
	CompletableFuture<byte @Nullable []> getOrPlaceholder(byte[] key, byte[] placeholder, long ttlMillis);

	/**
	 * Stores {@code value} only if the key holds exactly {@code expected}; otherwise
	 * reports what it holds.
	 */
	CompletableFuture<Swap> replaceIfEquals(byte[] key, byte[] expected, byte[] value, long ttlMillis);

	/** Stores {@code value} only if what the key holds starts with {@code prefix}. */
	CompletableFuture<Boolean> replaceIfPrefix(byte[] key, byte[] prefix, byte[] value, long ttlMillis);

	/** {@code SET}, then the message when there is one. */
	CompletableFuture<Void> set(byte[] key, byte[] value, long ttlMillis, @Nullable Message message);

	/** {@code DEL}, then the message when there is one; the number of keys removed. */
	CompletableFuture<Long> delete(byte[] key, @Nullable Message message);

	/**
	 * Stores {@code value} unless the key holds a value (a lease or fill guard does not
	 * count); returns what was there, {@code null} when stored.
	 */
	CompletableFuture<byte @Nullable []> setIfAbsent(byte[] key, byte[] value, long ttlMillis);

	/** Deletes the key only if it holds exactly {@code expected}. */
	CompletableFuture<Boolean> deleteIfEquals(byte[] key, byte[] expected);

	/** Sets the key's expiry only if it holds exactly {@code expected}. */
	CompletableFuture<Boolean> expireIfEquals(byte[] key, byte[] expected, long ttlMillis);

	/** {@code SET NX PX}: whether the marker was set. */
	CompletableFuture<Boolean> setMarker(byte[] key, byte[] value, long ttlMillis);

	/**
	 * Removes every key matching the {@code SCAN MATCH} pattern ({@code SCAN} and batched
	 * {@code UNLINK}, never {@code KEYS}), then publishes the message when there is one;
	 * the number of keys removed.
	 */
	CompletableFuture<Long> clear(String pattern, @Nullable Message message);

	/**
	 * Adds a member to a tag's set, which then lives at least {@code ttlMillis}
	 * ({@code 0}: without expiry); its expiry is never shortened.
	 */
	CompletableFuture<Long> addTagMember(byte[] setKey, byte[] member, long ttlMillis);

	/**
	 * Moves a tag set's members into its eviction set at once and returns the eviction
	 * set's members.
	 */
	CompletableFuture<List<byte[]>> takeMembers(byte[] setKey, byte[] evictionSetKey);

	/** {@code SREM}: the number removed. */
	CompletableFuture<Long> removeMembers(byte[] setKey, List<byte[]> members);

	/** {@code INCR}: the new value. */
	CompletableFuture<Long> increment(byte[] key);

	/** {@code PUBLISH}. */
	CompletableFuture<Long> publish(Message message);

	/**
	 * Prepares for the first operations: connects, and loads the scripts so that the
	 * first calls do not pay for a {@code NOSCRIPT} round trip. Best effort: completes
	 * normally whatever happens.
	 */
	default CompletableFuture<Void> warmUp() {
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * The outcome of a compare-and-set.
	 *
	 * @param stored whether the new value was stored
	 * @param current what the key held instead when it was not, {@code null} when absent
	 */
	record Swap(boolean stored, byte @Nullable [] current) {

		static final Swap STORED = new Swap(true, null);

	}

}
