package io.github.multilevelcache.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import io.github.multilevelcache.CacheSettings;
import io.github.multilevelcache.InvalidationMode;
import io.github.multilevelcache.autoconfigure.MultiLevelCacheProperties.CacheSpec;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import io.github.multilevelcache.resilience.ResilienceSettings;

/**
 * Turns {@link MultiLevelCacheProperties} into validated {@link CacheSettings}. A cache under
 * {@code caches.<name>} starts from a copy of the defaults and the binder overlays only the keys that the
 * environment sets for it, so {@code defaults.l2.ttl} applies to a cache that only sets
 * {@code l1.maximum-size}. Invalid values raise {@link InvalidConfigurationPropertyValueException}, which
 * Boot's failure analyzer reports with the property name, the value and the reason.
 */
final class CacheSettingsResolver {

	static final String PREFIX = "multilevel-cache";

	private final MultiLevelCacheProperties properties;

	private final Binder binder;

	private final String keyPrefix;

	CacheSettingsResolver(MultiLevelCacheProperties properties, Binder binder, @Nullable String applicationName) {
		this.properties = properties;
		this.binder = binder;
		if (properties.getKeyPrefix() != null) {
			this.keyPrefix = properties.getKeyPrefix();
		}
		else {
			this.keyPrefix = (applicationName != null && !applicationName.isBlank()) ? applicationName + ":" : "";
		}
	}

	String keyPrefix() {
		return this.keyPrefix;
	}

	CacheSettings defaults() {
		return toSettings(this.properties.getDefaults(), PREFIX + ".defaults");
	}

	Map<String, CacheSettings> configuredCaches() {
		Map<String, CacheSettings> settings = new LinkedHashMap<>();
		for (String name : this.properties.getCaches().keySet()) {
			String propertyName = PREFIX + ".caches[" + name + "]";
			CacheSpec spec = this.binder.bind(propertyName, Bindable.ofInstance(this.properties.getDefaults().copy()))
				.orElseGet(() -> this.properties.getDefaults().copy());
			settings.put(name, toSettings(spec, PREFIX + ".caches." + name));
		}
		return settings;
	}

	private CacheSettings toSettings(CacheSpec spec, String name) {
		String prefix = (spec.getKeyPrefix() != null) ? spec.getKeyPrefix() : this.keyPrefix;
		MultiLevelCacheProperties.L1 l1 = spec.getL1();
		check(l1.getMaximumSize() >= 0, name + ".l1.maximum-size", l1.getMaximumSize(), "must be 0 or more");
		checkPositive(l1.getExpireAfterWrite(), name + ".l1.expire-after-write");
		checkPositive(l1.getExpireAfterAccess(), name + ".l1.expire-after-access");
		MultiLevelCacheProperties.L2 l2 = spec.getL2();
		checkPositive(l2.getTtl(), name + ".l2.ttl");
		double jitter = parseRatio(l2.getTtlJitter(), name + ".l2.ttl-jitter");
		MultiLevelCacheProperties.NullValues nulls = spec.getNullValues();
		check(nulls.getTtl() != null, name + ".null-values.ttl", null, "must be set");
		checkPositive(nulls.getTtl(), name + ".null-values.ttl");
		MultiLevelCacheProperties.Stampede stampede = spec.getStampede();
		checkPositive(stampede.getLockLease(), name + ".stampede.lock-lease");
		checkPositive(stampede.getWaitTimeout(), name + ".stampede.wait-timeout");
		double ratio = spec.getRefreshAhead().getRatio();
		check(ratio >= 0 && ratio < 1, name + ".refresh-ahead.ratio", ratio,
				"must be from 0 (off) to below 1, e.g. 0.8 to reload entries older than 80% of their TTL");
		double beta = spec.getEarlyExpiration().getBeta();
		check(beta >= 0 && !Double.isInfinite(beta) && !Double.isNaN(beta), name + ".early-expiration.beta", beta,
				"must be 0 (off) or more, e.g. 1.0");
		MultiLevelCacheProperties.WriteBehind writeBehind = spec.getWriteBehind();
		check(writeBehind.getBatchSize() >= 1, name + ".write-behind.batch-size", writeBehind.getBatchSize(),
				"must be at least 1");
		check(writeBehind.getMaxRetries() >= 0, name + ".write-behind.max-retries", writeBehind.getMaxRetries(),
				"must be 0 or more");
		check(writeBehind.getQueueCapacity() >= 1, name + ".write-behind.queue-capacity",
				writeBehind.getQueueCapacity(), "must be at least 1");
		checkPositive(writeBehind.getFlushInterval(), name + ".write-behind.flush-interval");
		checkPositive(writeBehind.getRetryBackoff(), name + ".write-behind.retry-backoff");
		checkPositive(writeBehind.getOfferTimeout(), name + ".write-behind.offer-timeout");
		InvalidationMode mode = (spec.getInvalidation().getMode() != null) ? spec.getInvalidation().getMode()
				: this.properties.getInvalidation().getMode();
		return new CacheSettings(prefix, spec.getStrategy(),
				new CacheSettings.L1(l1.isEnabled(), l1.getMaximumSize(), l1.getExpireAfterWrite(),
						l1.getExpireAfterAccess()),
				new CacheSettings.L2(l2.isEnabled(), l2.getTtl(), jitter),
				new CacheSettings.NullValues(nulls.isEnabled(), nulls.getTtl()),
				new CacheSettings.Stampede(stampede.isLocal(), stampede.isDistributed(), stampede.getLockLease(),
						stampede.getWaitTimeout()),
				new CacheSettings.Freshness(ratio, beta), mode,
				new CacheSettings.WriteBehind(writeBehind.getBatchSize(), writeBehind.getFlushInterval(),
						writeBehind.getMaxRetries(), writeBehind.getRetryBackoff(), writeBehind.getQueueCapacity(),
						writeBehind.getOfferTimeout(), writeBehind.isDurable()),
				spec.getWriter());
	}

