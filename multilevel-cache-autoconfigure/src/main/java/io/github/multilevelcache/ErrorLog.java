package io.github.multilevelcache;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Counts failed Redis calls of one cache and logs them at WARN at most every 10 seconds
 * (at DEBUG otherwise), so an outage under load does not flood the log.
 */
final class ErrorLog {

	private static final Log logger = LogFactory.getLog(MultiLevelCache.class);

	private static final long INTERVAL_MILLIS = 10_000;

	private final String cacheName;

	private final CacheStatistics statistics;

	private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE / 2);

	ErrorLog(String cacheName, CacheStatistics statistics) {
		this.cacheName = cacheName;
		this.statistics = statistics;
	}

	void failed(String operation, Throwable ex) {
		this.statistics.countL2Error();
		long now = System.currentTimeMillis();
		long last = this.lastWarning.get();
		if (now - last >= INTERVAL_MILLIS && this.lastWarning.compareAndSet(last, now)) {
			logger.warn("Redis " + operation + " failed for cache '" + this.cacheName
					+ "'; serving from L1 and the loader (logged at most every 10 s): " + ex.getMessage());
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Redis " + operation + " failed for cache '" + this.cacheName + "'", ex);
		}
	}

}
