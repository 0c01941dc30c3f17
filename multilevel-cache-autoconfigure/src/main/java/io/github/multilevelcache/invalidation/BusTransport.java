package io.github.multilevelcache.invalidation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.types.Expiration;

/**
 * How the bus reaches Redis, through Boot's connection factory: publications (heartbeats,
 * acknowledgements) go out asynchronously on the factory's shared native connection, the
 * same one the caches' writes and their messages use, so they never block the receiving
 * thread and leave in the order they were handed over; the subscription is a dedicated
 * connection of the factory; the epoch marker is read and written with plain commands on
 * the heartbeat thread.
 */
class BusTransport {

	private final RedisConnectionFactory connectionFactory;

	private volatile @Nullable RedisClusterAsyncCommands<byte[], byte[]> shared;

	BusTransport(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * Publishes without waiting.
	 * @return the number of receivers, or a failed future
	 */
	CompletableFuture<Long> publish(byte[] channel, byte[] body) {
		try {
			RedisClusterAsyncCommands<byte[], byte[]> redis = this.shared;
			if (redis == null) {
				try (RedisConnection connection = this.connectionFactory.getConnection()) {
					if (!(connection instanceof LettuceConnection lettuce)) {
						return CompletableFuture.completedFuture(connection.publish(channel, body));
					}
					redis = lettuce.getNativeConnection();
					this.shared = redis;
				}
			}
			RedisClusterAsyncCommands<byte[], byte[]> used = redis;
			return redis.publish(channel, body).toCompletableFuture().whenComplete((receivers, ex) -> {
				Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
				if (cause != null && "Connection is closed".equals(cause.getMessage()) && this.shared == used) {
					// the factory may have replaced its shared connection: fetch it again
					// next time
					this.shared = null;
				}
			});
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Subscribes a listener on a dedicated connection; blocks until Redis confirmed (or
	 * failed).
	 * @return the subscription, to close to unsubscribe
	 */
	Subscription subscribe(MessageListener listener, byte[]... channels) {
		RedisConnection connection = this.connectionFactory.getConnection();
		try {
			connection.subscribe(listener, channels);
			return connection::close;
		}
		catch (RuntimeException ex) {
			try {
				connection.close();
			}
			catch (RuntimeException closing) {
				ex.addSuppressed(closing);
			}
			throw ex;
		}
	}

	/**
	 * Subscribes on a dedicated native RESP3 connection that also tracks every key under
	 * the prefixes ({@code CLIENT TRACKING ON BCAST PREFIX ...}): Redis announces a
	 * change of any such key, by any client, as an {@code invalidate} push on this
	 * connection. Blocks until Redis confirmed (or failed). When Lettuce reconnects the
	 * connection by itself it re-subscribes the channels but not the tracking: the
	 * listener hears of it through {@link TrackingListener#trackingLost()}.
	 * @return the subscription, to close to unsubscribe
	 * @throws IllegalStateException when the connection factory cannot give a standalone
	 * RESP3 connection
	 */
	Subscription subscribeTracking(TrackingListener listener, List<String> prefixes, byte[]... channels) {
		if (!(this.connectionFactory instanceof LettuceConnectionFactory lettuce)
				|| !(lettuce.getNativeClient() instanceof RedisClient client)) {
			throw new IllegalStateException("Invalidation by tracking needs Lettuce and a standalone or Sentinel "
					+ "Redis ('multilevel-cache.invalidation.transport=pub-sub' works everywhere)");
		}
		StatefulRedisPubSubConnection<byte[], byte[]> connection = client.connectPubSub(ByteArrayCodec.INSTANCE);
		try {
			if (connection instanceof StatefulRedisConnectionImpl<?, ?> impl
					&& impl.getConnectionState().getNegotiatedProtocolVersion() != ProtocolVersion.RESP3) {
				throw new IllegalStateException("Invalidation by tracking needs RESP3 (Redis 6 or later, and no "
						+ "protocol version forced to RESP2 in the Lettuce client options)");
			}
			byte[] first = channels[0];
			AtomicInteger confirmations = new AtomicInteger();
			connection.addListener((PushListener) (push) -> {
				if ("invalidate".equals(push.getType())) {
					listener.invalidated(keysOf(push.getContent()));
				}
			});
			connection.addListener(new RedisPubSubAdapter<byte[], byte[]>() {

				@Override
				public void message(byte[] channel, byte[] message) {
					listener.message(channel, message);
				}

				@Override
				public void subscribed(byte[] channel, long count) {
					if (Arrays.equals(channel, first) && confirmations.incrementAndGet() > 1) {
						listener.trackingLost();
						return;
					}
					listener.subscribed(channel);
				}

			});
			TrackingArgs tracking = TrackingArgs.Builder.enabled().bcast();
			if (!(prefixes.size() == 1 && prefixes.get(0).isEmpty())) {
				tracking = tracking.prefixes(StandardCharsets.UTF_8, prefixes.toArray(String[]::new));
			}
			connection.sync().clientTracking(tracking);
			connection.sync().subscribe(channels);
			return connection::close;
		}
		catch (RuntimeException ex) {
			connection.close();
			throw ex;
		}
	}

	/**
	 * The keys of an {@code invalidate} push, {@code null} for a flush of the database.
	 */
	private static @Nullable List<byte[]> keysOf(List<Object> content) {
		Object keys = (content.size() > 1) ? content.get(1) : null;
		if (!(keys instanceof List<?> list)) {
			return null;
		}
		List<byte[]> result = new ArrayList<>(list.size());
		for (Object key : list) {
			if (key instanceof ByteBuffer buffer) {
				byte[] bytes = new byte[buffer.remaining()];
				buffer.duplicate().get(bytes);
				result.add(bytes);
			}
			else if (key instanceof byte[] bytes) {
				result.add(bytes);
			}
		}
		return result;
	}

	/**
	 * Sets a key without waiting (the tracking self-check's marker), on the shared
	 * connection.
	 */
	CompletableFuture<String> touch(byte[] key, byte[] value, long ttlMillis) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			if (connection instanceof LettuceConnection lettuce) {
				return lettuce.getNativeConnection()
					.set(key, value, SetArgs.Builder.px(ttlMillis))
					.toCompletableFuture();
			}
			connection.stringCommands().set(key, value, Expiration.milliseconds(ttlMillis), SetOption.upsert());
			return CompletableFuture.completedFuture("OK");
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * A plain connection for the epoch check; the caller closes it.
	 */
	RedisConnection connection() {
		return this.connectionFactory.getConnection();
	}

	/**
	 * A subscription, closed to unsubscribe.
	 */
	interface Subscription extends AutoCloseable {

		@Override
		void close();

	}

	/**
	 * What a tracking subscription hears.
	 */
	interface TrackingListener {

		/** Redis confirmed the subscription of a channel. */
		void subscribed(byte[] channel);

		/** A message on a subscribed channel. */
		void message(byte[] channel, byte[] body);

		/**
		 * Redis announced changed keys; {@code null} when a database was flushed.
		 */
		void invalidated(@Nullable List<byte[]> keys);

		/**
		 * The connection was re-established by Lettuce without its tracking: nothing is
		 * announced any more until a new subscription is made.
		 */
		void trackingLost();

	}

}
