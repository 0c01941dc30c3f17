package io.github.multilevelcache.serialization;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import tools.jackson.databind.DatabindContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.jsontype.PolymorphicTypeValidator;

/**
 * Allows a type name only when it starts with one of the configured prefixes. The
 * decision is made on the name alone ({@link #validateSubClassName}), so Jackson never
 * loads a class that is not allowed.
 */
final class AllowListTypeValidator extends PolymorphicTypeValidator.Base {

	private final List<String> prefixes;

	AllowListTypeValidator(Collection<String> builtIn, Collection<String> configured) {
		List<String> all = new ArrayList<>(builtIn);
		for (String prefix : configured) {
			String trimmed = prefix.trim();
			if (trimmed.isEmpty()) {
				continue;
			}
			boolean looksLikePackage = !trimmed.endsWith(".") && !trimmed.contains("$")
					&& Character.isLowerCase(trimmed.charAt(trimmed.lastIndexOf('.') + 1));
			all.add(looksLikePackage ? trimmed + "." : trimmed);
		}
		this.prefixes = List.copyOf(all);
	}

	List<String> prefixes() {
		return this.prefixes;
	}

	boolean isAllowed(String typeName) {
		String name = elementName(typeName);
		if (name.length() == 1 && "ZBCSIJFD".contains(name)) {
			return true; // primitive array
		}
		for (String prefix : this.prefixes) {
			if ((prefix.endsWith(".") || prefix.endsWith("$")) ? name.startsWith(prefix) : name.equals(prefix)) {
				return true;
			}
		}
		return false;
	}

	private static String elementName(String typeName) {
		String name = typeName;
		while (name.startsWith("[")) {
			name = name.substring(1);
		}
		if (name.startsWith("L") && name.endsWith(";")) {
			name = name.substring(1, name.length() - 1);
		}
		int generic = name.indexOf('<');
		return (generic >= 0) ? name.substring(0, generic) : name;
	}

	@Override
	public Validity validateBaseType(DatabindContext ctxt, JavaType baseType) {
		return Validity.INDETERMINATE;
	}

	@Override
	public Validity validateSubClassName(DatabindContext ctxt, JavaType baseType, String subClassName) {
		return isAllowed(subClassName) ? Validity.ALLOWED : Validity.DENIED;
	}

	@Override
	public Validity validateSubType(DatabindContext ctxt, JavaType baseType, JavaType subType) {
		return isAllowed(subType.getRawClass().getName()) ? Validity.ALLOWED : Validity.DENIED;
	}

}
