package io.github.multilevelcache.sample;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.stereotype.Component;

/**
 * Page views per product, counted in the write-behind {@code views} cache: every view
 * updates the cache at once and the {@link ViewsWriter} stores the latest count per
 * product in batches (many views of one product between two flushes become one database
 * write).
 */
@Component
public class ViewCounter {

	private final Cache views;

	private final ViewsWriter writer;

	ViewCounter(CacheManager cacheManager, ViewsWriter writer) {
		this.views = cacheManager.getCache("views");
		this.writer = writer;
	}

	/**
	 * Counts one view (approximate under concurrent views of one product: a demo of
	 * write-behind, not a counter service).
	 * @param id the product
	 * @return the new count
	 */
	public long view(long id) {
		Long current = this.views.get(id, () -> this.writer.stored(id));
		long next = ((current != null) ? current : 0) + 1;
		this.views.put(id, next);
		return next;
	}

}
