package io.github.multilevelcache.autoconfigure;

import io.github.multilevelcache.MultiLevelCacheManager;

import org.springframework.context.SmartLifecycle;

/**
 * Flushes write-behind queues when the context stops (G9): after the web server stopped
 * taking requests (which may still write) and before the invalidation bus and Redis
 * connections stop.
 */
final class WriteBehindShutdown implements SmartLifecycle {

	private final MultiLevelCacheManager cacheManager;

	private volatile boolean running;

	WriteBehindShutdown(MultiLevelCacheManager cacheManager) {
		this.cacheManager = cacheManager;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.cacheManager.closeWriters();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 2048;
	}

}
