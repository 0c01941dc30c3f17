package io.github.multilevelcache.resilience;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of the protection around Redis.
 *
 * @param l2Timeout longest wait for any one Redis operation, independent of the connection's own timeout
 * @param failureRateThreshold failure percentage (of the sliding window) at which the breaker opens, 1–100
 * @param slowCallRateThreshold percentage of calls slower than {@code slowCallDuration} at which the breaker
 * opens, 1–100
 * @param slowCallDuration a call taking longer counts as slow
 * @param stayOpen how long the breaker stays open before it lets trial calls through
 * @param slidingWindowSize number of recent calls the rates are computed over
 * @param minimumCalls calls needed before the rates are evaluated
 * @param maxRememberedEvictions evictions remembered per cache during an outage; beyond it the whole cache
 * is cleared on recovery
 */
public record ResilienceSettings(Duration l2Timeout, float failureRateThreshold, float slowCallRateThreshold,
		Duration slowCallDuration, Duration stayOpen, int slidingWindowSize, int minimumCalls,
		int maxRememberedEvictions) {

	public ResilienceSettings {
		Objects.requireNonNull(l2Timeout, "l2Timeout must not be null");
		Objects.requireNonNull(slowCallDuration, "slowCallDuration must not be null");
		Objects.requireNonNull(stayOpen, "stayOpen must not be null");
	}

	/**
	 * The documented defaults: 200 ms timeout, open at 50 % failures or 100 % slow calls (slower than the
	 * timeout) over the last 20 calls (at least 10), stay open 5 s, remember up to 10,000 evictions per cache.
	 * @return the defaults
	 */
	public static ResilienceSettings defaults() {
		return new ResilienceSettings(Duration.ofMillis(200), 50, 100, Duration.ofMillis(200), Duration.ofSeconds(5),
				20, 10, 10_000);
	}

}
