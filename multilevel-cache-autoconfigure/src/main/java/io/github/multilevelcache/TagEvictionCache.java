package io.github.multilevelcache;

import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;

/**
 * The cache through which a {@code @CacheEvict} evicts a tag: its key is the tag, and
 * {@link #evict} calls {@link MultiLevelCacheManager#evictTag(String)}, so
 * {@code @CacheEvict(cacheNames = "tags", key = "'category:' + #id")} evicts every entry
 * tagged {@code category:<id>} after the method returns (with
 * {@code beforeInvocation = true}, before it runs). It holds nothing: reads miss, and
 * {@code put} and {@code clear} throw {@link UnsupportedOperationException} (there is no
 * "evict every tag").
 */
public final class TagEvictionCache implements Cache {

	private final String name;

	private final MultiLevelCacheManager manager;

	TagEvictionCache(String name, MultiLevelCacheManager manager) {
		this.name = name;
		this.manager = manager;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public Object getNativeCache() {
		return this.manager;
	}

	@Override
	public @Nullable ValueWrapper get(Object key) {
		return null;
	}

	@Override
	public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
		return null;
	}

	@Override
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		throw unsupported("read through");
	}

	@Override
	public void put(Object key, @Nullable Object value) {
		throw unsupported("put");
	}

	@Override
	public void evict(Object key) {
		this.manager.evictTag(key.toString());
	}

	@Override
	public boolean evictIfPresent(Object key) {
		return this.manager.evictTag(key.toString()) != 0;
	}

	@Override
	public void clear() {
		throw unsupported("clear");
	}

	private UnsupportedOperationException unsupported(String operation) {
		return new UnsupportedOperationException("Cache '" + this.name + "' evicts tags: use it only with "
				+ "@CacheEvict and a key (the tag); it cannot " + operation);
	}

}
