package io.github.multilevelcache.invalidation;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;

/**
 * One message on the invalidation channel, with its compact binary form.
 * <p>
 * Layout (big-endian): magic {@code "MLCI"}, version, type, sender id (16 bytes), then per type:
 * <ul>
 * <li>{@link Type#INVALIDATE}: flags (bit 0: acknowledgement requested), operation, sequence (8 bytes), cache
 * name, key count (4 bytes), keys</li>
 * <li>{@link Type#HEARTBEAT}: cache count (4 bytes), then per cache its name and current sequence</li>
 * <li>{@link Type#ACK}: target sender (16 bytes), sequence, cache name</li>
 * </ul>
 * Strings are a 4-byte length followed by UTF-8. {@link #decode(byte[], int)} rejects anything else.
 *
 * @param type the message type
 * @param sender id of the instance that sent the message
 * @param cacheName the cache ({@code INVALIDATE}, {@code ACK}), empty for heartbeats
 * @param operation what changed ({@code INVALIDATE})
 * @param sequence the sender's sequence number for the cache ({@code INVALIDATE}, {@code ACK})
 * @param keys the canonical keys ({@code INVALIDATE}; empty for a clear)
 * @param ackRequested whether receivers must confirm ({@code INVALIDATE})
 * @param sequences the sender's current sequence per cache ({@code HEARTBEAT})
 * @param target the sender whose message is acknowledged ({@code ACK})
 */
record InvalidationMessage(Type type, UUID sender, String cacheName, Operation operation, long sequence,
		List<String> keys, boolean ackRequested, Map<String, Long> sequences, @Nullable UUID target) {

	private static final byte[] MAGIC = { 'M', 'L', 'C', 'I' };

	private static final byte VERSION = 1;

	enum Type {

		INVALIDATE, HEARTBEAT, ACK

	}

	static InvalidationMessage invalidate(UUID sender, String cacheName, Operation operation, long sequence,
			List<String> keys, boolean ackRequested) {
		return new InvalidationMessage(Type.INVALIDATE, sender, cacheName, operation, sequence, keys, ackRequested,
				Map.of(), null);
	}

	static InvalidationMessage heartbeat(UUID sender, Map<String, Long> sequences) {
		return new InvalidationMessage(Type.HEARTBEAT, sender, "", Operation.EVICT, 0, List.of(), false, sequences,
				null);
	}

	static InvalidationMessage ack(UUID sender, UUID target, String cacheName, long sequence) {
		return new InvalidationMessage(Type.ACK, sender, cacheName, Operation.EVICT, sequence, List.of(), false,
				Map.of(), target);
	}

	byte[] encode() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.write(MAGIC);
			out.writeByte(VERSION);
			out.writeByte(this.type.ordinal());
			writeUuid(out, this.sender);
			switch (this.type) {
				case INVALIDATE -> {
					out.writeByte(this.ackRequested ? 1 : 0);
					out.writeByte(this.operation.ordinal());
					out.writeLong(this.sequence);
					writeString(out, this.cacheName);
					out.writeInt(this.keys.size());
					for (String key : this.keys) {
						writeString(out, key);
					}
				}
				case HEARTBEAT -> {
					out.writeInt(this.sequences.size());
					for (Map.Entry<String, Long> entry : this.sequences.entrySet()) {
						writeString(out, entry.getKey());
						out.writeLong(entry.getValue());
					}
				}
				case ACK -> {
					writeUuid(out, (this.target != null) ? this.target : new UUID(0, 0));
					out.writeLong(this.sequence);
					writeString(out, this.cacheName);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * Decodes a message.
	 * @param bytes the message body
	 * @param maxBytes largest acceptable body
	 * @return the message
	 * @throws MalformedMessageException when the body is not a valid message
	 */
	static InvalidationMessage decode(byte[] bytes, int maxBytes) {
		if (bytes.length > maxBytes) {
			throw new MalformedMessageException("oversized message (" + bytes.length + " bytes)");
		}
		try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
			byte[] magic = in.readNBytes(4);
			if (!java.util.Arrays.equals(magic, MAGIC)) {
				throw new MalformedMessageException("foreign message");
			}
			int version = in.readUnsignedByte();
			if (version != VERSION) {
				throw new MalformedMessageException("unknown message version " + version);
			}
			Type type = enumAt(Type.values(), in.readUnsignedByte(), "type");
			UUID sender = readUuid(in);
			InvalidationMessage message = switch (type) {
				case INVALIDATE -> {
					boolean ack = (in.readUnsignedByte() & 1) != 0;
					Operation operation = enumAt(Operation.values(), in.readUnsignedByte(), "operation");
					long sequence = in.readLong();
					String cacheName = readString(in, bytes.length);
					int count = readCount(in, bytes.length);
					List<String> keys = new ArrayList<>(count);
					for (int i = 0; i < count; i++) {
						keys.add(readString(in, bytes.length));
					}
					yield invalidate(sender, cacheName, operation, sequence, List.copyOf(keys), ack);
				}
				case HEARTBEAT -> {
					int count = readCount(in, bytes.length);
					Map<String, Long> sequences = new LinkedHashMap<>();
					for (int i = 0; i < count; i++) {
						sequences.put(readString(in, bytes.length), in.readLong());
					}
					yield heartbeat(sender, sequences);
				}
				case ACK -> {
					UUID target = readUuid(in);
					long sequence = in.readLong();
					yield ack(sender, target, readString(in, bytes.length), sequence);
				}
			};
			if (in.read() != -1) {
				throw new MalformedMessageException("trailing bytes");
			}
			return message;
		}
		catch (EOFException ex) {
			throw new MalformedMessageException("truncated message");
		}
		catch (IOException ex) {
			throw new MalformedMessageException("unreadable message: " + ex.getMessage());
		}
	}

	private static <E> E enumAt(E[] values, int index, String what) {
		if (index >= values.length) {
			throw new MalformedMessageException("unknown " + what + " " + index);
		}
		return values[index];
	}

	private static int readCount(DataInputStream in, int limit) throws IOException {
		int count = in.readInt();
		if (count < 0 || count > limit) {
			throw new MalformedMessageException("bad count " + count);
		}
		return count;
	}

	private static void writeUuid(DataOutputStream out, UUID uuid) throws IOException {
		out.writeLong(uuid.getMostSignificantBits());
		out.writeLong(uuid.getLeastSignificantBits());
	}

	private static UUID readUuid(DataInputStream in) throws IOException {
		return new UUID(in.readLong(), in.readLong());
	}

	private static void writeString(DataOutputStream out, String value) throws IOException {
		byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
		out.writeInt(utf8.length);
		out.write(utf8);
	}

	private static String readString(DataInputStream in, int limit) throws IOException {
		int length = readCount(in, limit);
		byte[] utf8 = in.readNBytes(length);
		if (utf8.length != length) {
			throw new EOFException();
		}
		return new String(utf8, StandardCharsets.UTF_8);
	}

	/**
	 * A message body that is not a valid invalidation message.
	 */
	static final class MalformedMessageException extends RuntimeException {

		MalformedMessageException(String message) {
			super(message);
		}

	}

}
