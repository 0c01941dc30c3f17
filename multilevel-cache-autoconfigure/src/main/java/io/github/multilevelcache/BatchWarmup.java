package io.github.multilevelcache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Warms one batch of keys into a cache ({@link MultiLevelCache#warm}): what Redis holds
 * is read into L1 in one {@code MGET}; each key it lacks goes through the cache's
 * {@code get(key, loader)}, so its stampede protection applies.
 */
final class BatchWarmup {

	private final MultiLevelCache cache;

	private final LoadPath loads;

	BatchWarmup(MultiLevelCache cache, LoadPath loads) {
		this.cache = cache;
		this.loads = loads;
	}

	WarmedBatch warm(Collection<?> keys, Function<Object, ?> loader, BooleanSupplier stop) {
		Map<String, Object> byCanonical = new LinkedHashMap<>();
		keys.forEach((key) -> byCanonical.put(this.cache.canonicalKey(key), key));
		List<String> missing = this.loads.readIntoL1(new ArrayList<>(byCanonical.keySet())).join();
		int loaded = 0;
		int failed = 0;
		for (String canonical : missing) {
			if (stop.getAsBoolean()) {
				break;
			}
			Object key = byCanonical.get(canonical);
			try {
				this.cache.get(key, () -> loader.apply(key));
				loaded++;
			}
			catch (RuntimeException ex) {
				failed++;
			}
		}
		return new WarmedBatch(byCanonical.size() - missing.size(), loaded, failed);
	}

}
