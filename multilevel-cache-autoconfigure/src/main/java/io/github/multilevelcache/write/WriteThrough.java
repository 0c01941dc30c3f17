package io.github.multilevelcache.write;

import org.jspecify.annotations.Nullable;

/**
 * Write-through (G8): the writer runs first; if it throws, the exception reaches the
 * caller unchanged and neither level changes.
 */
final class WriteThrough implements WriteStrategyHandler {

	private final CacheWriter<Object, Object> writer;

	WriteThrough(CacheWriter<Object, Object> writer) {
		this.writer = writer;
	}

	@Override
	public void beforePut(Object key, @Nullable Object value) {
		this.writer.write(key, value);
	}

	@Override
	public void beforeEvict(Object key) {
		this.writer.delete(key);
	}

}
