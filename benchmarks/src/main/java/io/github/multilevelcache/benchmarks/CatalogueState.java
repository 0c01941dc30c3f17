package io.github.multilevelcache.benchmarks;

import java.util.Map;

import io.github.multilevelcache.benchmarks.BenchmarkApplication.Catalogue;

/**
 * An instance of the benchmark application for the JMH hit benchmarks, with every product
 * of the working set cached before measuring. JMH forks learn the Redis and key prefix
 * from system properties ({@value #REDIS_URL}, {@value #PREFIX}).
 */
final class CatalogueState implements AutoCloseable {

	static final String REDIS_URL = "benchmarks.redis-url";

	static final String PREFIX = "benchmarks.prefix";

	/** Products read in turn: all fit in L1 and in Caffeine. */
	static final int WORKING_SET = 1_024;

	private final BenchmarkInstance instance;

	private final Catalogue catalogue;

	private final Long[] ids = new Long[WORKING_SET];

	CatalogueState(ManagerKind kind, String benchmark, String... properties) {
		String redisUrl = System.getProperty(REDIS_URL, "redis://127.0.0.1:6379");
		String prefix = System.getProperty(PREFIX, "multilevel-cache-benchmarks:") + benchmark + ":"
				+ kind.name().toLowerCase() + ":";
		this.instance = BenchmarkInstance.start(kind, redisUrl, prefix, Map.of(), properties);
		this.catalogue = this.instance.bean(Catalogue.class);
		for (int i = 0; i < WORKING_SET; i++) {
			this.ids[i] = 1_000_000L + i;
			this.catalogue.product(this.ids[i]);
		}
	}

	/**
	 * One lookup of the {@code index}-th product (modulo the working set).
	 */
	BenchmarkApplication.Product lookup(int index) {
		return this.catalogue.product(this.ids[index & (WORKING_SET - 1)]);
	}

	/**
	 * The same lookup through {@code @Cacheable(sync = true)}.
	 */
	BenchmarkApplication.Product lookupSync(int index) {
		return this.catalogue.productSync(this.ids[index & (WORKING_SET - 1)]);
	}

	@Override
	public void close() {
		this.instance.close();
	}

}
