package io.github.multilevelcache.metrics;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

import io.github.multilevelcache.MultiLevelCache;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;

/**
 * Lets Boot's cache metrics ({@code CacheMetricsRegistrar}) bind
 * {@link MultiLevelCacheMetrics} to every {@link MultiLevelCache}, so
 * {@code /actuator/metrics/cache.gets} works as for Boot's own caches.
 * <p>
 * Each cache gets one binder: Boot binds the caches that exist at start-up and the
 * auto-configuration binds the ones created later, and a cache both would see is bound
 * once (a second binding would register every meter again, which Micrometer refuses with
 * a warning). Thread-safe.
 */
public class MultiLevelCacheMeterBinderProvider implements CacheMeterBinderProvider<MultiLevelCache> {

	private final Set<MultiLevelCache> bound = Collections
		.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

	/**
	 * Returns the binder of a cache not bound yet.
	 * @return the binder, or {@code null} when the cache already has one
	 */
	@Override
	public @Nullable MeterBinder getMeterBinder(MultiLevelCache cache, Iterable<Tag> tags) {
		return this.bound.add(cache) ? new MultiLevelCacheMetrics(cache, tags) : null;
	}

}
