package io.github.multilevelcache.invalidation;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
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
	 * Subscribes on dedicated native RESP3 connections that also track every key under
	 * the prefixes ({@code CLIENT TRACKING ON BCAST PREFIX ...}): Redis announces a
	 * change of any such key, by any client, as an {@code invalidate} push (on a Redis
	 * Cluster, each primary on a connection of its own; see {@link TrackingConnections}).
	 * Blocks until Redis confirmed (or failed). When Lettuce reconnects a connection by
	 * itself it re-subscribes the channels but not the tracking: the listener hears of it
	 * through {@link TrackingListener#trackingLost()}.
	 * @param markerBase the key whose changes prove that tracking works, or (Cluster) the
	 * start of one such key per primary
	 * @return the subscription, to close to unsubscribe
	 * @throws IllegalStateException when the connection factory cannot give RESP3
	 * connections of Lettuce
	 */
	TrackingSubscription subscribeTracking(TrackingListener listener, List<String> prefixes, String markerBase,
			byte[]... channels) {
		if (!(this.connectionFactory instanceof LettuceConnectionFactory lettuce)) {
			throw new IllegalStateException("Invalidation by tracking needs Lettuce "
					+ "('multilevel-cache.invalidation.transport=pub-sub' works everywhere)");
		}
		return TrackingConnections.subscribe(lettuce.getNativeClient(), listener, prefixes, markerBase, channels);
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
	 * A subscription with tracking.
	 */
	interface TrackingSubscription extends Subscription {

		/**
		 * The marker keys to change every heartbeat; Redis announcing each change proves
		 * that tracking works (one per primary on a Cluster).
		 */
		List<String> markers();

		/**
		 * Whether the connections still track every primary (on a Cluster: the same
		 * primaries as when subscribed, each marker still on its primary); may ask Redis,
		 * so it is called off the heartbeat thread.
		 */
		boolean isCurrent();

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
