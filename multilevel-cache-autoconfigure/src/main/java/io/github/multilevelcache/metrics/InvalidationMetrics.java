package io.github.multilevelcache.metrics;

import java.util.function.ToDoubleFunction;

import io.github.multilevelcache.MultiLevelCacheManager;
import io.github.multilevelcache.invalidation.InvalidationStatistics;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Instance-wide meters: invalidation traffic
 * ({@code multilevel.cache.invalidations{direction=sent|received}}, {@code .gaps},
 * {@code .malformed}, {@code .resubscriptions}, {@code .epoch.changes},
 * {@code .ack.timeouts}, {@code .publish.failures}), known peers, and Redis availability
 * behind the circuit breaker ({@code multilevel.cache.l2.available}: 1 or 0;
 * {@code multilevel.cache.l2.rejected.calls}).
 */
public class InvalidationMetrics implements MeterBinder {

	private final @Nullable RedisInvalidationBus bus;

	private final MultiLevelCacheManager manager;

	public InvalidationMetrics(@Nullable RedisInvalidationBus bus, MultiLevelCacheManager manager) {
		this.bus = bus;
		this.manager = manager;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		if (this.bus != null) {
			RedisInvalidationBus bus = this.bus;
			counter(registry, bus, "multilevel.cache.invalidations", "direction", "sent", InvalidationStatistics::sent);
			counter(registry, bus, "multilevel.cache.invalidations", "direction", "received",
					InvalidationStatistics::received);
			counter(registry, bus, "multilevel.cache.invalidation.gaps", null, null, InvalidationStatistics::gaps);
			counter(registry, bus, "multilevel.cache.invalidation.malformed", null, null,
					InvalidationStatistics::malformed);
			counter(registry, bus, "multilevel.cache.invalidation.resubscriptions", null, null,
					InvalidationStatistics::resubscriptions);
			counter(registry, bus, "multilevel.cache.invalidation.epoch.changes", null, null,
					InvalidationStatistics::epochChanges);
			counter(registry, bus, "multilevel.cache.invalidation.ack.timeouts", null, null,
					InvalidationStatistics::ackTimeouts);
			counter(registry, bus, "multilevel.cache.invalidation.publish.failures", null, null,
					InvalidationStatistics::publishFailures);
			Gauge.builder("multilevel.cache.peers", bus, (b) -> b.peers().size())
				.description("Other instances heard recently")
				.register(registry);
		}
		Gauge.builder("multilevel.cache.l2.available", this.manager, (m) -> m.isRedisAvailable() ? 1 : 0)
			.description("Whether Redis calls are let through (1) or refused by the open circuit breaker (0)")
			.register(registry);
		FunctionCounter
			.builder("multilevel.cache.l2.rejected.calls", this.manager, MultiLevelCacheManager::getRefusedRedisCalls)
			.description("Redis calls refused without touching Redis while the circuit breaker was open")
			.register(registry);
	}

	private static void counter(MeterRegistry registry, RedisInvalidationBus bus, String name, @Nullable String tag,
			@Nullable String value, ToDoubleFunction<InvalidationStatistics> count) {
		FunctionCounter.Builder<RedisInvalidationBus> builder = FunctionCounter.builder(name, bus,
				(b) -> count.applyAsDouble(b.statistics()));
		if (tag != null && value != null) {
			builder.tag(tag, value);
		}
		builder.register(registry);
	}

}
