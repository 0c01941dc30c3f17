package io.github.multilevelcache.metrics;

import io.github.multilevelcache.MultiLevelCache;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;

/**
 * Lets Boot's cache metrics ({@code CacheMetricsRegistrar}) bind
 * {@link MultiLevelCacheMetrics} to every {@link MultiLevelCache}, so
 * {@code /actuator/metrics/cache.gets} works as for Boot's own caches.
 */
public class MultiLevelCacheMeterBinderProvider implements CacheMeterBinderProvider<MultiLevelCache> {

	@Override
	public MeterBinder getMeterBinder(MultiLevelCache cache, Iterable<Tag> tags) {
		return new MultiLevelCacheMetrics(cache, tags);
	}

}
