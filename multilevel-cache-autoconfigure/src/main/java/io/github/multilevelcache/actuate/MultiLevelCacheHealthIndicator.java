package io.github.multilevelcache.actuate;

import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the two-level cache. Always {@code UP}: with Redis unreachable the cache
 * keeps serving from L1 and loaders, so taking the application out of a load balancer
 * would be wrong; the details say {@code degraded: true} with the reason instead.
 */
public class MultiLevelCacheHealthIndicator extends AbstractHealthIndicator {

	private final MultiLevelCacheManager manager;

	private final @Nullable RedisInvalidationBus bus;

	public MultiLevelCacheHealthIndicator(MultiLevelCacheManager manager, @Nullable RedisInvalidationBus bus) {
		super("Multi-level cache health check failed");
		this.manager = manager;
		this.bus = bus;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		boolean l2Available = this.manager.isRedisAvailable();
		boolean subscribed = this.bus == null || this.bus.isSubscribed();
		builder.up().withDetail("caches", this.manager.getCacheNames().size());
		builder.withDetail("l2", this.manager.getRedisState());
		if (this.bus != null) {
			builder.withDetail("invalidationSubscribed", subscribed).withDetail("peers", this.bus.peers().size());
		}
		builder.withDetail("degraded", !(l2Available && subscribed));
		if (!l2Available) {
			builder.withDetail("reason", "Redis unreachable or slow: serving from L1 and loaders");
		}
		else if (!subscribed) {
			builder.withDetail("reason", "invalidation subscription down: L1 entries may be stale until it is back");
		}
	}

}
