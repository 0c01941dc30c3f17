package io.github.multilevelcache.write;

import io.github.multilevelcache.WriteStrategy;
import org.jspecify.annotations.Nullable;

/**
 * A cache's strategy (or the default strategy of a manager that creates caches on first
 * use) needs a {@link CacheWriter} and none is configured, or the named bean is not one.
 * Thrown when the manager is built; {@code MissingCacheWriterFailureAnalyzer} turns it
 * into a start-up failure report naming the properties.
 */
public class MissingCacheWriterException extends IllegalStateException {

	private final @Nullable String cacheName;

	private final WriteStrategy strategy;

	private final @Nullable String writerName;

	/**
	 * Creates an exception.
	 * @param cacheName the cache, {@code null} for the defaults of caches created on
	 * first use
	 * @param strategy the strategy that needs a writer
	 * @param writerName the configured writer name, {@code null} when none is configured
	 */
	public MissingCacheWriterException(@Nullable String cacheName, WriteStrategy strategy,
			@Nullable String writerName) {
		super(((cacheName != null) ? "Cache '" + cacheName + "' uses" : "The default cache settings use") + " strategy "
				+ strategy + " but " + ((writerName != null) ? "'" + writerName + "' is not a CacheWriter bean"
						: "no writer is configured"));
		this.cacheName = cacheName;
		this.strategy = strategy;
		this.writerName = writerName;
	}

	/**
	 * The cache without a writer.
	 * @return its name, {@code null} for the default settings
	 */
	public @Nullable String getCacheName() {
		return this.cacheName;
	}

	/**
	 * The strategy that needs a writer.
	 * @return the strategy
	 */
	public WriteStrategy getStrategy() {
		return this.strategy;
	}

	/**
	 * The writer name that was configured.
	 * @return the name, {@code null} when none was
	 */
	public @Nullable String getWriterName() {
		return this.writerName;
	}

}
