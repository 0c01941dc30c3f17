package io.github.multilevelcache;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Map;
import java.util.StringJoiner;

import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.converter.Converter;
import org.springframework.format.support.DefaultFormattingConversionService;
import org.springframework.util.ReflectionUtils;

/**
 * Builds canonical keys the way Spring Data Redis's {@code RedisCache} converts keys: a {@link String} as is,
 * otherwise through the {@link ConversionService} (which converts {@link SimpleKey}), otherwise an
 * overridden {@code toString()}. The canonical key is {@code prefix + cacheName + "::" + key}; L1 and L2
 * use the same string.
 */
final class CacheKeys {

	static final String SEPARATOR = "::";

	private final String cachePrefix;

	private final ConversionService conversionService;

	CacheKeys(String keyPrefix, String cacheName, ConversionService conversionService) {
		this.cachePrefix = keyPrefix + cacheName + SEPARATOR;
		this.conversionService = conversionService;
	}

	/**
	 * A conversion service with Spring's defaults and {@link SimpleKey} support, like
	 * {@code RedisCacheConfiguration.defaultCacheConfig()} registers.
	 * @return a new conversion service
	 */
	static ConversionService defaultConversionService() {
		DefaultFormattingConversionService service = new DefaultFormattingConversionService();
		service.addConverter(SimpleKey.class, String.class, (Converter<SimpleKey, String>) SimpleKey::toString);
		return service;
	}

	String canonical(Object key) {
		return this.cachePrefix + convert(key);
	}

	/**
	 * The {@code SCAN MATCH} pattern covering every key of the cache, glob characters escaped.
	 * @return the pattern
	 */
	String pattern() {
		StringBuilder pattern = new StringBuilder();
		for (char c : this.cachePrefix.toCharArray()) {
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
				pattern.append('\\');
			}
			pattern.append(c);
		}
		return pattern.append('*').toString();
	}

	private String convert(Object key) {
		if (key instanceof String string) {
			return string;
		}
		TypeDescriptor source = TypeDescriptor.forObject(key);
		if (this.conversionService.canConvert(source, TypeDescriptor.valueOf(String.class))) {
			try {
				String converted = this.conversionService.convert(key, String.class);
				if (converted != null) {
					return converted;
				}
			}
			catch (ConversionFailedException ex) {
				if (!(key instanceof Collection<?> || key instanceof Map<?, ?> || key.getClass().isArray())) {
					throw ex;
				}
			}
		}
		if (key instanceof Collection<?> collection) {
			StringJoiner joiner = new StringJoiner(",", "[", "]");
			collection.forEach((element) -> joiner.add(convert(element)));
			return joiner.toString();
		}
		if (key instanceof Map<?, ?> map) {
			StringJoiner joiner = new StringJoiner(",", "{", "}");
			map.forEach((k, v) -> joiner.add(convert(k) + "=" + convert(v)));
			return joiner.toString();
		}
		Method toString = ReflectionUtils.findMethod(key.getClass(), "toString");
		if (toString != null && toString.getDeclaringClass() != Object.class) {
			return key.toString();
		}
		throw new IllegalStateException(String.format("Cannot convert cache key %s to String; register a "
				+ "Converter<%s, String> on the cache manager's ConversionService or override %s.toString()",
				source, key.getClass().getSimpleName(), key.getClass().getName()));
	}

}
