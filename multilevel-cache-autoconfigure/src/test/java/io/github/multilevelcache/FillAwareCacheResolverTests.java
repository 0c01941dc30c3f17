package io.github.multilevelcache;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache;
import org.springframework.cache.concurrent.ConcurrentMapCache;
import org.springframework.cache.interceptor.CacheOperation;
import org.springframework.cache.interceptor.CacheOperationInvocationContext;
import org.springframework.cache.interceptor.CachePutOperation;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.cache.interceptor.SimpleCacheResolver;
import org.springframework.cache.support.SimpleCacheManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which views the resolver hands Spring for each operation, and that it never changes a
 * collection another resolver may keep. Over the in-memory command layer: no network.
 */
class FillAwareCacheResolverTests {

	private final MultiLevelCacheManager manager = MultiLevelCacheManager
		.builder(new InMemoryL2Commands(System::currentTimeMillis))
		.build();

	private final Cache other = new ConcurrentMapCache("other");

	@AfterEach
	void close() {
		this.manager.destroy();
	}

	@Test
	void cacheableGetsOneCacheableViewPerInvocationAndOtherCachesAsTheyAre() {
		SimpleCacheManager both = new SimpleCacheManager();
		both.setCaches(List.of(this.manager.getCache("items"), this.other));
		both.afterPropertiesSet();
		FillAwareCacheResolver resolver = new FillAwareCacheResolver(new SimpleCacheResolver(both));
		CacheOperationInvocationContext<?> context = context(cacheable("items", "other"));

		List<? extends Cache> first = List.copyOf(resolver.resolveCaches(context));
		List<? extends Cache> second = List.copyOf(resolver.resolveCaches(context));

		assertThat(first).hasSize(2);
		assertThat(first.get(0)).isInstanceOf(CacheableView.class);
		assertThat(first.get(0).getNativeCache()).isSameAs(this.manager.getCache("items"));
		assertThat(first.get(1)).isSameAs(this.other);
		assertThat(second.get(0)).isInstanceOf(CacheableView.class).isNotSameAs(first.get(0));
	}

	@Test
	void synchronizedCacheableGetsTheCacheItselfWithoutAView() {
		FillAwareCacheResolver resolver = new FillAwareCacheResolver(new SimpleCacheResolver(this.manager));
		CacheableOperation.Builder builder = new CacheableOperation.Builder();
		builder.setCacheNames("items");
		builder.setSync(true);

		Collection<? extends Cache> caches = resolver.resolveCaches(context(builder.build()));

		assertThat(caches).singleElement().isSameAs(this.manager.getCache("items"));
	}

	@Test
	void cachePutGetsAWriteView() {
		FillAwareCacheResolver resolver = new FillAwareCacheResolver(new SimpleCacheResolver(this.manager));

		Collection<? extends Cache> caches = resolver.resolveCaches(context(put("items")));

		assertThat(caches).singleElement().isInstanceOf(WriteView.class);
	}

	@Test
	void anotherResolversCollectionIsCopiedNotChanged() {
		List<Cache> kept = new ArrayList<>(List.of(this.manager.getCache("items")));
		CacheResolver keeping = (context) -> kept;
		FillAwareCacheResolver resolver = new FillAwareCacheResolver(keeping);

		Collection<? extends Cache> caches = resolver.resolveCaches(context(cacheable("items")));

		assertThat(caches).singleElement().isInstanceOf(CacheableView.class);
		assertThat(kept).singleElement().isSameAs(this.manager.getCache("items"));
	}

	private static CacheableOperation cacheable(String... names) {
		CacheableOperation.Builder builder = new CacheableOperation.Builder();
		builder.setCacheNames(names);
		return builder.build();
	}

	private static CachePutOperation put(String... names) {
		CachePutOperation.Builder builder = new CachePutOperation.Builder();
		builder.setCacheNames(names);
		return builder.build();
	}

	private static CacheOperationInvocationContext<CacheOperation> context(CacheOperation operation) {
		return new CacheOperationInvocationContext<>() {

			@Override
			public CacheOperation getOperation() {
				return operation;
			}

			@Override
			public Object getTarget() {
				return this;
			}

			@Override
			public Method getMethod() {
				try {
					return Object.class.getMethod("toString");
				}
				catch (NoSuchMethodException ex) {
					throw new IllegalStateException(ex);
				}
			}

			@Override
			public Object[] getArgs() {
				return new Object[0];
			}

		};
	}

}
