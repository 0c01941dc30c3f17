package io.github.multilevelcache.l2;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.types.Expiration;

/**
 * {@link RedisL2} over the reactive side of Boot's (Lettuce) connection factory, so that every operation has
 * its own timeout, independent of {@code spring.data.redis.timeout}: the caller waits at most that long and
 * no thread stays blocked behind a stalled or unreachable Redis. Commands still go over the factory's shared
 * connection, one round trip each.
 */
final class ReactiveRedisL2 implements RedisL2 {

	private static final int CLEAR_BATCH = 500;

	private final ReactiveRedisConnectionFactory connectionFactory;

	private final Duration timeout;

	ReactiveRedisL2(ReactiveRedisConnectionFactory connectionFactory, Duration timeout) {
		this.connectionFactory = connectionFactory;
		this.timeout = timeout;
	}

	@Override
	public byte @Nullable [] get(byte[] key) {
		return block(mono((connection) -> connection.stringCommands().get(ByteBuffer.wrap(key)))
			.map(ReactiveRedisL2::toBytes), this.timeout);
	}

	@Override
	public CompletableFuture<byte @Nullable []> getAsync(byte[] key) {
		return mono((connection) -> connection.stringCommands().get(ByteBuffer.wrap(key)))
			.map(ReactiveRedisL2::toBytes)
			.timeout(this.timeout)
			.toFuture();
	}

	@Override
	public void set(byte[] key, byte[] value, @Nullable Duration ttl) {
		block(setMono(key, value, ttl), this.timeout);
	}

	@Override
	public CompletableFuture<Void> setAsync(byte[] key, byte[] value, @Nullable Duration ttl) {
		return setMono(key, value, ttl).timeout(this.timeout).then().toFuture();
	}

	private Mono<Boolean> setMono(byte[] key, byte[] value, @Nullable Duration ttl) {
		Expiration expiration = (ttl != null) ? Expiration.from(ttl) : Expiration.persistent();
		return mono((connection) -> connection.stringCommands()
			.set(ByteBuffer.wrap(key), ByteBuffer.wrap(value), expiration, SetOption.upsert()));
	}

	@Override
	public byte @Nullable [] setIfAbsent(byte[] key, byte[] value, @Nullable Duration ttl) {
		Mono<ByteBuffer> result = eval(DefaultRedisL2.SET_IF_ABSENT, ReturnType.VALUE, key, value, millis(ttl));
		return block(result.map(ReactiveRedisL2::toBytes), this.timeout);
	}

	@Override
	public boolean delete(byte[] key) {
		Long removed = block(mono((connection) -> connection.keyCommands().del(ByteBuffer.wrap(key))), this.timeout);
		return removed != null && removed > 0;
	}

	@Override
	public boolean deleteIfEquals(byte[] key, byte[] expected) {
		return isPositive(eval(DefaultRedisL2.DELETE_IF_EQUALS, ReturnType.INTEGER, key, expected));
	}

	@Override
	public boolean acquireLease(byte[] key, byte[] lease, Duration leaseTime) {
		Boolean set = block(mono((connection) -> connection.stringCommands()
			.set(ByteBuffer.wrap(key), ByteBuffer.wrap(lease), Expiration.from(leaseTime), SetOption.ifAbsent())),
				this.timeout);
		return Boolean.TRUE.equals(set);
	}

	@Override
	public boolean renewLease(byte[] key, byte[] lease, Duration leaseTime) {
		return isPositive(eval(DefaultRedisL2.RENEW_LEASE, ReturnType.INTEGER, key, lease, millis(leaseTime)));
	}

	@Override
	public boolean replaceIfEquals(byte[] key, byte[] expected, byte[] value, @Nullable Duration ttl) {
		return isPositive(eval(DefaultRedisL2.REPLACE_IF_EQUALS, ReturnType.INTEGER, key, expected, value, millis(ttl)));
	}

	@Override
	public boolean replaceIfStartsWith(byte[] key, byte[] prefix, byte[] value, @Nullable Duration ttl) {
		return isPositive(
				eval(DefaultRedisL2.REPLACE_IF_STARTS_WITH, ReturnType.INTEGER, key, prefix, value, millis(ttl)));
	}

	@Override
	public boolean setMarkerIfAbsent(byte[] key, byte[] value, Duration ttl) {
		return acquireLease(key, value, ttl);
	}

	@Override
	public long clear(byte[] pattern) {
		ScanOptions options = ScanOptions.scanOptions().match(pattern).count(CLEAR_BATCH).build();
		Mono<Long> removed = Mono.usingWhen(Mono.fromSupplier(this.connectionFactory::getReactiveConnection),
				(connection) -> connection.keyCommands()
					.scan(options)
					.buffer(CLEAR_BATCH)
					.concatMap((batch) -> connection.keyCommands().mUnlink(batch))
					.reduce(0L, Long::sum),
				ReactiveRedisConnection::closeLater);
		Long count = block(removed, this.timeout.multipliedBy(100).plusSeconds(10));
		return (count != null) ? count : 0;
	}

	private <T> Mono<T> eval(byte[] script, ReturnType type, byte[] key, byte[]... args) {
		ByteBuffer[] keysAndArgs = new ByteBuffer[args.length + 1];
		keysAndArgs[0] = ByteBuffer.wrap(key);
		for (int i = 0; i < args.length; i++) {
			keysAndArgs[i + 1] = ByteBuffer.wrap(args[i]);
		}
		return Mono.usingWhen(Mono.fromSupplier(this.connectionFactory::getReactiveConnection),
				(connection) -> Flux
					.<T>from(connection.scriptingCommands().eval(ByteBuffer.wrap(script), type, 1, keysAndArgs))
					.next(),
				ReactiveRedisConnection::closeLater);
	}

	private boolean isPositive(Mono<Long> result) {
		Long value = block(result, this.timeout);
		return value != null && value > 0;
	}

	private <T> Mono<T> mono(Function<ReactiveRedisConnection, Publisher<T>> action) {
		return Mono.usingWhen(Mono.fromSupplier(this.connectionFactory::getReactiveConnection),
				(connection) -> Mono.from(action.apply(connection)), ReactiveRedisConnection::closeLater);
	}

	/**
	 * Waits for the result through a future rather than {@code Mono.block}, which refuses to run on Reactor's
	 * non-blocking threads (a cache used from a WebFlux handler would otherwise never reach Redis).
	 */
	private static <T> @Nullable T block(Mono<T> mono, Duration timeout) {
		CompletableFuture<T> future = mono.toFuture();
		try {
			return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			future.cancel(true);
			throw new QueryTimeoutException("Redis did not answer within " + timeout.toMillis() + " ms", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			future.cancel(true);
			throw new DataAccessResourceFailureException("Interrupted while waiting for Redis", ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new DataAccessResourceFailureException("Redis call failed", cause);
		}
	}

	private static byte[] millis(@Nullable Duration duration) {
		return Long.toString((duration != null) ? Math.max(1, duration.toMillis()) : 0).getBytes();
	}

	private static byte[] toBytes(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

}
