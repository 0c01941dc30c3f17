package io.github.multilevelcache.l2;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Raw access to the Redis level: {@code byte[]} keys and values, one round trip per operation. In the mould
 * of Spring Data Redis's {@code RedisCacheWriter}; the {@link io.github.multilevelcache.MultiLevelCache}
 * above it converts keys and (de)serializes values. Implementations are thread-safe.
 */
public interface RedisL2 {

	/**
	 * Creates the default implementation over Boot's connection factory.
	 * @param connectionFactory the application's connection factory
	 * @return a new instance
	 */
	static RedisL2 create(RedisConnectionFactory connectionFactory) {
		return new DefaultRedisL2(connectionFactory);
	}

	/**
	 * {@code GET key}.
	 * @param key the full key
	 * @return the stored bytes or {@code null}
	 */
	byte @Nullable [] get(byte[] key);

	/**
	 * {@code GET key} without blocking the calling thread (reactive connection when the factory offers one).
	 * @param key the full key
	 * @return the stored bytes, or a future of {@code null}
	 */
	CompletableFuture<byte @Nullable []> getAsync(byte[] key);

	/**
	 * {@code SET key value [PX ttl]}.
	 * @param key the full key
	 * @param value the bytes to store
	 * @param ttl time to live, {@code null} for none
	 */
	void set(byte[] key, byte[] value, @Nullable Duration ttl);

	/**
	 * Like {@link #set} without blocking the calling thread.
	 * @param key the full key
	 * @param value the bytes to store
	 * @param ttl time to live, {@code null} for none
	 * @return a future completed once Redis acknowledged the write
	 */
	CompletableFuture<Void> setAsync(byte[] key, byte[] value, @Nullable Duration ttl);

	/**
	 * Atomically stores the value unless a value is present (a lease does not count as a value and is
	 * replaced), in one round trip.
	 * @param key the full key
	 * @param value the bytes to store
	 * @param ttl time to live, {@code null} for none
	 * @return the bytes already present, or {@code null} when the value was stored
	 */
	byte @Nullable [] setIfAbsent(byte[] key, byte[] value, @Nullable Duration ttl);

	/**
	 * {@code DEL key} (which also ends a lease on the key).
	 * @param key the full key
	 * @return whether a key was removed
	 */
	boolean delete(byte[] key);

	/**
	 * Deletes the key only if it still holds exactly {@code expected} (compare-and-delete, one script), so
	 * that removing a corrupt value never removes a newer good one.
	 * @param key the full key
	 * @param expected the bytes that were read
	 * @return whether the key was removed
	 */
	boolean deleteIfEquals(byte[] key, byte[] expected);

	/**
	 * Removes every key matching a glob pattern with {@code SCAN} and batched {@code UNLINK}, never
	 * {@code KEYS}.
	 * @param pattern the {@code SCAN MATCH} pattern
	 * @return how many keys were removed
	 */
	long clear(byte[] pattern);

}
