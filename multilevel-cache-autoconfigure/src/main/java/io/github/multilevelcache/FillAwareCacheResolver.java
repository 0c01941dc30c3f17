package io.github.multilevelcache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.CacheOperationInvocationContext;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.util.Assert;
import org.springframework.util.function.SingletonSupplier;

/**
 * A {@link CacheResolver} that tells the {@link MultiLevelCache}s it resolves which
 * Spring cache operation is running, so that the {@code put} of a {@code @Cacheable} miss
 * is a fill (stored only if nothing changed the key since the miss, published to nobody)
 * and the {@code put} of a {@code @CachePut} is always a write, whichever thread makes
 * it. Each invocation gets its own view of each cache; caches of other types are returned
 * as they are. The auto-configuration installs it around the cache interceptor's
 * resolver; an application with its own {@code CachingConfigurer} can wrap its resolver
 * the same way.
 */
public final class FillAwareCacheResolver implements CacheResolver {

	private final Supplier<CacheResolver> delegate;

	/**
	 * Wraps a resolver.
	 * @param delegate the resolver that finds the caches
	 */
	public FillAwareCacheResolver(CacheResolver delegate) {
		Assert.notNull(delegate, "Delegate must not be null");
		this.delegate = () -> delegate;
	}

	/**
	 * Wraps a resolver that is looked up on first use.
	 * @param delegate supplies the resolver that finds the caches
	 */
	public FillAwareCacheResolver(Supplier<CacheResolver> delegate) {
		Assert.notNull(delegate, "Delegate must not be null");
		this.delegate = SingletonSupplier.of(delegate);
	}

	@Override
	public Collection<? extends Cache> resolveCaches(CacheOperationInvocationContext<?> context) {
		Collection<? extends Cache> caches = this.delegate.get().resolveCaches(context);
		boolean cacheable = context.getOperation() instanceof CacheableOperation;
		List<Cache> views = null;
		int index = 0;
		for (Cache cache : caches) {
			if (cache instanceof MultiLevelCache multiLevel) {
				if (views == null) {
					views = new ArrayList<>(caches);
				}
				views.set(index, cacheable ? multiLevel.cacheableView() : multiLevel.writeView());
			}
			index++;
		}
		return (views != null) ? views : caches;
	}

}
