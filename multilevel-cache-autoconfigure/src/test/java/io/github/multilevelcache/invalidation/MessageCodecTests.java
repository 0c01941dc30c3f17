package io.github.multilevelcache.invalidation;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.github.multilevelcache.invalidation.InvalidationMessage.Ack;
import io.github.multilevelcache.invalidation.InvalidationMessage.Heartbeat;
import io.github.multilevelcache.invalidation.InvalidationMessage.Invalidate;
import io.github.multilevelcache.invalidation.InvalidationPublisher.Operation;
import io.github.multilevelcache.invalidation.MessageCodec.MalformedMessageException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class MessageCodecTests {

	private final UUID sender = UUID.randomUUID();

	@Test
	void invalidationRoundTrips() {
		InvalidationMessage message = new Invalidate(this.sender, "products", Operation.PUT, 42,
				List.of("app:products::1", "app:products::ü"), true);
		assertThat(MessageCodec.decode(MessageCodec.encode(message), 1 << 20)).isEqualTo(message);
	}

	@Test
	void heartbeatAndAckRoundTrip() {
		InvalidationMessage heartbeat = new Heartbeat(this.sender, Map.of("a", 1L, "b", 7L));
		assertThat(MessageCodec.decode(MessageCodec.encode(heartbeat), 1 << 20)).isEqualTo(heartbeat);
		InvalidationMessage ack = new Ack(this.sender, UUID.randomUUID(), "products", 9);
		assertThat(MessageCodec.decode(MessageCodec.encode(ack), 1 << 20)).isEqualTo(ack);
	}

	@Test
	void foreignTruncatedOversizedAndTrailingBytesAreRejected() {
		byte[] valid = MessageCodec
			.encode(new Invalidate(this.sender, "products", Operation.EVICT, 1, List.of("k"), false));
		assertThatExceptionOfType(MalformedMessageException.class)
			.isThrownBy(() -> MessageCodec.decode("hello".getBytes(StandardCharsets.UTF_8), 1 << 20));
		assertThatExceptionOfType(MalformedMessageException.class)
			.isThrownBy(() -> MessageCodec.decode(Arrays.copyOf(valid, valid.length - 1), 1 << 20));
		assertThatExceptionOfType(MalformedMessageException.class)
			.isThrownBy(() -> MessageCodec.decode(valid, valid.length - 1));
		assertThatExceptionOfType(MalformedMessageException.class)
			.isThrownBy(() -> MessageCodec.decode(Arrays.copyOf(valid, valid.length + 1), 1 << 20));
		byte[] hugeCount = valid.clone();
		// key count sits just before the last key: length 4 + "k"
		int countOffset = valid.length - 4 - 1 - 4;
		hugeCount[countOffset] = 0x7f;
		assertThatExceptionOfType(MalformedMessageException.class)
			.isThrownBy(() -> MessageCodec.decode(hugeCount, 1 << 20));
	}

}
