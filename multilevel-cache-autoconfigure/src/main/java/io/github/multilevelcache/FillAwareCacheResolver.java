package io.github.multilevelcache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.CacheEvictOperation;
import org.springframework.cache.interceptor.CacheOperationInvocationContext;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.cache.interceptor.SimpleCacheResolver;
import org.springframework.util.Assert;
import org.springframework.util.function.SingletonSupplier;

/**
 * A {@link CacheResolver} that tells the {@link MultiLevelCache}s it resolves which
 * Spring cache operation is running, so that the {@code put} of a {@code @Cacheable} miss
 * is a fill (stored only if nothing changed the key since the miss, published to nobody)
 * and the {@code put} of a {@code @CachePut} is always a write, whichever thread makes
 * it. Each invocation gets its own view of each cache, except a
 * {@code @Cacheable(sync = true)} one, whose only call ({@code get(key, loader)}) pairs
 * with no {@code put} and goes to the cache itself; caches of other types are returned as
 * they are. The auto-configuration installs it around the cache interceptor's resolver;
 * an application with its own {@code CachingConfigurer} can wrap its resolver the same
 * way.
 */
public final class FillAwareCacheResolver implements CacheResolver {

	private final Supplier<CacheResolver> delegate;

	private final Supplier<Optional<TagEvictionCache>> tags;

	/**
	 * Wraps a resolver.
	 * @param delegate the resolver that finds the caches
	 */
	public FillAwareCacheResolver(CacheResolver delegate) {
		Assert.notNull(delegate, "Delegate must not be null");
		this.delegate = () -> delegate;
		this.tags = Optional::empty;
	}

	/**
	 * Wraps a resolver that is looked up on first use.
	 * @param delegate supplies the resolver that finds the caches
	 */
	public FillAwareCacheResolver(Supplier<CacheResolver> delegate) {
		this(delegate, () -> null);
	}

	/**
	 * Wraps a resolver that is looked up on first use, and maps a {@code @CacheEvict} of
	 * the tag eviction cache's name alone to that cache (see
	 * {@link MultiLevelCacheManager#getTagEvictionCache()}).
	 * @param delegate supplies the resolver that finds the caches
	 * @param tags supplies the tag eviction cache, on first use ({@code null} when no
	 * cache is tagged)
	 */
	public FillAwareCacheResolver(Supplier<CacheResolver> delegate, Supplier<@Nullable TagEvictionCache> tags) {
		Assert.notNull(delegate, "Delegate must not be null");
		Assert.notNull(tags, "Tags must not be null");
		this.delegate = SingletonSupplier.of(delegate);
		this.tags = SingletonSupplier.of(() -> Optional.ofNullable(tags.get()));
	}

	/**
	 * The caches of an operation, as the delegate resolves them, with the
	 * {@link MultiLevelCache}s replaced by views that know the operation; the tag
	 * eviction cache for a {@code @CacheEvict} of its name.
	 * @throws IllegalStateException when the tag eviction cache's name is one of several
	 * in one {@code @CacheEvict}
	 */
	@Override
	public Collection<? extends Cache> resolveCaches(CacheOperationInvocationContext<?> context) {
		TagEvictionCache tagCache = this.tags.get().orElse(null);
		if (tagCache != null && context.getOperation() instanceof CacheEvictOperation
				&& context.getOperation().getCacheNames().contains(tagCache.getName())) {
			Assert.state(context.getOperation().getCacheNames().size() == 1,
					() -> "@CacheEvict of cache '" + tagCache.getName()
							+ "' evicts tags and cannot name other caches; declare it on its own "
							+ "(with @Caching when the method evicts other caches too): " + context.getOperation());
			return List.of(tagCache);
		}
		CacheResolver delegate = this.delegate.get();
		Collection<? extends Cache> caches = delegate.resolveCaches(context);
		if (context.getOperation() instanceof CacheableOperation operation && operation.isSync()) {
			// Spring only calls get(key, loader) for it, which pairs with no put: no view
			// (and no allocation) needed
			return caches;
		}
		boolean cacheable = context.getOperation() instanceof CacheableOperation;
		List<Cache> views = null;
		int index = 0;
		for (Cache cache : caches) {
			if (cache instanceof MultiLevelCache multiLevel) {
				if (views == null) {
					views = writable(delegate, caches);
				}
				views.set(index, cacheable ? new CacheableView(multiLevel) : new WriteView(multiLevel));
			}
			index++;
		}
		return (views != null) ? views : caches;
	}

	/**
	 * The list to put the views in: Spring's own {@link SimpleCacheResolver} returns a
	 * new {@link ArrayList} on every call, which is used as it is (this runs on every L1
	 * hit, and Spring iterates the list several times); any other resolver's result is
	 * copied.
	 */
	@SuppressWarnings("unchecked")
	private static List<Cache> writable(CacheResolver delegate, Collection<? extends Cache> caches) {
		if (delegate.getClass() == SimpleCacheResolver.class && caches.getClass() == ArrayList.class) {
			return (List<Cache>) caches;
		}
		return new ArrayList<>(caches);
	}

}
