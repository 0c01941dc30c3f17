package io.github.multilevelcache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.github.multilevelcache.CacheSettings;
import io.github.multilevelcache.InvalidCacheSettingException;
import io.github.multilevelcache.InvalidationMode;
import io.github.multilevelcache.ResilienceSettings;
import io.github.multilevelcache.autoconfigure.MultiLevelCacheProperties.CacheSpec;
import io.github.multilevelcache.invalidation.RedisInvalidationBus;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Turns {@link MultiLevelCacheProperties} into {@link CacheSettings},
 * {@link ResilienceSettings} and the bus's settings. A cache under {@code caches.<name>}
 * starts from the defaults as the environment sets them (bound afresh for each cache) and
 * the binder overlays only the keys the environment sets for that cache, so
 * {@code defaults.l2.ttl} applies to a cache that only sets {@code l1.maximum-size}.
 * Validation lives in the settings types; their {@link InvalidCacheSettingException}
 * becomes an {@link InvalidConfigurationPropertyValueException} with the full property
 * name, which Boot's failure analyzer reports with the value and the reason.
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
			CacheSpec spec = this.binder.bind(PREFIX + ".defaults", Bindable.of(CacheSpec.class))
				.orElseGet(CacheSpec::new);
			spec = this.binder.bind(PREFIX + ".caches[" + name + "]", Bindable.ofInstance(spec)).orElse(spec);
			settings.put(name, toSettings(spec, PREFIX + ".caches." + name));
		}
		return settings;
	}

	private CacheSettings toSettings(CacheSpec spec, String name) {
		String prefix = (spec.getKeyPrefix() != null) ? spec.getKeyPrefix() : this.keyPrefix;
		InvalidationMode mode = (spec.getInvalidation().getMode() != null) ? spec.getInvalidation().getMode()
				: this.properties.getInvalidation().getMode();
		return validated(name, () -> {
			MultiLevelCacheProperties.L1 l1 = spec.getL1();
			MultiLevelCacheProperties.L2 l2 = spec.getL2();
			MultiLevelCacheProperties.NullValues nulls = spec.getNullValues();
			MultiLevelCacheProperties.Stampede stampede = spec.getStampede();
			MultiLevelCacheProperties.WriteBehind writeBehind = spec.getWriteBehind();
			return new CacheSettings(prefix, spec.getStrategy(),
					new CacheSettings.L1(l1.isEnabled(), l1.getMaximumSize(), l1.getExpireAfterWrite(),
							l1.getExpireAfterAccess()),
					new CacheSettings.L2(l2.isEnabled(), l2.getTtl(), l2.getTtlJitter()),
					new CacheSettings.NullValues(nulls.isEnabled(), nulls.getTtl()),
					new CacheSettings.Stampede(stampede.isLocal(), stampede.isDistributed(), stampede.getLockLease(),
							stampede.getWaitTimeout()),
					new CacheSettings.Freshness(spec.getRefreshAhead().getRatio(), spec.getEarlyExpiration().getBeta()),
					mode,
					new CacheSettings.WriteBehind(writeBehind.getBatchSize(), writeBehind.getFlushInterval(),
							writeBehind.getMaxRetries(), writeBehind.getRetryBackoff(), writeBehind.getQueueCapacity(),
							writeBehind.getOfferTimeout(), writeBehind.isDurable()),
					spec.getWriter());
		});
	}

	RedisInvalidationBus.Settings invalidationSettings() {
		MultiLevelCacheProperties.Invalidation invalidation = this.properties.getInvalidation();
		List<String> prefixes = new ArrayList<>();
		prefixes.add(defaults().keyPrefix());
		configuredCaches().values().forEach((settings) -> prefixes.add(settings.keyPrefix()));
		return validated(PREFIX,
				() -> new RedisInvalidationBus.Settings(invalidation.getChannel(), invalidation.getHeartbeatInterval(),
						invalidation.getAckTimeout(), invalidation.getPeerTimeout(),
						this.keyPrefix + "multilevel-cache:epoch", invalidation.getTransport(), prefixes));
	}

	ResilienceSettings resilienceSettings() {
		MultiLevelCacheProperties.Resilience resilience = this.properties.getResilience();
		Duration slow = (resilience.getSlowCallDuration() != null) ? resilience.getSlowCallDuration()
				: resilience.getL2Timeout();
		return validated(PREFIX,
				() -> new ResilienceSettings(resilience.getL2Timeout(), resilience.getOpenAfterFailureRate(),
						resilience.getOpenAfterSlowCallRate(), slow, resilience.getStayOpen(),
						resilience.getSlidingWindowSize(), resilience.getMinimumCalls(),
						resilience.getMaxRememberedEvictions()));
	}

	private static <T> T validated(String prefix, Supplier<T> settings) {
		try {
			return settings.get();
		}
		catch (InvalidCacheSettingException ex) {
			throw new InvalidConfigurationPropertyValueException(prefix + "." + ex.getSetting(), ex.getValue(),
					ex.getReason());
		}
	}

}
