package io.github.multilevelcache.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import io.github.multilevelcache.write.MissingCacheWriterException;

/**
 * Explains a write-through or write-behind cache without a writer, naming the property to set.
 */
class MissingCacheWriterFailureAnalyzer extends AbstractFailureAnalyzer<MissingCacheWriterException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingCacheWriterException cause) {
		String property = "multilevel-cache.caches." + cause.getCacheName() + ".writer";
		String description = "Cache '" + cause.getCacheName() + "' uses strategy "
				+ cause.getStrategy().name().toLowerCase().replace('_', '-') + ", which needs a CacheWriter, but "
				+ ((cause.getWriterName() != null)
						? "'" + cause.getWriterName() + "' (property '" + property + "') is not a CacheWriter bean."
						: "property '" + property + "' is not set.");
		String action = "Define a bean implementing io.github.multilevelcache.write.CacheWriter and set '" + property
				+ "' to its name, or use 'multilevel-cache.caches." + cause.getCacheName()
				+ ".strategy=cache-aside'.";
		return new FailureAnalysis(description, action, cause);
	}

}
