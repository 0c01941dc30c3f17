package io.github.multilevelcache;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.converter.Converter;
import org.springframework.format.support.DefaultFormattingConversionService;
import org.springframework.util.ReflectionUtils;

/**
 * Builds canonical keys the way Spring Data Redis's {@code RedisCache} converts keys: a
 * {@link String} as is, otherwise through the {@link ConversionService} (which converts
 * {@link SimpleKey}), otherwise an overridden {@code toString()}. The canonical key is
 * {@code prefix + cacheName + "::" + key}; L1 and L2 use the same string.
 */
final class CacheKeys {

	static final String SEPARATOR = "::";

	private static final int MIN_MEMO_SLOTS = 1024;

	private static final int MAX_MEMO_SLOTS = 16_384;

	private final String cachePrefix;

	private final ConversionService conversionService;

	/**
	 * A direct-mapped memo of recent canonical keys, for immutable key types only. Racy
	 * by design: entries are immutable, so a reader sees a whole entry, an older one, or
	 * none, and then builds the key itself.
	 */
	private final @Nullable Memo[] memos;

	CacheKeys(String keyPrefix, String cacheName, ConversionService conversionService) {
		this(keyPrefix, cacheName, conversionService, 0);
	}

	/**
	 * Creates the keys of one cache.
	 * @param expectedKeys how many keys L1 may hold: the memo of canonical keys has a
	 * slot per key, between 1,024 and 16,384 slots (a reference each, filled by hot keys
	 * only)
	 */
	CacheKeys(String keyPrefix, String cacheName, ConversionService conversionService, long expectedKeys) {
		this.cachePrefix = keyPrefix + cacheName + SEPARATOR;
		this.conversionService = conversionService;
		long wanted = Math.max(MIN_MEMO_SLOTS, Math.min(MAX_MEMO_SLOTS, expectedKeys));
		this.memos = new Memo[Integer.highestOneBit((int) (wanted * 2 - 1))];
	}

	/**
	 * A conversion service with Spring's defaults and {@link SimpleKey} support, like
	 * {@code RedisCacheConfiguration.defaultCacheConfig()} registers.
	 * @return a new conversion service
	 */
	static ConversionService defaultConversionService() {
		DefaultFormattingConversionService service = new DefaultKeyConversionService();
		service.addConverter(SimpleKey.class, String.class, (Converter<SimpleKey, String>) SimpleKey::toString);
		return service;
	}

	String canonical(Object key) {
		// hot keys are looked up again and again: reuse their canonical form instead of
		// rebuilding it. Only immutable scalar keys are remembered, and their equals
		// accepts only their own type, so a hit here is always one of them.
		int slot = spread(key.hashCode()) & (this.memos.length - 1);
		Memo memo = this.memos[slot];
		if (memo != null && memo.key.equals(key)) {
			return memo.canonical;
		}
		return build(key, slot);
	}

	private String build(Object key, int slot) {
		String canonical = this.cachePrefix + convert(key);
		if (isImmutableScalar(key)) {
			this.memos[slot] = new Memo(key, canonical);
		}
		return canonical;
	}

	private static boolean isImmutableScalar(Object key) {
		return key instanceof String || key instanceof Long || key instanceof Integer || key instanceof UUID
				|| key instanceof Enum<?> || key instanceof Short || key instanceof Byte || key instanceof Character
				|| key instanceof Boolean;
	}

	private static int spread(int hash) {
		return hash ^ (hash >>> 16);
	}

	/**
	 * Whether a Redis key is one of this cache's.
	 */
	boolean owns(String redisKey) {
		return redisKey.startsWith(this.cachePrefix);
	}

	/**
	 * The {@code SCAN MATCH} pattern covering every key of the cache, glob characters
	 * escaped.
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
		if (this.conversionService instanceof DefaultKeyConversionService && isImmutableScalar(key)) {
			// what the default conversions give for the common key types, without their
			// lookups (an L1 hit
			// builds a key on every call)
			return (key instanceof Enum<?> constant) ? constant.name() : key.toString();
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
		throw new IllegalStateException(String.format(
				"Cannot convert cache key %s to String; register a "
						+ "Converter<%s, String> on the cache manager's ConversionService or override %s.toString()",
				source, key.getClass().getSimpleName(), key.getClass().getName()));
	}

	private record Memo(Object key, String canonical) {
	}

	/**
	 * The conversions of {@link #defaultConversionService()}, recognisable so that
	 * {@link #convert} may take its shortcuts; a user's own {@code ConversionService} is
	 * always asked.
	 */
	private static final class DefaultKeyConversionService extends DefaultFormattingConversionService {

	}

}
