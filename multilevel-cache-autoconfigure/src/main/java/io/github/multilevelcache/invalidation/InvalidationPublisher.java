package io.github.multilevelcache.invalidation;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Tells the other instances that keys of a cache changed in Redis, so they drop them from
 * their L1. The cache hands over the Redis write that makes the change together with the
 * keys: the publisher gives the write the invalidation {@link Message} to send after it
 * (in the same round trip) and, in acknowledged mode, waits for the peers.
 * Implementations never throw: a message that cannot be sent is counted and the
 * receivers' gap detection takes over.
 */
public interface InvalidationPublisher {

	/**
	 * A publisher for a single instance: publishes nothing.
	 */
	InvalidationPublisher NONE = new InvalidationPublisher() {

		@Override
		public <T> Publication<T> publish(String cacheName, Operation operation, List<String> keys,
				Function<@Nullable Message, CompletableFuture<T>> write) {
			CompletableFuture<T> written = write.apply(null);
			return new Publication<>() {

				@Override
				public CompletableFuture<T> written() {
					return written;
				}

				@Override
				public void awaitAcknowledgements() {
				}

			};
		}

	};

	/**
	 * Makes a change and tells the other instances about it.
	 * @param cacheName the cache
	 * @param operation what the write does
	 * @param keys the canonical keys it changes (empty for {@link Operation#CLEAR})
	 * @param write starts the Redis write; given the message to publish after it, or
	 * {@code null} when nothing is to be published; it must only dispatch, not wait,
	 * because messages of one cache are given to their writes in sequence order
	 * @return the started write and the peers' acknowledgements
	 */
	<T> Publication<T> publish(String cacheName, Operation operation, List<String> keys,
			Function<@Nullable Message, CompletableFuture<T>> write);

	/**
	 * One invalidation message and its channel.
	 *
	 * @param channel the pub/sub channel
	 * @param body the encoded message
	 */
	record Message(byte[] channel, byte[] body) {
	}

	/**
	 * A write on its way and its invalidation message.
	 *
	 * @param <T> the write's result
	 */
	interface Publication<T> {

		/**
		 * The write (and its message): completes once Redis applied both.
		 * @return the write's future
		 */
		CompletableFuture<T> written();

		/**
		 * In acknowledged mode, waits until every live peer confirmed it dropped the
		 * keys, or the acknowledgement timeout passed (logged and counted); returns at
		 * once in asynchronous mode.
		 */
		void awaitAcknowledgements();

	}

	/**
	 * What changed the keys.
	 */
	enum Operation {

		/** A new value was stored. */
		PUT,

		/** The keys were removed. */
		EVICT,

		/** Every key of the cache was removed. */
		CLEAR

	}

}
