package io.github.multilevelcache;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;

/**
 * One {@code @Cacheable} invocation's view of a {@link MultiLevelCache} (see
 * {@link FillAwareCacheResolver}): the miss of its lookup is remembered here rather than
 * per thread, so the {@code put} Spring makes after the method returned is the fill of
 * that miss even when it runs on another thread (a {@code CompletableFuture} or reactive
 * method). Everything else goes straight to the cache. The view is its own
 * {@link Fill.Slot} (one object per invocation, on the path of every plain
 * {@code @Cacheable} L1 hit; {@code sync = true} needs none).
 */
final class CacheableView implements Cache, Fill.Slot {

	private final MultiLevelCache cache;

	private volatile @Nullable Fill fill;

	CacheableView(MultiLevelCache cache) {
		this.cache = cache;
	}

	@Override
	public String getName() {
		return this.cache.getName();
	}

	@Override
	public Object getNativeCache() {
		return this.cache;
	}

	@Override
	public @Nullable ValueWrapper get(Object key) {
		return this.cache.get(key, this);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
		ValueWrapper wrapper = get(key);
		Object value = (wrapper != null) ? wrapper.get() : null;
		if (value != null && type != null && !type.isInstance(value)) {
			throw new IllegalStateException("Cached value is not of required type [" + type.getName() + "]: " + value);
		}
		return (T) value;
	}

	@Override
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		return this.cache.get(key, valueLoader);
	}

	@Override
	public @Nullable CompletableFuture<?> retrieve(Object key) {
		return this.cache.retrieve(key, this);
	}

	@Override
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		return this.cache.retrieve(key, valueLoader);
	}

	@Override
	public void put(Object key, @Nullable Object value) {
		this.cache.put(key, value, this);
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		return this.cache.putIfAbsent(key, value);
	}

	@Override
	public void evict(Object key) {
		this.cache.evict(key);
	}

	@Override
	public boolean evictIfPresent(Object key) {
		return this.cache.evictIfPresent(key);
	}

	@Override
	public void clear() {
		this.cache.clear();
	}

	@Override
	public boolean invalidate() {
		return this.cache.invalidate();
	}

	@Override
	public void missed(Fill fill) {
		this.fill = fill;
	}

	@Override
	public @Nullable Fill take(String canonical) {
		Fill taken = this.fill;
		if (taken == null || !taken.canonical().equals(canonical)) {
			return null;
		}
		this.fill = null;
		return taken;
	}

}
