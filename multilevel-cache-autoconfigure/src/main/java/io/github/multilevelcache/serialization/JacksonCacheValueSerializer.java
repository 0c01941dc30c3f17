package io.github.multilevelcache.serialization;

import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TreeNode;
import tools.jackson.databind.DefaultTyping;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.impl.DefaultTypeResolverBuilder;

/**
 * The default {@link CacheValueSerializer}: Jackson 3 JSON with type information, where
 * every type name in a payload is checked against an allow-list of package or class-name
 * prefixes <em>before</em> any class is loaded. A payload naming any other type is a
 * {@link CorruptValueException} (a miss), never an instantiation. Java native
 * serialization is never used.
 * <p>
 * Type information is written for every value except JSON's natural types
 * ({@link String}, {@link Boolean}, {@link Integer}, {@link Double}), so a {@link Long}
 * comes back as a {@code Long} and a record as that record.
 */
public final class JacksonCacheValueSerializer implements CacheValueSerializer {

	/**
	 * Value types of the JDK that are always allowed: boxed primitives, strings, big
	 * numbers, {@code java.time} types, dates, UUIDs and the standard collections.
	 */
	public static final List<String> JDK_VALUE_TYPES = List.of("java.lang.String", "java.lang.Boolean",
			"java.lang.Character", "java.lang.Byte", "java.lang.Short", "java.lang.Integer", "java.lang.Long",
			"java.lang.Float", "java.lang.Double", "java.math.BigDecimal", "java.math.BigInteger", "java.time.",
			"java.util.UUID", "java.util.Date", "java.util.Locale", "java.util.Currency", "java.util.Optional",
			"java.util.ArrayList", "java.util.LinkedList", "java.util.HashMap", "java.util.LinkedHashMap",
			"java.util.TreeMap", "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
			"java.util.EnumMap", "java.util.EnumSet", "java.util.ArrayDeque", "java.util.ImmutableCollections$",
			"java.util.Collections$", "java.util.Arrays$ArrayList", "java.util.concurrent.ConcurrentHashMap",
			"java.util.concurrent.CopyOnWriteArrayList", "java.sql.Timestamp", "java.sql.Date");

	private final ObjectWriter writer;

	private final ObjectReader reader;

	private final AllowListTypeValidator validator;

	/**
	 * Creates a serializer that allows the JDK value types and the given prefixes.
	 * @param allowedTypePrefixes package names ({@code com.example.}) or class names; a
	 * package name without a trailing dot is treated as a package
	 */
	public JacksonCacheValueSerializer(Collection<String> allowedTypePrefixes) {
		this.validator = new AllowListTypeValidator(JDK_VALUE_TYPES, allowedTypePrefixes);
		JsonMapper mapper = JsonMapper.builder().setDefaultTyping(new EveryNonNaturalType(this.validator)).build();
		this.writer = mapper.writerFor(Object.class);
		this.reader = mapper.readerFor(Object.class);
	}

	/**
	 * The prefixes this serializer allows, JDK value types included.
	 * @return an unmodifiable list
	 */
	public List<String> allowedTypePrefixes() {
		return this.validator.prefixes();
	}

	@Override
	public byte[] serialize(Object value) {
		String typeName = value.getClass().getName();
		if (!this.validator.isAllowed(typeName)) {
			throw new IllegalArgumentException("Type " + typeName + " is not in the cache's serialization allow-list "
					+ "(multilevel-cache.serialization.allowed-types); add its package to cache it");
		}
		try {
			return this.writer.writeValueAsBytes(value);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("Cannot serialize " + typeName + " for the cache: " + ex.getMessage(),
					ex);
		}
	}

	@Override
	public Object deserialize(byte[] payload) {
		try {
			Object value = this.reader.readValue(payload);
			if (value == null) {
				throw new CorruptValueException("Payload holds JSON null");
			}
			return value;
		}
		catch (JacksonException | IllegalArgumentException ex) {
			throw new CorruptValueException("Cannot deserialize cached value: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Default typing for every type but JSON's natural ones, so that the root value and
	 * nested values keep their types.
	 */
	private static final class EveryNonNaturalType extends DefaultTypeResolverBuilder {

		EveryNonNaturalType(AllowListTypeValidator validator) {
			super(validator, DefaultTyping.NON_FINAL, JsonTypeInfo.As.PROPERTY, JsonTypeInfo.Id.CLASS, "@class");
		}

		@Override
		public boolean useForType(JavaType type) {
			while (type.isArrayType()) {
				type = type.getContentType();
			}
			while (type.isReferenceType()) {
				type = type.getReferencedType();
			}
			Class<?> raw = type.getRawClass();
			if (type.isPrimitive() || raw == String.class || raw == Boolean.class || raw == Integer.class
					|| raw == Double.class || TreeNode.class.isAssignableFrom(raw)) {
				return false;
			}
			return true;
		}

	}

}
