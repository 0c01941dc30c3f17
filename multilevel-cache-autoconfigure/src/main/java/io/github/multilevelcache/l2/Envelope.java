package io.github.multilevelcache.l2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What one Redis value holds: a small binary header followed by the serialized payload.
 * <p>
 * Layout (big-endian): magic {@code 0xCA 0xC7}, format version, kind, write time (epoch millis, 8 bytes),
 * expiry (epoch millis, 8 bytes, 0 = none), last load duration in millis (4 bytes), then the payload.
 * A {@link Kind#VALUE} payload is the serializer's output, a {@link Kind#NULL} one is empty and a
 * {@link Kind#LEASE} one is the UTF-8 lock token. Anything that does not start with this header is not
 * ours and {@link #decode(byte[])} rejects it.
 *
 * @param kind what the payload is
 * @param writtenAt epoch millis of the write
 * @param expiresAt epoch millis when the entry expires in Redis, {@code 0} when it does not
 * @param loadMillis how long the loader took to produce the value (used for early expiration), 0 if unknown
 * @param payload the serialized value, the lease token, or empty
 */
public record Envelope(Kind kind, long writtenAt, long expiresAt, int loadMillis, byte[] payload) {

	static final int HEADER_SIZE = 24;

	private static final byte MAGIC_0 = (byte) 0xCA;

	private static final byte MAGIC_1 = (byte) 0xC7;

	private static final byte VERSION = 1;

	private static final byte[] EMPTY = {};

	/**
	 * What an envelope carries.
	 */
	public enum Kind {

		/** A serialized value. */
		VALUE,

		/** A cached {@code null}. */
		NULL,

		/** A loader's lease (lock) on a missing entry; readers treat it as a miss. */
		LEASE

	}

	public static Envelope value(byte[] payload, long writtenAt, long expiresAt, int loadMillis) {
		return new Envelope(Kind.VALUE, writtenAt, expiresAt, loadMillis, payload);
	}

	public static Envelope nullValue(long writtenAt, long expiresAt, int loadMillis) {
		return new Envelope(Kind.NULL, writtenAt, expiresAt, loadMillis, EMPTY);
	}

	public static Envelope lease(String token, long writtenAt, long expiresAt) {
		return new Envelope(Kind.LEASE, writtenAt, expiresAt, 0, token.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Encodes this envelope into the bytes stored in Redis.
	 * @return a new array
	 */
	public byte[] encode() {
		ByteBuffer buffer = ByteBuffer.allocate(HEADER_SIZE + this.payload.length);
		buffer.put(MAGIC_0).put(MAGIC_1).put(VERSION).put((byte) this.kind.ordinal());
		buffer.putLong(this.writtenAt).putLong(this.expiresAt).putInt(this.loadMillis);
		buffer.put(this.payload);
		return buffer.array();
	}

	/**
	 * Decodes bytes read from Redis.
	 * @param bytes what Redis returned
	 * @return the envelope
	 * @throws CorruptValueException when the bytes are not an envelope of a known version
	 */
	public static Envelope decode(byte[] bytes) {
		if (bytes.length < HEADER_SIZE || bytes[0] != MAGIC_0 || bytes[1] != MAGIC_1) {
			throw new CorruptValueException("Not a multilevel-cache value (" + bytes.length + " bytes)");
		}
		if (bytes[2] != VERSION) {
			throw new CorruptValueException("Unknown value format version " + bytes[2]);
		}
		int kindIndex = bytes[3];
		if (kindIndex < 0 || kindIndex >= Kind.values().length) {
			throw new CorruptValueException("Unknown value kind " + kindIndex);
		}
		ByteBuffer buffer = ByteBuffer.wrap(bytes, 4, HEADER_SIZE - 4);
		long writtenAt = buffer.getLong();
		long expiresAt = buffer.getLong();
		int loadMillis = buffer.getInt();
		byte[] payload = Arrays.copyOfRange(bytes, HEADER_SIZE, bytes.length);
		return new Envelope(Kind.values()[kindIndex], writtenAt, expiresAt, loadMillis, payload);
	}

	/**
	 * The leading bytes that identify this write in Redis (magic, version, kind, write time, expiry), for
	 * compare-and-set of refreshes.
	 * @return a new array of 20 bytes
	 */
	public byte[] identity() {
		return java.util.Arrays.copyOf(encodeHeaderOnly(), 20);
	}

	private byte[] encodeHeaderOnly() {
		ByteBuffer buffer = ByteBuffer.allocate(HEADER_SIZE);
		buffer.put(MAGIC_0).put(MAGIC_1).put(VERSION).put((byte) this.kind.ordinal());
		buffer.putLong(this.writtenAt).putLong(this.expiresAt).putInt(this.loadMillis);
		return buffer.array();
	}

	/**
	 * Whether the bytes start with a lease header, without decoding the rest.
	 * @param bytes what Redis returned
	 * @return {@code true} for a lease
	 */
	public static boolean isLease(byte[] bytes) {
		return bytes.length >= HEADER_SIZE && bytes[0] == MAGIC_0 && bytes[1] == MAGIC_1
				&& bytes[3] == (byte) Kind.LEASE.ordinal();
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
