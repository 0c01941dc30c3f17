package io.github.multilevelcache.benchmarks;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

import com.alicp.jetcache.CacheGetResult;
import com.alicp.jetcache.SimpleCacheManager;
import com.alicp.jetcache.anno.CacheType;
import com.alicp.jetcache.embedded.CaffeineCacheBuilder;
import com.alicp.jetcache.redis.lettuce.JetCacheCodec;
import com.alicp.jetcache.redis.lettuce.RedisLettuceCacheBuilder;
import com.alicp.jetcache.template.CacheBuilderTemplate;
import com.alicp.jetcache.template.NotifyMonitorInstaller;
import com.alicp.jetcache.template.QuickConfig;
import io.lettuce.core.RedisClient;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.support.AbstractValueAdaptingCache;

/**
 * JetCache 2.7.7 as a contender, behind Spring's {@link CacheManager} so that the same
 * {@code @Cacheable} services drive it: each cache is JetCache's two-level cache
 * ({@code CacheType.BOTH}: Caffeine over Redis through its own Lettuce client) with
 * {@code syncLocal(true)}, so every put and remove is broadcast on a Redis channel and
 * the other instances drop their local copy, as JetCache's own annotations configure it.
 * Local size and lifetimes are the ones the multilevel caches get.
 */
final class JetCacheManager implements CacheManager, DisposableBean {

	private final SimpleCacheManager jetCache = new SimpleCacheManager();

	private final RedisClient client;

	private final int localLimit;

	private final Map<String, Cache> caches = new ConcurrentHashMap<>();

	JetCacheManager(String redisUrl, String prefix, int localLimit) {
		this.client = RedisClient.create(redisUrl);
		this.localLimit = localLimit;
		RedisLettuceCacheBuilder<?> remote = RedisLettuceCacheBuilder.createRedisLettuceCacheBuilder()
			.redisClient(this.client)
			.connection(this.client.connect(new JetCacheCodec()))
			.pubSubConnection(this.client.connectPubSub(new JetCacheCodec()))
			.keyPrefix(prefix)
			.broadcastChannel(prefix + "jetcache-broadcast");
		CacheBuilderTemplate template = new CacheBuilderTemplate(false,
				Map.of("default", CaffeineCacheBuilder.createCaffeineCacheBuilder()), Map.of("default", remote));
		template.getCacheMonitorInstallers()
			.add(new NotifyMonitorInstaller((area) -> template.getCacheBuilder(1, area)));
		this.jetCache.setCacheBuilderTemplate(template);
	}

	@Override
	public @Nullable Cache getCache(String name) {
		return this.caches.computeIfAbsent(name,
				(cacheName) -> new Adapter(cacheName,
						this.jetCache.getOrCreateCache(QuickConfig.newBuilder(cacheName)
							.cacheType(CacheType.BOTH)
							.syncLocal(true)
							.expire(Duration.ofHours(1))
							.localExpire(Duration.ofMinutes(5))
							.localLimit(this.localLimit)
							.cacheNullValue(true)
							.build())));
	}

	@Override
	public Collection<String> getCacheNames() {
		return this.caches.keySet();
	}

	@Override
	public void destroy() {
		this.jetCache.close();
		this.client.shutdown();
	}

	/**
	 * One JetCache cache as a Spring {@link Cache}.
	 */
	private static final class Adapter extends AbstractValueAdaptingCache {

		private final String name;

		private final com.alicp.jetcache.Cache<Object, Object> cache;

		Adapter(String name, com.alicp.jetcache.Cache<Object, Object> cache) {
			super(true);
			this.name = name;
			this.cache = cache;
		}

		@Override
		public String getName() {
			return this.name;
		}

		@Override
		public Object getNativeCache() {
			return this.cache;
		}

		@Override
		protected @Nullable Object lookup(Object key) {
			CacheGetResult<Object> result = this.cache.GET(key);
			if (!result.isSuccess()) {
				return null;
			}
			return toStoreValue(result.getValue());
		}

		@Override
		@SuppressWarnings("unchecked")
		public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
			return (T) this.cache.computeIfAbsent(key, (k) -> {
				try {
					return valueLoader.call();
				}
				catch (Exception ex) {
					throw new ValueRetrievalException(key, valueLoader, ex);
				}
			}, true);
		}

		@Override
		public void put(Object key, @Nullable Object value) {
			this.cache.put(key, value);
		}

		@Override
		public void evict(Object key) {
			this.cache.remove(key);
		}

		@Override
		public void clear() {
			throw new UnsupportedOperationException("JetCache has no clear");
		}

	}

}
