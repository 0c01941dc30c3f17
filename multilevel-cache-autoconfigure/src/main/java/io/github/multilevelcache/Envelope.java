package io.github.multilevelcache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.github.multilevelcache.serialization.CorruptValueException;

/**
 * What one Redis value of the cache holds: a short printable header followed by the
 * serialized payload.
 * <p>
 * Format 2 (written):
 * {@code mlc:2:<kind>:<writtenAt>:<expiresAt>:<loadMillis>:<payload>}, the numbers in
 * decimal ASCII ({@code writtenAt} and {@code expiresAt} epoch milliseconds,
 * {@code expiresAt} 0 for no expiry, {@code loadMillis} how long the loader took). Kinds:
 * {@code V} a serialized value, {@code N} a cached {@code null} (empty payload),
 * {@code L} a loader's lease that other instances may wait for, {@code G} a fill guard
 * that nobody waits for (both carry the holder's token as payload and are read as a
 * miss). So {@code redis-cli GET} shows
 * {@code mlc:2:V:1764650000000:1764653600000:12:{"@class":...}} and any language can
 * split the header off at the sixth colon.
 * <p>
 * Format 1 (read only, for values written by 0.1.0-SNAPSHOT builds): a 24-byte binary
 * header, magic {@code 0xCA 0xC7}, version 1, kind ordinal, write time, expiry (8 bytes
 * each), load millis (4 bytes).
 * <p>
 * Anything else is not ours: {@link #decode(byte[])} throws
 * {@link CorruptValueException}.
 *
 * @param kind what the payload is
 * @param writtenAt epoch millis of the write
 * @param expiresAt epoch millis when the entry expires in Redis, {@code 0} when it does
 * not
 * @param loadMillis how long the loader took (used by early expiration), 0 if unknown
 * @param payload the serialized value, the lease token, or empty
 */
record Envelope(Kind kind, long writtenAt, long expiresAt, int loadMillis, byte[] payload) {

	/** The header every format-2 value starts with. */
	static final String PREFIX = "mlc:2:";

