package io.github.multilevelcache.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * The cache managers a benchmark compares, each as a user gets it from Spring Boot:
 * multilevel-cache by adding the starter, the stock managers by setting
 * {@code spring.cache.type} (which also makes multilevel-cache back off).
 */
public enum ManagerKind {

	/** multilevel-cache with the default (asynchronous) invalidation mode. */
	MULTILEVEL("multilevel (async)", true),

	/** multilevel-cache in acknowledged invalidation mode. */
	MULTILEVEL_ACK("multilevel (acknowledged)", true),

	/**
	 * multilevel-cache in asynchronous mode with Redis CLIENT TRACKING as the
	 * invalidation transport.
	 */
	MULTILEVEL_TRACKING("multilevel (async, tracking)", true),

	/** Spring Data Redis's {@code RedisCacheManager}. */
	REDIS("RedisCacheManager", false),

	/**
	 * Spring's {@code CaffeineCacheManager}, one per instance, with the size and lifetime
	 * of our L1.
	 */
	CAFFEINE("CaffeineCacheManager", false),

	/**
	 * JetCache 2.7.7, Caffeine over Redis with local sync, behind the same proxy (see
	 * {@link JetCacheManager}).
	 */
	JETCACHE("JetCache 2.7.7 (BOTH, syncLocal)", false),

	/** Spring's {@code NoOpCacheManager}: the same proxy, no caching at all. */
	NONE("no cache", false);

	private final String label;

	private final boolean multilevel;

	ManagerKind(String label, boolean multilevel) {
		this.label = label;
		this.multilevel = multilevel;
	}

	/**
	 * How tables and charts name this manager.
	 */
	public String label() {
		return this.label;
	}

	/**
	 * Whether this is multilevel-cache (in any mode).
	 */
	public boolean isMultilevel() {
		return this.multilevel;
	}

	/**
	 * The properties that select this manager, with keys and channels under
	 * {@code prefix}.
	 */
	List<String> properties(String prefix) {
		List<String> properties = new ArrayList<>();
		switch (this) {
			case MULTILEVEL, MULTILEVEL_ACK, MULTILEVEL_TRACKING -> {
				properties.add("multilevel-cache.key-prefix=" + prefix);
				properties.add("multilevel-cache.invalidation.channel=" + prefix + "invalidation");
				properties
					.add("multilevel-cache.invalidation.mode=" + ((this == MULTILEVEL_ACK) ? "acknowledged" : "async"));
				if (this == MULTILEVEL_TRACKING) {
					properties.add("multilevel-cache.invalidation.transport=tracking");
				}
			}
			case REDIS -> {
				properties.add("spring.cache.type=redis");
				properties.add("spring.cache.redis.key-prefix=" + prefix);
				properties.add("spring.cache.redis.time-to-live=1h");
			}
			case CAFFEINE -> {
				properties.add("spring.cache.type=caffeine");
				properties.add("spring.cache.caffeine.spec=maximumSize=10000,expireAfterWrite=5m");
			}
			case JETCACHE -> {
				properties.add("benchmarks.jetcache.enabled=true");
				properties.add("benchmarks.jetcache.prefix=" + prefix);
			}
			case NONE -> properties.add("spring.cache.type=none");
		}
		return properties;
	}

}
