package io.github.multilevelcache.write;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.github.multilevelcache.CacheSettings;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Hands batches of one write-behind cache to its writer ({@code writeAll} for writes,
 * {@code deleteAll} for deletes), retrying a failed batch with exponential backoff
 * ({@code retry-backoff} doubled per retry, up to {@code max-retries}), skipping keys
 * that got a newer write meanwhile, then giving what still fails to the
 * {@link DeadLetterHandler}. Called by one thread at a time (the caller holds the writer
 * lock).
 */
final class BatchWriter {

	private static final Log logger = LogFactory.getLog(BatchWriter.class);

	private final String cacheName;

	private final CacheWriter<Object, Object> writer;

	private final CacheSettings.WriteBehind settings;

	private final DeadLetterHandler deadLetters;

	private final WriteBehindStatistics statistics;

	BatchWriter(String cacheName, CacheWriter<Object, Object> writer, CacheSettings.WriteBehind settings,
			DeadLetterHandler deadLetters, WriteBehindStatistics statistics) {
		this.cacheName = cacheName;
		this.writer = writer;
		this.settings = settings;
		this.deadLetters = deadLetters;
		this.statistics = statistics;
	}

	/**
	 * Writes a batch, with retries and the dead-letter handler.
	 * @param superseded drops from a batch the writes that got a newer write since
	 */
	void apply(List<PendingWrite> batch, UnaryOperator<List<PendingWrite>> superseded) throws InterruptedException {
		List<PendingWrite> remaining = batch;
		RuntimeException failure = null;
		for (int attempt = 0; attempt <= this.settings.maxRetries(); attempt++) {
			if (attempt > 0) {
				this.statistics.retries.increment();
				Thread.sleep(this.settings.retryBackoff().toMillis() << Math.min(20, attempt - 1));
				remaining = superseded.apply(remaining);
				if (remaining.isEmpty()) {
					return;
				}
			}
			try {
				write(remaining);
				this.statistics.batches.increment();
				this.statistics.flushed.add(remaining.size());
				return;
			}
			catch (RuntimeException ex) {
				failure = ex;
				logger.debug(
						"Write-behind batch of cache '" + this.cacheName + "' failed (attempt " + (attempt + 1) + ")",
						ex);
			}
		}
		this.statistics.deadLettered.add(remaining.size());
		this.deadLetters.deadLetter(this.cacheName, List.copyOf(remaining), failure);
	}

	/**
	 * One writer call per kind: {@code writeAll} for the writes, then {@code deleteAll}
	 * for the deletes.
	 */
	void write(List<PendingWrite> batch) {
		Map<Object, @Nullable Object> writes = new LinkedHashMap<>();
		List<Object> deletes = new ArrayList<>();
		for (PendingWrite write : batch) {
			if (write.delete()) {
				deletes.add(write.key());
			}
			else {
				writes.put(write.key(), write.value());
			}
		}
		if (!writes.isEmpty()) {
			this.writer.writeAll(writes);
		}
		if (!deletes.isEmpty()) {
			this.writer.deleteAll(deletes);
		}
	}

	/**
	 * Applies one write synchronously (the queue stayed full, or the journal could not
	 * take it).
	 */
	void writeNow(Object key, @Nullable Object value, boolean delete) {
		if (delete) {
			this.writer.delete(key);
		}
		else {
			this.writer.write(key, value);
		}
		this.statistics.writtenThrough.increment();
	}

}
