package io.github.multilevelcache.serialization;

/**
 * Turns cache values into the payload bytes stored in Redis and back. Define a bean of
 * this type to replace the default {@link JacksonCacheValueSerializer}. Implementations
 * must be thread-safe. {@code null} never reaches a serializer: cached {@code null}s are
 * marked in the envelope.
 */
public interface CacheValueSerializer {

	/**
	 * Serializes a value.
	 * @param value the value, never {@code null}
	 * @return the payload bytes
	 * @throws IllegalArgumentException when the value cannot be serialized
	 */
	byte[] serialize(Object value);

	/**
	 * Deserializes a payload written by {@link #serialize(Object)}.
	 * @param payload the bytes
	 * @return the value, never {@code null}
	 * @throws CorruptValueException when the bytes cannot be read or name a type that is
	 * not allowed; the cache then treats the entry as a miss
	 */
	Object deserialize(byte[] payload);

}
