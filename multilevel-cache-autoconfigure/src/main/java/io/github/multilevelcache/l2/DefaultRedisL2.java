package io.github.multilevelcache.l2;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.types.Expiration;
import org.springframework.util.ClassUtils;

/**
 * {@link RedisL2} over a {@link RedisConnectionFactory}. With Lettuce (the default) every call borrows the
 * factory's shared native connection, so a call is one command and one round trip.
 */
final class DefaultRedisL2 implements RedisL2 {

	/**
	 * Stores ARGV[1] unless KEYS[1] holds a value that is not a lease; returns what was there or nil. A lease is
	 * recognised by the envelope header (magic, version, kind 2).
	 */
	static final byte[] SET_IF_ABSENT = script("""
			local v = redis.call('GET', KEYS[1])
			if v and not (string.len(v) >= 24 and string.byte(v, 1) == 202 and string.byte(v, 2) == 199 and string.byte(v, 4) == 2) then
			  return v
			end
			""" + setWithTtl(1, 2) + """
			return false
			""");

	static final byte[] DELETE_IF_EQUALS = """
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('DEL', KEYS[1])
			end
			return 0
			""".getBytes(java.nio.charset.StandardCharsets.UTF_8);

	static final byte[] RENEW_LEASE = """
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
			end
			return 0
			""".getBytes(java.nio.charset.StandardCharsets.UTF_8);

	static final byte[] REPLACE_IF_EQUALS = script("""
			if redis.call('GET', KEYS[1]) ~= ARGV[1] then
			  return 0
			end
			""" + setWithTtl(2, 3) + """
			return 1
			""");

	static final byte[] REPLACE_IF_STARTS_WITH = script("""
			local v = redis.call('GET', KEYS[1])
			if not v or string.sub(v, 1, string.len(ARGV[1])) ~= ARGV[1] then
			  return 0
			end
			""" + setWithTtl(2, 3) + """
			return 1
			""");

	private static final int CLEAR_BATCH = 500;

	/**
	 * Lua that stores {@code ARGV[value]} in {@code KEYS[1]} with a PX of {@code ARGV[ttl]} milliseconds, or
	 * without expiry when that is 0.
	 */
	private static String setWithTtl(int value, int ttl) {
		return "if tonumber(ARGV[" + ttl + "]) > 0 then\n  redis.call('SET', KEYS[1], ARGV[" + value + "], 'PX', ARGV["
				+ ttl + "])\nelse\n  redis.call('SET', KEYS[1], ARGV[" + value + "])\nend\n";
	}

