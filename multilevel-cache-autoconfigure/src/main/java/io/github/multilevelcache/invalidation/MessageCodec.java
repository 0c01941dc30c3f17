package io.github.multilevelcache.invalidation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.github.multilevelcache.invalidation.InvalidationMessage.Ack;
import io.github.multilevelcache.invalidation.InvalidationMessage.Heartbeat;
import io.github.multilevelcache.invalidation.InvalidationMessage.Invalidate;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;

/**
 * The binary form of {@link InvalidationMessage}s.
 * <p>
 * Layout (big-endian): magic {@code "MLCI"}, version 1, type (0 invalidate, 1 heartbeat,
 * 2 ack), sender id (16 bytes), then per type:
 * <ul>
 * <li>invalidate: flags (bit 0: acknowledgement requested), operation (0 put, 1 evict, 2
 * clear), sequence (8 bytes), cache name, key count (4 bytes), keys</li>
 * <li>heartbeat: cache count (4 bytes), then per cache its name and current sequence</li>
 * <li>ack: target sender (16 bytes), sequence, cache name</li>
 * </ul>
 * Strings are a 4-byte length followed by UTF-8. {@link #decode} rejects anything else
 * (foreign, truncated, trailing bytes, oversized) with {@link MalformedMessageException}.
 */
final class MessageCodec {

	private static final byte[] MAGIC = { 'M', 'L', 'C', 'I' };

	private static final byte VERSION = 1;

	private static final int INVALIDATE = 0;

	private static final int HEARTBEAT = 1;

	private static final int ACK = 2;

	private MessageCodec() {
	}

	static byte[] encode(InvalidationMessage message) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.write(MAGIC);
			out.writeByte(VERSION);
			if (message instanceof Invalidate invalidate) {
				header(out, INVALIDATE, invalidate.sender());
				out.writeByte(invalidate.ackRequested() ? 1 : 0);
				out.writeByte(invalidate.operation().ordinal());
				out.writeLong(invalidate.sequence());
				writeString(out, invalidate.cacheName());
				out.writeInt(invalidate.keys().size());
				for (String key : invalidate.keys()) {
					writeString(out, key);
				}
			}
			else if (message instanceof Heartbeat heartbeat) {
				header(out, HEARTBEAT, heartbeat.sender());
				out.writeInt(heartbeat.sequences().size());
				for (Map.Entry<String, Long> entry : heartbeat.sequences().entrySet()) {
					writeString(out, entry.getKey());
					out.writeLong(entry.getValue());
				}
			}
			else {
				Ack ack = (Ack) message;
				header(out, ACK, ack.sender());
				writeUuid(out, ack.target());
				out.writeLong(ack.sequence());
				writeString(out, ack.cacheName());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	private static void header(DataOutputStream out, int type, UUID sender) throws IOException {
		out.writeByte(type);
		writeUuid(out, sender);
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
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
			if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
				throw new MalformedMessageException("foreign message");
			}
			int version = in.readUnsignedByte();
			if (version != VERSION) {
				throw new MalformedMessageException("unknown message version " + version);
			}
			int type = in.readUnsignedByte();
			UUID sender = readUuid(in);
			InvalidationMessage message = switch (type) {
				case INVALIDATE -> {
					boolean ack = (in.readUnsignedByte() & 1) != 0;
					int operation = in.readUnsignedByte();
					if (operation >= Operation.values().length) {
						throw new MalformedMessageException("unknown operation " + operation);
					}
					long sequence = in.readLong();
					String cacheName = readString(in, bytes.length);
					int count = readCount(in, bytes.length);
					List<String> keys = new ArrayList<>(count);
					for (int i = 0; i < count; i++) {
						keys.add(readString(in, bytes.length));
					}
					yield new Invalidate(sender, cacheName, Operation.values()[operation], sequence, List.copyOf(keys),
							ack);
				}
				case HEARTBEAT -> {
					int count = readCount(in, bytes.length);
					Map<String, Long> sequences = new LinkedHashMap<>();
					for (int i = 0; i < count; i++) {
						sequences.put(readString(in, bytes.length), in.readLong());
					}
					yield new Heartbeat(sender, sequences);
				}
				case ACK -> {
					UUID target = readUuid(in);
					long sequence = in.readLong();
					yield new Ack(sender, target, readString(in, bytes.length), sequence);
				}
				default -> throw new MalformedMessageException("unknown type " + type);
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
			super(message, null, false, false);
		}

	}

}
