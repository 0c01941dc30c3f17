package io.github.multilevelcache.l2;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.ClassUtils;

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
	 * Creates an implementation in which every operation waits at most {@code timeout} for Redis
	 * (independently of the connection's own command timeout) when the factory is reactive, as Lettuce's is;
	 * otherwise the blocking default, bounded by the connection's timeout.
	 * @param connectionFactory the application's connection factory
	 * @param timeout the per-operation timeout
	 * @return a new instance
	 */
	static RedisL2 create(RedisConnectionFactory connectionFactory, Duration timeout) {
		if (ClassUtils.isPresent("reactor.core.publisher.Mono", RedisL2.class.getClassLoader())
				&& connectionFactory instanceof ReactiveRedisConnectionFactory reactive) {
			return new ReactiveRedisL2(reactive, timeout);
		}
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
	 * Takes a lease on a missing key: {@code SET key lease NX PX leaseTime}.
	 * @param key the full key
	 * @param lease the encoded lease envelope (kept by the holder to prove ownership)
	 * @param leaseTime how long the lease lasts unless renewed
	 * @return whether the lease was taken
	 */
	boolean acquireLease(byte[] key, byte[] lease, Duration leaseTime);

	/**
	 * Extends a lease only if the key still holds exactly {@code lease} (compare-and-pexpire, one script).
	 * @param key the full key
	 * @param lease the holder's lease bytes
	 * @param leaseTime the new remaining time
	 * @return whether the lease was still held
	 */
	boolean renewLease(byte[] key, byte[] lease, Duration leaseTime);

	/**
	 * Replaces the key's value only if it still holds exactly {@code expected} (compare-and-set, one
	 * script): stores a loaded value only while its lease is held, so a loader whose lease was ended by an
	 * evict or a put cannot store a stale value.
	 * @param key the full key
	 * @param expected the bytes the key must hold (the lease)
	 * @param value the new bytes
	 * @param ttl time to live of the new value, {@code null} for none
	 * @return whether the value was stored
	 */
	boolean replaceIfEquals(byte[] key, byte[] expected, byte[] value, @Nullable Duration ttl);

	/**
	 * Replaces the key's value only if the first {@code prefix.length} bytes of what it holds equal
	 * {@code prefix} (the envelope header identifying one write), so a refresh never overwrites a newer write
	 * or resurrects an evicted key.
	 * @param key the full key
	 * @param prefix the expected leading bytes
	 * @param value the new bytes
	 * @param ttl time to live of the new value, {@code null} for none
	 * @return whether the value was stored
	 */
	boolean replaceIfStartsWith(byte[] key, byte[] prefix, byte[] value, @Nullable Duration ttl);

	/**
	 * {@code SET key value NX PX ttl} for a small marker key (such as a refresh lock).
	 * @param key the full key
	 * @param value the marker
	 * @param ttl its time to live
	 * @return whether it was set
	 */
	boolean setMarkerIfAbsent(byte[] key, byte[] value, Duration ttl);

	/**
	 * Removes every key matching a glob pattern with {@code SCAN} and batched {@code UNLINK}, never
	 * {@code KEYS}.
	 * @param pattern the {@code SCAN MATCH} pattern
	 * @return how many keys were removed
	 */
	long clear(byte[] pattern);

}