	private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);

	private static final byte SEPARATOR = ':';

	static final int V1_HEADER_SIZE = 24;

	static final byte V1_MAGIC_0 = (byte) 0xCA;

	static final byte V1_MAGIC_1 = (byte) 0xC7;

	private static final byte[] EMPTY = {};

	/**
	 * What an envelope carries.
	 */
	enum Kind {

		/** A serialized value. */
		VALUE('V'),

		/** A cached {@code null}. */
		NULL('N'),

		/** A loader's lease: other instances may wait for its value. */
		LEASE('L'),

		/**
		 * A fill guard: a plain miss that may be followed by a fill; nobody waits for it.
		 */
		GUARD('G');

		final char code;

		Kind(char code) {
			this.code = code;
		}

		boolean isPlaceholder() {
			return this == LEASE || this == GUARD;
		}

		static Kind of(int code) {
			for (Kind kind : values()) {
				if (kind.code == code) {
					return kind;
				}
			}
			throw new CorruptValueException("Unknown value kind '" + (char) code + "'");
		}

	}

	static Envelope value(byte[] payload, long writtenAt, long expiresAt, int loadMillis) {
		return new Envelope(Kind.VALUE, writtenAt, expiresAt, loadMillis, payload);
	}

	static Envelope nullValue(long writtenAt, long expiresAt, int loadMillis) {
		return new Envelope(Kind.NULL, writtenAt, expiresAt, loadMillis, EMPTY);
	}

	static Envelope placeholder(Kind kind, String token, long writtenAt, long expiresAt) {
		return new Envelope(kind, writtenAt, expiresAt, 0, token.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Encodes this envelope into the bytes stored in Redis (format 2).
	 * @return a new array
	 */
	byte[] encode() {
		byte[] header = identityText().concat(Integer.toString(this.loadMillis))
			.concat(":")
			.getBytes(StandardCharsets.US_ASCII);
		byte[] bytes = Arrays.copyOf(header, header.length + this.payload.length);
		System.arraycopy(this.payload, 0, bytes, header.length, this.payload.length);
		return bytes;
	}

	/**
	 * The leading bytes that identify this write in Redis (format, kind, write time,
	 * expiry), for the compare-and-set of refreshes: a value is replaced only if Redis
	 * still holds the very write it replaces.
	 * @return a new array
	 */
	byte[] identity() {
		return identityText().getBytes(StandardCharsets.US_ASCII);
	}

	private String identityText() {
		return PREFIX + this.kind.code + ':' + this.writtenAt + ':' + this.expiresAt + ':';
	}

	/**
	 * Decodes bytes read from Redis.
	 * @param bytes what Redis returned
	 * @return the envelope
	 * @throws CorruptValueException when the bytes are not an envelope of a known format
	 */
	static Envelope decode(byte[] bytes) {
		if (startsWith(bytes, PREFIX_BYTES)) {
			return decodeV2(bytes);
		}
		if (bytes.length >= V1_HEADER_SIZE && bytes[0] == V1_MAGIC_0 && bytes[1] == V1_MAGIC_1) {
			return decodeV1(bytes);
		}
		throw new CorruptValueException("Not a multilevel-cache value (" + bytes.length + " bytes)");
	}

	private static Envelope decodeV2(byte[] bytes) {
		int position = PREFIX_BYTES.length;
		if (bytes.length < position + 2 || bytes[position + 1] != SEPARATOR) {
			throw new CorruptValueException("Truncated multilevel-cache value header");
		}
		Kind kind = Kind.of(bytes[position]);
		position += 2;
		long[] numbers = new long[3];
		for (int i = 0; i < numbers.length; i++) {
			long number = 0;
			int start = position;
			while (position < bytes.length && bytes[position] != SEPARATOR) {
				int digit = bytes[position] - '0';
				if (digit < 0 || digit > 9 || position - start >= 18) {
					throw new CorruptValueException("Malformed number in a multilevel-cache value header");
				}
				number = number * 10 + digit;
				position++;
			}
			if (position == start || position >= bytes.length) {
				throw new CorruptValueException("Truncated multilevel-cache value header");
			}
			numbers[i] = number;
			position++;
		}
		if (numbers[2] > Integer.MAX_VALUE) {
			throw new CorruptValueException("Malformed load time in a multilevel-cache value header");
		}
		byte[] payload = Arrays.copyOfRange(bytes, position, bytes.length);
		return new Envelope(kind, numbers[0], numbers[1], (int) numbers[2], payload);
	}

	private static Envelope decodeV1(byte[] bytes) {
		if (bytes[2] != 1) {
			throw new CorruptValueException("Unknown value format version " + bytes[2]);
		}
		Kind kind = switch (bytes[3]) {
			case 0 -> Kind.VALUE;
			case 1 -> Kind.NULL;
			case 2 -> Kind.LEASE;
			default -> throw new CorruptValueException("Unknown value kind " + bytes[3]);
		};
		ByteBuffer buffer = ByteBuffer.wrap(bytes, 4, V1_HEADER_SIZE - 4);
		long writtenAt = buffer.getLong();
		long expiresAt = buffer.getLong();
		int loadMillis = buffer.getInt();
		return new Envelope(kind, writtenAt, expiresAt, loadMillis,
				Arrays.copyOfRange(bytes, V1_HEADER_SIZE, bytes.length));
	}

	/**
	 * Whether the bytes are a lease or a fill guard (of either format), without decoding
	 * the rest.
	 * @param bytes what Redis returned
	 * @return {@code true} for a placeholder that reads as a miss
	 */
	static boolean isPlaceholder(byte[] bytes) {
		if (startsWith(bytes, PREFIX_BYTES)) {
			return bytes.length > PREFIX_BYTES.length
					&& (bytes[PREFIX_BYTES.length] == Kind.LEASE.code || bytes[PREFIX_BYTES.length] == Kind.GUARD.code);
		}
		return bytes.length >= V1_HEADER_SIZE && bytes[0] == V1_MAGIC_0 && bytes[1] == V1_MAGIC_1 && bytes[3] == 2;
	}

	/**
	 * A Lua expression, over a local variable {@code v} holding a Redis value, that is
	 * true when {@code v} is a lease or a fill guard of either format: the scripts' test,
	 * generated from this class's own constants.
	 * @return the Lua boolean expression
	 */
	static String luaIsPlaceholder() {
		int kindAt = PREFIX_BYTES.length + 1;
		return "(string.sub(v, 1, " + PREFIX_BYTES.length + ") == '" + PREFIX + "' and (string.byte(v, " + kindAt
				+ ") == " + (int) Kind.LEASE.code + " or string.byte(v, " + kindAt + ") == " + (int) Kind.GUARD.code
				+ ")) or (string.len(v) >= " + V1_HEADER_SIZE + " and string.byte(v, 1) == " + (V1_MAGIC_0 & 0xFF)
				+ " and string.byte(v, 2) == " + (V1_MAGIC_1 & 0xFF) + " and string.byte(v, 4) == 2)";
	}

	private static boolean startsWith(byte[] bytes, byte[] prefix) {
		return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof Envelope that && this.kind == that.kind && this.writtenAt == that.writtenAt
				&& this.expiresAt == that.expiresAt && this.loadMillis == that.loadMillis
				&& Arrays.equals(this.payload, that.payload);
	}

	@Override
	public int hashCode() {
		return 31 * Long.hashCode(this.writtenAt) + Arrays.hashCode(this.payload);
	}

	@Override
	public String toString() {
		return "Envelope[" + this.kind + ", writtenAt=" + this.writtenAt + ", expiresAt=" + this.expiresAt
				+ ", loadMillis=" + this.loadMillis + ", payload=" + this.payload.length + " bytes]";
	}

}
