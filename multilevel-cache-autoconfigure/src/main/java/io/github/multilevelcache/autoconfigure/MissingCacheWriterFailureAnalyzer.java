package io.github.multilevelcache.autoconfigure;

import io.github.multilevelcache.write.MissingCacheWriterException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a write-through or write-behind cache (or default settings) without a writer,
 * naming the property that selects the strategy and the one that names the writer.
 */
class MissingCacheWriterFailureAnalyzer extends AbstractFailureAnalyzer<MissingCacheWriterException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingCacheWriterException cause) {
		String base = (cause.getCacheName() != null) ? "multilevel-cache.caches." + cause.getCacheName()
				: "multilevel-cache.defaults";
		String strategyProperty = base + ".strategy";
		String writerProperty = base + ".writer";
		String subject = (cause.getCacheName() != null) ? "Cache '" + cause.getCacheName() + "'"
				: "Every cache created on first use";
		String strategy = cause.getStrategy().name().toLowerCase().replace('_', '-');
		String description = subject + " uses strategy " + strategy + " (property '" + strategyProperty
				+ "'), which needs a CacheWriter, but "
				+ ((cause.getWriterName() != null) ? "'" + cause.getWriterName() + "' (property '" + writerProperty
						+ "') is not a CacheWriter bean." : "property '" + writerProperty + "' is not set.");
		String action = "Define a bean implementing io.github.multilevelcache.write.CacheWriter and set '"
				+ writerProperty + "' to its name, or set '" + strategyProperty + "=cache-aside'.";
		return new FailureAnalysis(description, action, cause);
	}

}
