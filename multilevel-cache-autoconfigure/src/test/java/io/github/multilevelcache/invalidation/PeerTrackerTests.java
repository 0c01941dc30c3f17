package io.github.multilevelcache.invalidation;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PeerTrackerTests {

	private final AtomicLong now = new AtomicLong();

	private final PeerTracker tracker = new PeerTracker(1_000, this.now::get);

	private final UUID peer = UUID.randomUUID();

	@Test
	void firstContactSetsTheBaseline() {
		assertThat(this.tracker.onInvalidation(this.peer, "c", 17)).isFalse();
		assertThat(this.tracker.onInvalidation(this.peer, "c", 18)).isFalse();
	}

	@Test
	void skippedSequenceIsAGap() {
		this.tracker.onInvalidation(this.peer, "c", 1);
		assertThat(this.tracker.onInvalidation(this.peer, "c", 3)).isTrue();
		assertThat(this.tracker.onInvalidation(this.peer, "c", 4)).isFalse();
	}

	@Test
	void heartbeatAheadOfTheLastMessageIsAGap() {
		assertThat(this.tracker.onHeartbeat(this.peer, Map.of("c", 5L, "d", 2L))).isEmpty();
		this.tracker.onInvalidation(this.peer, "c", 6);
		assertThat(this.tracker.onHeartbeat(this.peer, Map.of("c", 6L, "d", 2L))).isEmpty();
		assertThat(this.tracker.onHeartbeat(this.peer, Map.of("c", 7L, "d", 2L))).containsExactly("c");
		assertThat(this.tracker.onHeartbeat(this.peer, Map.of("c", 7L, "d", 2L))).isEmpty();
	}

	@Test
	void cacheFirstSeenAfterTheBaselineMustStartAtOne() {
		this.tracker.onHeartbeat(this.peer, Map.of("c", 1L));
		assertThat(this.tracker.onInvalidation(this.peer, "new", 2)).isTrue();
		assertThat(this.tracker.onHeartbeat(this.peer, Map.of("c", 1L, "other", 3L))).containsExactly("other");
	}

	@Test
	void silentPeersAreNotLiveAndAreForgotten() {
		this.tracker.onHeartbeat(this.peer, Map.of());
		assertThat(this.tracker.livePeers()).containsExactly(this.peer);
		this.now.addAndGet(1_000);
		assertThat(this.tracker.livePeers()).isEmpty();
		this.tracker.expire();
		assertThat(this.tracker.snapshot()).isEmpty();
	}

}
