package io.github.multilevelcache.write;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;

import io.github.multilevelcache.CacheSettings;
import io.github.multilevelcache.WriteStrategy;
import io.github.multilevelcache.serialization.CacheValueSerializer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Creates the {@link WriteStrategyHandler} of a cache from its settings (not started: the
 * manager calls {@link WriteStrategyHandler#start()}), and the default dead-letter
 * handler.
 */
public final class WriteStrategies {

	private static final Log logger = LogFactory.getLog(WriteStrategies.class);

	private WriteStrategies() {
	}

	/**
	 * The handler for a cache.
	 * @param cacheName the cache
	 * @param settings its settings
	 * @param writer its writer, required unless the strategy is cache-aside
	 * @param deadLetters where failed write-behind batches go
	 * @param statistics write-behind counters of the cache
	 * @param journal the durable journal's dependencies, {@code null} when the cache
	 * cannot have one
	 * @return the handler
	 * @throws IllegalStateException when the strategy needs a writer and there is none
	 */
	@SuppressWarnings("unchecked")
	public static WriteStrategyHandler create(String cacheName, CacheSettings settings,
			@Nullable CacheWriter<?, ?> writer, DeadLetterHandler deadLetters, WriteBehindStatistics statistics,
			@Nullable JournalSupport journal) {
		if (settings.strategy() == WriteStrategy.CACHE_ASIDE) {
			return WriteStrategyHandler.CACHE_ASIDE;
		}
		if (writer == null) {
			throw new MissingCacheWriterException(cacheName, settings.strategy(), settings.writer());
		}
		CacheWriter<Object, Object> typed = (CacheWriter<Object, Object>) writer;
		if (settings.strategy() == WriteStrategy.WRITE_THROUGH) {
			return new WriteThrough(typed);
		}
		WriteJournal writeJournal = null;
		if (settings.writeBehind().durable()) {
			if (journal == null) {
				throw new IllegalStateException(
						"Cache '" + cacheName + "' has write-behind.durable=true but its manager "
								+ "was not built from a RedisConnectionFactory");
			}
			writeJournal = new WriteJournal(journal.connectionFactory(), journal.serializer(), settings.keyPrefix(),
					cacheName, journal.instanceId(), journal.appendTimeout(), journal.redisAvailable());
		}
		return new WriteBehind(cacheName, typed, settings.writeBehind(), deadLetters, statistics, writeJournal,
				(journal != null) ? journal.cachedWriteTime() : (key) -> 0L);
	}

	/**
	 * The default dead-letter handler: logs every write at ERROR and counts them.
	 * @return a new handler
	 */
	public static DeadLetterHandler loggingDeadLetterHandler() {
		LongAdder count = new LongAdder();
		return (cacheName, writes, failure) -> {
			count.add(writes.size());
			logger.error("Write-behind of cache '" + cacheName + "' gave up on " + writes.size() + " write(s) after "
					+ "every retry (" + count.sum() + " so far): " + describe(writes), failure);
		};
	}

	private static String describe(List<PendingWrite> writes) {
		StringBuilder text = new StringBuilder();
		for (PendingWrite write : writes.subList(0, Math.min(20, writes.size()))) {
			text.append(write.delete() ? "delete " : "write ").append(write.key()).append("; ");
		}
		return (writes.size() > 20) ? text + "…" : text.toString();
	}

	/**
	 * What a durable write-behind journal needs.
	 *
	 * @param connectionFactory Redis connections
	 * @param serializer serializes journaled keys and values (allow-list applies)
	 * @param instanceId this instance's id, naming its journal
	 * @param cachedWriteTime write time of the value the cache holds for a key now, 0
	 * when none
	 * @param appendTimeout longest wait for Redis to take a journal entry
	 * @param redisAvailable whether the manager's circuit breaker lets calls reach Redis:
	 * while it does not, appends fail at once (the put writes through) and committed
	 * entries are left for later
	 */
	public record JournalSupport(RedisConnectionFactory connectionFactory, CacheValueSerializer serializer,
			String instanceId, ToLongFunction<Object> cachedWriteTime, Duration appendTimeout,
			BooleanSupplier redisAvailable) {
	}

}
