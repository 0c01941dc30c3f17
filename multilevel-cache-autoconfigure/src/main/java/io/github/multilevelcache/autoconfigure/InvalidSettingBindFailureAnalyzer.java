package io.github.multilevelcache.autoconfigure;

import io.github.multilevelcache.InvalidCacheSettingException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Explains a {@code multilevel-cache.*} value that the binder could not convert because
 * the value type itself refused it (a {@code Percentage} outside 0 %–100 %), in the same
 * words as Boot uses for any other invalid property value: the property, the value, where
 * it came from, and what is allowed.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class InvalidSettingBindFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
		ConfigurationProperty property = cause.getProperty();
		InvalidCacheSettingException invalid = findCause(cause, InvalidCacheSettingException.class);
		if (property == null || invalid == null
				|| !property.getName().toString().startsWith(CacheSettingsResolver.PREFIX + ".")) {
			return null;
		}
		String origin = (property.getOrigin() != null) ? " (originating from '" + property.getOrigin() + "')" : "";
		String description = "Invalid value '" + property.getValue() + "' for configuration property '"
				+ property.getName() + "'" + origin + ". Validation failed for the following reason:\n\n"
				+ invalid.getReason();
		return new FailureAnalysis(description,
				"Review the value of the property '" + property.getName() + "' with the provided reason.", cause);
	}

}
