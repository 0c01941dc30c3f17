package io.github.multilevelcache.write;

import org.jspecify.annotations.Nullable;

import io.github.multilevelcache.WriteStrategy;

/**
 * A cache's strategy needs a {@link CacheWriter} and none is configured or the named bean is not one.
 * {@code MissingCacheWriterFailureAnalyzer} turns it into a start-up failure report.
 */
public class MissingCacheWriterException extends IllegalStateException {

	private final String cacheName;

	private final WriteStrategy strategy;

	private final @Nullable String writerName;

	public MissingCacheWriterException(String cacheName, WriteStrategy strategy, @Nullable String writerName) {
		super("Cache '" + cacheName + "' uses strategy " + strategy + " but "
				+ ((writerName != null) ? "'" + writerName + "' is not a CacheWriter bean" : "has no writer"));
		this.cacheName = cacheName;
		this.strategy = strategy;
		this.writerName = writerName;
	}

	public String getCacheName() {
		return this.cacheName;
	}

	public WriteStrategy getStrategy() {
		return this.strategy;
	}

	public @Nullable String getWriterName() {
		return this.writerName;
	}

}
