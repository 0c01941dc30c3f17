package io.github.multilevelcache.invalidation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;

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
	 * @return the subscribed connection, to close to unsubscribe
	 */
	RedisConnection subscribe(MessageListener listener, byte[]... channels) {
		RedisConnection connection = this.connectionFactory.getConnection();
		try {
			connection.subscribe(listener, channels);
			return connection;
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
	 * A plain connection for the epoch check; the caller closes it.
	 */
	RedisConnection connection() {
		return this.connectionFactory.getConnection();
	}

}
