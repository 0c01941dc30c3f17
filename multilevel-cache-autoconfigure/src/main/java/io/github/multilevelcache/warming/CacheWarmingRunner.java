package io.github.multilevelcache.warming;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;

/**
 * Warms every cache with a {@link CacheWarmer} while the application starts: Spring Boot
 * calls runners before it publishes {@code ReadinessState.ACCEPTING_TRAFFIC}, so the
 * instance reports itself not ready ({@code REFUSING_TRAFFIC},
 * {@code /actuator/health/readiness} {@code OUT_OF_SERVICE}) until warming finished or
 * its {@code multilevel-cache.warming.timeout} passed. Runs after the application's own
 * runners (lowest precedence), so a runner that seeds data comes first.
 */
public final class CacheWarmingRunner implements ApplicationRunner, Ordered {

	private final CacheWarming warming;

	public CacheWarmingRunner(CacheWarming warming) {
		this.warming = warming;
	}

	@Override
	public void run(ApplicationArguments args) {
		this.warming.warmAll();
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
