package io.github.multilevelcache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.github.multilevelcache.serialization.CorruptValueException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class EnvelopeTests {

	@Test
	void valueRoundTripsWithItsMetadata() {
		Envelope envelope = Envelope.value("{\"a\":1}".getBytes(StandardCharsets.UTF_8), 1_000L, 61_000L, 42);
		Envelope decoded = Envelope.decode(envelope.encode());
		assertThat(decoded).isEqualTo(envelope);
		assertThat(decoded.kind()).isEqualTo(Envelope.Kind.VALUE);
		assertThat(decoded.loadMillis()).isEqualTo(42);
		assertThat(decoded.expiresAt()).isEqualTo(61_000L);
	}

	@Test
	void theHeaderIsPrintableAndEndsAtTheSixthColon() {
		byte[] bytes = Envelope.value("{\"a\":1}".getBytes(StandardCharsets.UTF_8), 1764650000000L, 1764653600000L, 12)
			.encode();
		assertThat(new String(bytes, StandardCharsets.UTF_8))
			.isEqualTo("mlc:2:V:1764650000000:1764653600000:12:{\"a\":1}");
	}

	@Test
	void nullLeaseAndGuardAreDistinguished() {
		assertThat(Envelope.decode(Envelope.nullValue(1, 2, 3).encode()).kind()).isEqualTo(Envelope.Kind.NULL);
		byte[] lease = Envelope.placeholder(Envelope.Kind.LEASE, "instance-1:7", 1, 2).encode();
		assertThat(Envelope.decode(lease).kind()).isEqualTo(Envelope.Kind.LEASE);
		assertThat(Envelope.isPlaceholder(lease)).isTrue();
		assertThat(new String(Envelope.decode(lease).payload(), StandardCharsets.UTF_8)).isEqualTo("instance-1:7");
		byte[] guard = Envelope.placeholder(Envelope.Kind.GUARD, "instance-1:8", 1, 2).encode();
		assertThat(Envelope.decode(guard).kind()).isEqualTo(Envelope.Kind.GUARD);
		assertThat(Envelope.isPlaceholder(guard)).isTrue();
		assertThat(Envelope.isPlaceholder(Envelope.value(new byte[] { 1 }, 1, 2, 3).encode())).isFalse();
	}

	@Test
	void formatOneValuesStayReadable() {
		ByteBuffer v1 = ByteBuffer.allocate(Envelope.V1_HEADER_SIZE + 3);
		v1.put(Envelope.V1_MAGIC_0).put(Envelope.V1_MAGIC_1).put((byte) 1).put((byte) 0);
		v1.putLong(1_000L).putLong(2_000L).putInt(5).put(new byte[] { 'a', 'b', 'c' });
		Envelope decoded = Envelope.decode(v1.array());
		assertThat(decoded.kind()).isEqualTo(Envelope.Kind.VALUE);
		assertThat(decoded.writtenAt()).isEqualTo(1_000L);
		assertThat(decoded.expiresAt()).isEqualTo(2_000L);
		assertThat(decoded.loadMillis()).isEqualTo(5);
		assertThat(decoded.payload()).containsExactly('a', 'b', 'c');
		byte[] lease = v1.array().clone();
		lease[3] = 2;
		assertThat(Envelope.isPlaceholder(lease)).isTrue();
	}

	@Test
	void theScriptsTestIsBuiltFromTheSameConstants() {
		String lua = Envelope.luaIsPlaceholder();
		assertThat(lua).contains("'" + Envelope.PREFIX + "'")
			.contains("== " + (int) 'L')
			.contains("== " + (int) 'G')
			.contains("== " + (Envelope.V1_MAGIC_0 & 0xFF));
		assertThat(Scripts.SET_IF_ABSENT.getScriptAsString()).contains(lua);
	}

	@Test
	void foreignBytesAreRejected() {
		assertThatExceptionOfType(CorruptValueException.class)
			.isThrownBy(() -> Envelope.decode("\"plain json\"".getBytes(StandardCharsets.UTF_8)));
		assertThatExceptionOfType(CorruptValueException.class).isThrownBy(() -> Envelope.decode(new byte[0]));
		assertThatExceptionOfType(CorruptValueException.class)
			.isThrownBy(() -> Envelope.decode("mlc:2:V:12x:1:1:".getBytes(StandardCharsets.UTF_8)));
	}

	@Test
	void truncatedHeaderIsRejected() {
		byte[] bytes = Envelope.value(new byte[] { 1, 2, 3 }, 1, 2, 3).encode();
		for (int length = 0; length < bytes.length - 3; length++) {
			byte[] truncated = Arrays.copyOf(bytes, length);
			assertThatExceptionOfType(CorruptValueException.class).as("%d bytes", length)
				.isThrownBy(() -> Envelope.decode(truncated));
		}
	}

	@Test
	void unknownVersionOrKindIsRejected() {
		assertThatExceptionOfType(CorruptValueException.class)
			.isThrownBy(() -> Envelope.decode("mlc:2:X:1:2:3:".getBytes(StandardCharsets.UTF_8)))
			.withMessageContaining("kind");
		ByteBuffer v1 = ByteBuffer.allocate(Envelope.V1_HEADER_SIZE);
		v1.put(Envelope.V1_MAGIC_0).put(Envelope.V1_MAGIC_1).put((byte) 9).put((byte) 0);
		assertThatExceptionOfType(CorruptValueException.class).isThrownBy(() -> Envelope.decode(v1.array()))
			.withMessageContaining("version");
	}

}
