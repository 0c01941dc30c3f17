package io.github.multilevelcache.autoconfigure;

import io.github.multilevelcache.FillAwareCacheResolver;
import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.TagEvictionCache;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheAspectSupport;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.cache.interceptor.SimpleCacheResolver;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;

/**
 * Wraps the resolver of Spring's cache interceptor (or, when none is configured yet, the
 * one Spring would use: a {@code SimpleCacheResolver} over the application's
 * {@link CacheManager}, looked up on first use) in a {@link FillAwareCacheResolver}.
 * Priority-ordered, so it is registered before the interceptor is created.
 */
final class FillAwareResolverPostProcessor implements BeanPostProcessor, PriorityOrdered {

	private final BeanFactory beanFactory;

	FillAwareResolverPostProcessor(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof CacheAspectSupport interceptor
				&& !(interceptor.getCacheResolver() instanceof FillAwareCacheResolver)) {
			CacheResolver configured = interceptor.getCacheResolver();
			interceptor.setCacheResolver(new FillAwareCacheResolver(
					() -> (configured != null) ? configured
							: new SimpleCacheResolver(this.beanFactory.getBean(CacheManager.class)),
					this::tagEvictionCache));
		}
		return bean;
	}

	private @Nullable TagEvictionCache tagEvictionCache() {
		MultiLevelCacheManager manager = this.beanFactory.getBeanProvider(MultiLevelCacheManager.class)
			.getIfAvailable();
		return (manager != null) ? manager.getTagEvictionCache() : null;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
