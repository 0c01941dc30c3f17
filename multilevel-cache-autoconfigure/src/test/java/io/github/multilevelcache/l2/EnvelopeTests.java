package io.github.multilevelcache.l2;

import java.nio.charset.StandardCharsets;

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
	void nullAndLeaseAreDistinguished() {
		assertThat(Envelope.decode(Envelope.nullValue(1, 2, 3).encode()).kind()).isEqualTo(Envelope.Kind.NULL);
		byte[] lease = Envelope.lease("instance-1:7", 1, 2).encode();
		assertThat(Envelope.decode(lease).kind()).isEqualTo(Envelope.Kind.LEASE);
		assertThat(Envelope.isLease(lease)).isTrue();
		assertThat(new String(Envelope.decode(lease).payload(), StandardCharsets.UTF_8)).isEqualTo("instance-1:7");
	}

	@Test
	void foreignBytesAreRejected() {
		assertThatExceptionOfType(CorruptValueException.class)
			.isThrownBy(() -> Envelope.decode("\"plain json\"".getBytes(StandardCharsets.UTF_8)));
		assertThatExceptionOfType(CorruptValueException.class).isThrownBy(() -> Envelope.decode(new byte[0]));
	}

	@Test
	void truncatedHeaderIsRejected() {
		byte[] bytes = Envelope.value(new byte[] { 1, 2, 3 }, 1, 2, 3).encode();
		byte[] truncated = java.util.Arrays.copyOf(bytes, 10);
		assertThatExceptionOfType(CorruptValueException.class).isThrownBy(() -> Envelope.decode(truncated));
	}

	@Test
	void unknownVersionOrKindIsRejected() {
		byte[] bytes = Envelope.value(new byte[] { 1 }, 1, 2, 3).encode();
		byte[] otherVersion = bytes.clone();
		otherVersion[2] = 9;
		assertThatExceptionOfType(CorruptValueException.class).isThrownBy(() -> Envelope.decode(otherVersion))
			.withMessageContaining("version");
		byte[] otherKind = bytes.clone();
		otherKind[3] = 7;
		assertThatExceptionOfType(CorruptValueException.class).isThrownBy(() -> Envelope.decode(otherKind))
			.withMessageContaining("kind");
	}

}
