package io.github.multilevelcache;

import java.util.Locale;

/**
 * A share between 0 % and 100 %, written {@code 10%}, {@code 10 %} or as a fraction
 * ({@code 0.1}) in configuration. Immutable.
 *
 * @param fraction the share as a fraction from 0 to 1
 */
public record Percentage(double fraction) {

	private static final String RULE = "must be a percentage from 0% to 100% (e.g. 10%) or a fraction from 0 to 1 (e.g. 0.1)";

	/**
	 * Creates a percentage.
	 * @throws InvalidCacheSettingException when the fraction is not between 0 and 1
	 */
	public Percentage {
		InvalidCacheSettingException.require(fraction >= 0 && fraction <= 1 && !Double.isNaN(fraction), "percentage",
				fraction, RULE);
	}

	/**
	 * Parses {@code "10%"}, {@code "10 %"} or {@code "0.1"}.
	 * @param text the text
	 * @return the percentage
	 * @throws InvalidCacheSettingException when the text is neither
	 */
	public static Percentage parse(String text) {
		String trimmed = text.trim();
		boolean percent = trimmed.endsWith("%");
		double value;
		try {
			value = Double.parseDouble(percent ? trimmed.substring(0, trimmed.length() - 1).trim() : trimmed);
		}
		catch (NumberFormatException ex) {
			throw new InvalidCacheSettingException("percentage", text, RULE);
		}
		double fraction = percent ? value / 100 : value;
		InvalidCacheSettingException.require(fraction >= 0 && fraction <= 1 && !Double.isNaN(fraction), "percentage",
				text, RULE);
		return new Percentage(fraction);
	}

	/**
	 * Parses configuration text, as {@link #parse(String)} does; the binder converts
	 * property values to percentages through this method.
	 * @param text the text
	 * @return the percentage
	 */
	public static Percentage valueOf(String text) {
		return parse(text);
	}

	/**
	 * A percentage of {@code percent} %.
	 * @param percent from 0 to 100
	 * @return the percentage
	 */
	public static Percentage ofPercent(double percent) {
		return new Percentage(percent / 100);
	}

	/**
	 * The share in percent.
	 * @return from 0 to 100
	 */
	public float percent() {
		return (float) (this.fraction * 100);
	}

	@Override
	public String toString() {
		double percent = this.fraction * 100;
		return (percent == Math.rint(percent)) ? String.format(Locale.ROOT, "%d%%", (long) percent)
				: String.format(Locale.ROOT, "%s%%", percent);
	}

}