	RedisInvalidationBus.Settings invalidationSettings() {
		MultiLevelCacheProperties.Invalidation invalidation = this.properties.getInvalidation();
		String name = PREFIX + ".invalidation";
		check(invalidation.getChannel() != null && !invalidation.getChannel().isBlank(), name + ".channel",
				invalidation.getChannel(), "must not be empty");
		check(invalidation.getHeartbeatInterval() != null, name + ".heartbeat-interval", null, "must be set");
		checkPositive(invalidation.getHeartbeatInterval(), name + ".heartbeat-interval");
		check(invalidation.getAckTimeout() != null, name + ".ack-timeout", null, "must be set");
		checkPositive(invalidation.getAckTimeout(), name + ".ack-timeout");
		check(invalidation.getPeerTimeout() != null
				&& invalidation.getPeerTimeout().compareTo(invalidation.getHeartbeatInterval().multipliedBy(2)) >= 0,
				name + ".peer-timeout", invalidation.getPeerTimeout(),
				"must be at least twice the heartbeat interval (" + invalidation.getHeartbeatInterval() + ")");
		return new RedisInvalidationBus.Settings(invalidation.getChannel(), invalidation.getHeartbeatInterval(),
				invalidation.getAckTimeout(), invalidation.getPeerTimeout(), this.keyPrefix + "multilevel-cache:epoch");
	}

	ResilienceSettings resilienceSettings() {
		MultiLevelCacheProperties.Resilience resilience = this.properties.getResilience();
		String name = PREFIX + ".resilience";
		check(resilience.getL2Timeout() != null, name + ".l2-timeout", null, "must be set");
		checkPositive(resilience.getL2Timeout(), name + ".l2-timeout");
		double failureRate = parseRatio(resilience.getOpenAfterFailureRate(), name + ".open-after-failure-rate");
		check(failureRate > 0, name + ".open-after-failure-rate", resilience.getOpenAfterFailureRate(),
				"must be above 0% (and at most 100%)");
		double slowRate = parseRatio(resilience.getOpenAfterSlowCallRate(), name + ".open-after-slow-call-rate");
		check(slowRate > 0, name + ".open-after-slow-call-rate", resilience.getOpenAfterSlowCallRate(),
				"must be above 0% (and at most 100%)");
		checkPositive(resilience.getSlowCallDuration(), name + ".slow-call-duration");
		check(resilience.getStayOpen() != null, name + ".stay-open", null, "must be set");
		checkPositive(resilience.getStayOpen(), name + ".stay-open");
		check(resilience.getSlidingWindowSize() >= 1, name + ".sliding-window-size",
				resilience.getSlidingWindowSize(), "must be at least 1");
		check(resilience.getMinimumCalls() >= 1, name + ".minimum-calls", resilience.getMinimumCalls(),
				"must be at least 1");
		check(resilience.getMaxRememberedEvictions() >= 0, name + ".max-remembered-evictions",
				resilience.getMaxRememberedEvictions(), "must be 0 or more");
		Duration slow = (resilience.getSlowCallDuration() != null) ? resilience.getSlowCallDuration()
				: resilience.getL2Timeout();
		return new ResilienceSettings(resilience.getL2Timeout(), (float) (failureRate * 100), (float) (slowRate * 100),
				slow, resilience.getStayOpen(), resilience.getSlidingWindowSize(), resilience.getMinimumCalls(),
				resilience.getMaxRememberedEvictions());
	}

	/**
	 * Parses "10%", "10 %" or "0.1" into a fraction between 0 and 1.
	 */
	static double parseRatio(@Nullable String value, String name) {
		String reason = "must be a percentage from 0% to 100% (e.g. 10%) or a fraction from 0 to 1 (e.g. 0.1)";
		check(value != null && !value.isBlank(), name, value, reason);
		String trimmed = value.trim();
		boolean percent = trimmed.endsWith("%");
		double ratio;
		try {
			ratio = Double.parseDouble(percent ? trimmed.substring(0, trimmed.length() - 1).trim() : trimmed);
		}
		catch (NumberFormatException ex) {
			throw new InvalidConfigurationPropertyValueException(name, value, reason);
		}
		if (percent) {
			ratio = ratio / 100;
		}
		check(ratio >= 0 && ratio <= 1 && !Double.isNaN(ratio), name, value, reason);
		return ratio;
	}

	private static void checkPositive(@Nullable Duration duration, String name) {
		if (duration != null) {
			check(!duration.isNegative() && !duration.isZero(), name, duration,
					"must be a positive duration (e.g. 30s, 10m, 1h); leave it unset for no expiry");
		}
	}

	private static void check(boolean valid, String name, @Nullable Object value, String reason) {
		if (!valid) {
			throw new InvalidConfigurationPropertyValueException(name, value, reason);
		}
	}

}
