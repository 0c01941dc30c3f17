package io.github.multilevelcache;

import org.jspecify.annotations.Nullable;

/**
 * The cache contract over the in-memory command layer: no network, milliseconds per test.
 */
class InMemoryCacheContractTests extends CacheContractTests {

	private final InMemoryL2Commands redis = new InMemoryL2Commands(System::currentTimeMillis);

	@Override
	protected MultiLevelCacheManagerBuilder builder() {
		return MultiLevelCacheManager.builder(this.redis);
	}

	@Override
	protected byte @Nullable [] raw(String key) {
		return this.redis.raw(key);
	}

	@Override
	protected void rawSet(String key, byte[] value) {
		this.redis.rawSet(key, value);
	}

}
