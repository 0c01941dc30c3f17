package io.github.multilevelcache.autoconfigure;

import io.github.multilevelcache.MultiLevelCacheManager;

import org.springframework.context.SmartLifecycle;

/**
 * Flushes write-behind queues when the context stops (G9): after the web server stopped
 * taking requests (which may still write) and before the invalidation bus and Redis
 * connections stop.
 * <p>
 * Lifecycles stop from the highest phase down, and beans of one phase stop together in no
 * defined order. Spring Boot's web server lifecycles use
 * {@code WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE}
 * ({@code DEFAULT_PHASE - 1024}: waits for requests in flight) and
 * {@code START_STOP_LIFECYCLE_PHASE} ({@code DEFAULT_PHASE - 2048}: stops the server).
 * This one runs at {@link #PHASE} ({@code DEFAULT_PHASE - 3072}), strictly below both, so
 * the flush starts only once the server stopped and no request can still be writing; in
 * the server's own phase a request finishing during an immediate shutdown could queue a
 * write after the flush. It stays above the invalidation bus
 * ({@code DEFAULT_PHASE - 4096}) and the Redis connection factory (phase {@code 0}),
 * which the flush and the journal still need.
 */
final class WriteBehindShutdown implements SmartLifecycle {

	/**
	 * Below the web server's stop ({@code DEFAULT_PHASE - 2048}), above the invalidation
	 * bus ({@code DEFAULT_PHASE - 4096}).
	 */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

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
		return PHASE;
	}

}
