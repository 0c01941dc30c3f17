package io.github.multilevelcache.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Explains {@code multilevel-cache.*} keys that do not exist (a typo such as
 * {@code l1.maximum-sise} would otherwise be ignored and the default used): names each
 * unknown key, its value and origin, and the closest valid key, taken from the
 * configuration metadata the starter ships.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class UnknownPropertyFailureAnalyzer extends AbstractFailureAnalyzer<UnboundConfigurationPropertiesException> {

	private static final String PREFIX = CacheSettingsResolver.PREFIX + ".";

	private static final String CACHES = PREFIX + "caches.";

	private static final String DEFAULTS = PREFIX + "defaults.";

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, UnboundConfigurationPropertiesException cause) {
		List<ConfigurationProperty> unknown = new ArrayList<>();
		for (ConfigurationProperty property : cause.getUnboundProperties()) {
			if (property.getName().toString().startsWith(PREFIX)) {
				unknown.add(property);
			}
		}
		if (unknown.isEmpty()) {
			return null;
		}
		Set<String> known = knownProperties();
		StringBuilder description = new StringBuilder();
		StringBuilder action = new StringBuilder();
		for (ConfigurationProperty property : unknown) {
			String name = property.getName().toString();
			String suggestion = closest(name, known);
			description.append("Property '")
				.append(name)
				.append("' with value '")
				.append(property.getValue())
				.append("'");
			if (property.getOrigin() != null) {
				description.append(" (from ").append(property.getOrigin()).append(")");
			}
			description.append(" is not a multilevel-cache property.");
			if (suggestion != null) {
				description.append(" Did you mean '").append(suggestion).append("'?");
			}
			description.append('\n');
			action.append(
					(suggestion != null) ? "Rename '" + name + "' to '" + suggestion + "'." : "Remove '" + name + "'.");
			action.append(' ');
		}
		action.append("Every property is listed in the README and completed by IDEs from the configuration metadata.");
		return new FailureAnalysis(description.toString().trim(), action.toString(), cause);
	}

	/**
	 * The valid key closest to {@code name} (Levenshtein distance); a per-cache key is
	 * matched against the defaults' keys and suggested for the same cache.
	 */
	static @Nullable String closest(String name, Set<String> known) {
		String cachePrefix = null;
		String target = name;
		if (name.startsWith(CACHES)) {
			int dot = name.indexOf('.', CACHES.length());
			if (dot < 0) {
				return null;
			}
			cachePrefix = name.substring(0, dot + 1);
			target = DEFAULTS + name.substring(dot + 1);
		}
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		for (String candidate : known) {
			int distance = distance(target, candidate);
			if (distance < bestDistance) {
				bestDistance = distance;
				best = candidate;
			}
		}
		if (best == null || bestDistance > Math.max(3, target.length() / 3)) {
			return null;
		}
		return (cachePrefix != null && best.startsWith(DEFAULTS)) ? cachePrefix + best.substring(DEFAULTS.length())
				: best;
	}

	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

	@SuppressWarnings("unchecked")
	private static Set<String> knownProperties() {
		Set<String> names = new TreeSet<>();
		try {
			Enumeration<URL> resources = UnknownPropertyFailureAnalyzer.class.getClassLoader()
				.getResources("META-INF/spring-configuration-metadata.json");
			JsonMapper mapper = JsonMapper.builder().build();
			while (resources.hasMoreElements()) {
				try (InputStream in = resources.nextElement().openStream()) {
					Map<String, Object> metadata = mapper.readValue(in, Map.class);
					Object properties = metadata.get("properties");
					if (properties instanceof List<?> list) {
						for (Object property : list) {
							Object name = ((Map<String, Object>) property).get("name");
							if (name instanceof String text && text.startsWith(PREFIX)
									&& !text.equals(PREFIX + "caches")) {
								names.add(text);
							}
						}
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return names;
	}

}
