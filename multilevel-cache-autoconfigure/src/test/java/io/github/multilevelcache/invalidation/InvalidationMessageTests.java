package io.github.multilevelcache.invalidation;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.github.multilevelcache.invalidation.InvalidationMessage.MalformedMessageException;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class InvalidationMessageTests {

	private final UUID sender = UUID.randomUUID();

	@Test
	void invalidationRoundTrips() {
		InvalidationMessage message = InvalidationMessage.invalidate(this.sender, "products", Operation.PUT, 42,
				List.of("app:products::1", "app:products::ü"), true);
		assertThat(InvalidationMessage.decode(message.encode(), 1 << 20)).isEqualTo(message);
	}

	@Test
	void heartbeatAndAckRoundTrip() {
		InvalidationMessage heartbeat = InvalidationMessage.heartbeat(this.sender, Map.of("a", 1L, "b", 7L));
		assertThat(InvalidationMessage.decode(heartbeat.encode(), 1 << 20)).isEqualTo(heartbeat);
		InvalidationMessage ack = InvalidationMessage.ack(this.sender, UUID.randomUUID(), "products", 9);
		assertThat(InvalidationMessage.decode(ack.encode(), 1 << 20)).isEqualTo(ack);
	}

	@Test
	void foreignTruncatedOversizedAndTrailingBytesAreRejected() {
		byte[] valid = InvalidationMessage
			.invalidate(this.sender, "products", Operation.EVICT, 1, List.of("k"), false)
			.encode();
		assertThatExceptionOfType(MalformedMessageException.class)
			.isThrownBy(() -> InvalidationMessage.decode("hello".getBytes(StandardCharsets.UTF_8), 1 << 20));
		assertThatExceptionOfType(MalformedMessageException.class)
			.isThrownBy(() -> InvalidationMessage.decode(Arrays.copyOf(valid, valid.length - 1), 1 << 20));
		assertThatExceptionOfType(MalformedMessageException.class)
			.isThrownBy(() -> InvalidationMessage.decode(valid, valid.length - 1));
		assertThatExceptionOfType(MalformedMessageException.class)
			.isThrownBy(() -> InvalidationMessage.decode(Arrays.copyOf(valid, valid.length + 1), 1 << 20));
		byte[] hugeCount = valid.clone();
		// key count sits just before the last key: length 4 + "k"
		int countOffset = valid.length - 4 - 1 - 4;
		hugeCount[countOffset] = 0x7f;
		assertThatExceptionOfType(MalformedMessageException.class)
			.isThrownBy(() -> InvalidationMessage.decode(hugeCount, 1 << 20));
	}

}
