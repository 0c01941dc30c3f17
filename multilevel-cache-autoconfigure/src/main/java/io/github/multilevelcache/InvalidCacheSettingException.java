package io.github.multilevelcache;

import org.jspecify.annotations.Nullable;

/**
 * A setting of {@link CacheSettings} or {@link ResilienceSettings} is out of range.
 * Carries the setting's name relative to its cache ({@code l1.maximum-size}) or to the
 * manager ({@code resilience.l2-timeout}), the value and the reason, so the
 * auto-configuration can report the full property name at start-up.
 */
public class InvalidCacheSettingException extends IllegalArgumentException {

	private final String setting;

	private final @Nullable Object value;

	private final String reason;

	/**
	 * Creates an exception.
	 * @param setting the setting's relative property name, e.g. {@code l1.maximum-size}
	 * @param value the rejected value
	 * @param reason what is allowed
	 */
	public InvalidCacheSettingException(String setting, @Nullable Object value, String reason) {
		super(setting + " " + reason + ": " + value);
		this.setting = setting;
		this.value = value;
		this.reason = reason;
	}

	/**
	 * The setting's property name relative to its cache or manager.
	 * @return e.g. {@code l1.maximum-size}
	 */
	public String getSetting() {
		return this.setting;
	}

	/**
	 * The rejected value.
	 * @return the value, possibly {@code null}
	 */
	public @Nullable Object getValue() {
		return this.value;
	}

	/**
	 * What is allowed.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

	static void require(boolean valid, String setting, @Nullable Object value, String reason) {
		if (!valid) {
			throw new InvalidCacheSettingException(setting, value, reason);
		}
	}

	static void requirePositive(java.time.@Nullable Duration duration, String setting) {
		require(duration == null || (!duration.isNegative() && !duration.isZero()), setting, duration,
				"must be a positive duration (e.g. 30s, 10m, 1h)");
	}

	static void requireSet(@Nullable Object value, String setting) {
		require(value != null, setting, null, "must be set");
	}

}