	private static byte[] script(String lua) {
		return lua.getBytes(java.nio.charset.StandardCharsets.UTF_8);
	}

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			DefaultRedisL2.class.getClassLoader());

	private final RedisConnectionFactory connectionFactory;

	DefaultRedisL2(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	@Override
	public byte @Nullable [] get(byte[] key) {
		return execute((connection) -> connection.stringCommands().get(key));
	}

	@Override
	public CompletableFuture<byte @Nullable []> getAsync(byte[] key) {
		if (isReactive()) {
			return Reactive.get((ReactiveRedisConnectionFactory) this.connectionFactory, key);
		}
		return CompletableFuture.supplyAsync(() -> get(key));
	}

	@Override
	public void set(byte[] key, byte[] value, @Nullable Duration ttl) {
		execute((connection) -> connection.stringCommands().set(key, value, expiration(ttl), SetOption.upsert()));
	}

	@Override
	public CompletableFuture<Void> setAsync(byte[] key, byte[] value, @Nullable Duration ttl) {
		if (isReactive()) {
			return Reactive.set((ReactiveRedisConnectionFactory) this.connectionFactory, key, value, expiration(ttl));
		}
		return CompletableFuture.runAsync(() -> set(key, value, ttl));
	}

	@Override
	public byte @Nullable [] setIfAbsent(byte[] key, byte[] value, @Nullable Duration ttl) {
		return execute((connection) -> connection.scriptingCommands()
			.eval(SET_IF_ABSENT, ReturnType.VALUE, 1, key, value, millis(ttl)));
	}

	@Override
	public boolean delete(byte[] key) {
		Long removed = execute((connection) -> connection.keyCommands().del(key));
		return removed != null && removed > 0;
	}

	@Override
	public boolean deleteIfEquals(byte[] key, byte[] expected) {
		Long removed = execute((connection) -> connection.scriptingCommands()
			.eval(DELETE_IF_EQUALS, ReturnType.INTEGER, 1, key, expected));
		return removed != null && removed > 0;
	}

	@Override
	public boolean acquireLease(byte[] key, byte[] lease, Duration leaseTime) {
		Boolean set = execute((connection) -> connection.stringCommands()
			.set(key, lease, Expiration.from(leaseTime), SetOption.ifAbsent()));
		return Boolean.TRUE.equals(set);
	}

	@Override
	public boolean renewLease(byte[] key, byte[] lease, Duration leaseTime) {
		Long renewed = execute((connection) -> connection.scriptingCommands()
			.eval(RENEW_LEASE, ReturnType.INTEGER, 1, key, lease, millis(leaseTime)));
		return renewed != null && renewed > 0;
	}

	@Override
	public boolean replaceIfEquals(byte[] key, byte[] expected, byte[] value, @Nullable Duration ttl) {
		Long stored = execute((connection) -> connection.scriptingCommands()
			.eval(REPLACE_IF_EQUALS, ReturnType.INTEGER, 1, key, expected, value, millis(ttl)));
		return stored != null && stored > 0;
	}

	@Override
	public boolean replaceIfStartsWith(byte[] key, byte[] prefix, byte[] value, @Nullable Duration ttl) {
		Long stored = execute((connection) -> connection.scriptingCommands()
			.eval(REPLACE_IF_STARTS_WITH, ReturnType.INTEGER, 1, key, prefix, value, millis(ttl)));
		return stored != null && stored > 0;
	}

	@Override
	public boolean setMarkerIfAbsent(byte[] key, byte[] value, Duration ttl) {
		Boolean set = execute(
				(connection) -> connection.stringCommands().set(key, value, Expiration.from(ttl), SetOption.ifAbsent()));
		return Boolean.TRUE.equals(set);
	}

	private static byte[] millis(@Nullable Duration duration) {
		return Long.toString((duration != null) ? Math.max(1, duration.toMillis()) : 0).getBytes();
	}

	@Override
	public long clear(byte[] pattern) {
		Long removed = execute((connection) -> {
			long count = 0;
			List<byte[]> batch = new ArrayList<>(CLEAR_BATCH);
			ScanOptions options = ScanOptions.scanOptions().match(pattern).count(CLEAR_BATCH).build();
			try (Cursor<byte[]> cursor = connection.keyCommands().scan(options)) {
				while (cursor.hasNext()) {
					batch.add(cursor.next());
					if (batch.size() == CLEAR_BATCH) {
						count += unlink(connection, batch);
					}
				}
			}
			count += unlink(connection, batch);
			return count;
		});
		return (removed != null) ? removed : 0;
	}

	private static long unlink(RedisConnection connection, List<byte[]> batch) {
		if (batch.isEmpty()) {
			return 0;
		}
		Long removed = connection.keyCommands().unlink(batch.toArray(new byte[0][]));
		batch.clear();
		return (removed != null) ? removed : 0;
	}

	private boolean isReactive() {
		return REACTOR_PRESENT && this.connectionFactory instanceof ReactiveRedisConnectionFactory;
	}

	private static Expiration expiration(@Nullable Duration ttl) {
		return (ttl != null) ? Expiration.from(ttl) : Expiration.persistent();
	}

	private <T> @Nullable T execute(Function<RedisConnection, @Nullable T> action) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			return action.apply(connection);
		}
	}

	/**
	 * Keeps reactor types out of the outer class so it loads without Reactor on the class path.
	 */
	private static final class Reactive {

		static CompletableFuture<byte @Nullable []> get(ReactiveRedisConnectionFactory factory, byte[] key) {
			return Mono
				.usingWhen(Mono.fromSupplier(factory::getReactiveConnection),
						(connection) -> connection.stringCommands().get(ByteBuffer.wrap(key)),
						ReactiveRedisConnection::closeLater)
				.map(Reactive::toBytes)
				.toFuture();
		}

		static CompletableFuture<Void> set(ReactiveRedisConnectionFactory factory, byte[] key, byte[] value,
				Expiration expiration) {
			return Mono
				.usingWhen(Mono.fromSupplier(factory::getReactiveConnection),
						(connection) -> connection.stringCommands()
							.set(ByteBuffer.wrap(key), ByteBuffer.wrap(value), expiration, SetOption.upsert()),
						ReactiveRedisConnection::closeLater)
				.then()
				.toFuture();
		}

		private static byte[] toBytes(ByteBuffer buffer) {
			byte[] bytes = new byte[buffer.remaining()];
			buffer.get(bytes);
			return bytes;
		}

	}

}
