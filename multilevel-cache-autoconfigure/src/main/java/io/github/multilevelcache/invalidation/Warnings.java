package io.github.multilevelcache.invalidation;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Logs the bus's Redis problems at WARN at most every 30 seconds (at DEBUG otherwise), so
 * an outage does not flood the log.
 */
final class Warnings {

	private static final Log logger = LogFactory.getLog(RedisInvalidationBus.class);

	private volatile long lastWarning = Long.MIN_VALUE / 2;

	void warn(String message, Throwable ex) {
		long now = System.currentTimeMillis();
		if (now - this.lastWarning > 30_000) {
			this.lastWarning = now;
			logger.warn(message + " (logged at most every 30 s): " + ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(message, ex);
		}
	}

}
