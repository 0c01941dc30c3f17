package io.github.multilevelcache.serialization;

/**
 * Thrown when bytes found under a cache key cannot be decoded: foreign, truncated or
 * corrupt data, or a payload naming a type outside the allow-list. The cache treats it as
 * a miss and deletes the key; it never reaches a caller.
 */
public class CorruptValueException extends RuntimeException {

	public CorruptValueException(String message) {
		super(message);
	}

	public CorruptValueException(String message, Throwable cause) {
		super(message, cause);
	}

}
