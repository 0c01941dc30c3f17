package io.github.multilevelcache;

import java.time.Duration;

import static io.github.multilevelcache.InvalidCacheSettingException.require;
import static io.github.multilevelcache.InvalidCacheSettingException.requirePositive;
import static io.github.multilevelcache.InvalidCacheSettingException.requireSet;

/**
 * Immutable settings of the protection around Redis, shared by every cache of a manager.
 *
 * @param l2Timeout longest wait for any one Redis operation, independent of the
 * connection's own timeout
 * @param openAfterFailureRate failure rate over the sliding window at which the breaker
 * opens, above 0
 * @param openAfterSlowCallRate rate of calls slower than {@code slowCallDuration} at
 * which it opens, above 0
 * @param slowCallDuration a call taking longer counts as slow
 * @param stayOpen how long the breaker stays open before it lets trial calls through
 * @param slidingWindowSize number of recent calls the rates are computed over, at least 1
 * @param minimumCalls calls needed before the rates are evaluated, at least 1
 * @param maxRememberedEvictions keys remembered per cache while Redis cannot be written;
 * beyond it the whole cache is cleared on recovery, 0 or more
 */
public record ResilienceSettings(Duration l2Timeout, Percentage openAfterFailureRate, Percentage openAfterSlowCallRate,
		Duration slowCallDuration, Duration stayOpen, int slidingWindowSize, int minimumCalls,
		int maxRememberedEvictions) {

	/**
	 * Validates every component.
	 * @throws InvalidCacheSettingException naming the setting when a value is out of
	 * range
	 */
	public ResilienceSettings {
		requireSet(l2Timeout, "resilience.l2-timeout");
		requirePositive(l2Timeout, "resilience.l2-timeout");
		requireSet(openAfterFailureRate, "resilience.open-after-failure-rate");
		require(openAfterFailureRate.fraction() > 0, "resilience.open-after-failure-rate", openAfterFailureRate,
				"must be above 0% (and at most 100%)");
		requireSet(openAfterSlowCallRate, "resilience.open-after-slow-call-rate");
		require(openAfterSlowCallRate.fraction() > 0, "resilience.open-after-slow-call-rate", openAfterSlowCallRate,
				"must be above 0% (and at most 100%)");
		requireSet(slowCallDuration, "resilience.slow-call-duration");
		requirePositive(slowCallDuration, "resilience.slow-call-duration");
		requireSet(stayOpen, "resilience.stay-open");
		requirePositive(stayOpen, "resilience.stay-open");
		require(slidingWindowSize >= 1, "resilience.sliding-window-size", slidingWindowSize, "must be at least 1");
		require(minimumCalls >= 1, "resilience.minimum-calls", minimumCalls, "must be at least 1");
		require(maxRememberedEvictions >= 0, "resilience.max-remembered-evictions", maxRememberedEvictions,
				"must be 0 or more");
	}

	/**
	 * The documented defaults: 200 ms timeout, open at 50 % failures or 100 % slow calls
	 * (slower than the timeout) over the last 20 calls (at least 10), stay open 5 s,
	 * remember up to 10,000 keys per cache.
	 * @return the defaults
	 */
	public static ResilienceSettings defaults() {
		return new ResilienceSettings(Duration.ofMillis(200), Percentage.ofPercent(50), Percentage.ofPercent(100),
				Duration.ofMillis(200), Duration.ofSeconds(5), 20, 10, 10_000);
	}

}
