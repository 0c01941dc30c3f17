package io.github.multilevelcache.invalidation;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PeerTrackerTests {

	private static final long GRACE = 50;

	private final AtomicLong now = new AtomicLong();

	private final PeerTracker tracker = new PeerTracker(1_000, GRACE, this.now::get);

	private final UUID peer = UUID.randomUUID();

	@Test
	void firstContactSetsTheBaseline() {
		assertThat(this.tracker.onInvalidation(this.peer, "c", 17)).isFalse();
		assertThat(this.tracker.onInvalidation(this.peer, "c", 18)).isFalse();
		this.now.addAndGet(GRACE);
		assertThat(this.tracker.gaps()).isEmpty();
	}

	@Test
	void aSkippedSequenceThatDoesNotArriveWithinTheGraceIsAGap() {
		this.tracker.onInvalidation(this.peer, "c", 1);
		assertThat(this.tracker.onInvalidation(this.peer, "c", 3)).isFalse();
		this.now.addAndGet(GRACE - 1);
		assertThat(this.tracker.gaps()).isEmpty();
		this.now.addAndGet(1);
		assertThat(this.tracker.gaps()).containsExactly("c");
		assertThat(this.tracker.gaps()).as("reported once").isEmpty();
	}

	@Test
	void aMessageOvertakenByALaterOneIsNoGap() {
		this.tracker.onInvalidation(this.peer, "c", 1);
		this.tracker.onInvalidation(this.peer, "c", 3);
		this.tracker.onInvalidation(this.peer, "c", 2);
		this.now.addAndGet(GRACE * 10);
		assertThat(this.tracker.gaps()).isEmpty();
	}

	@Test
	void aHeartbeatAheadOfTheLastMessageIsAGapUnlessTheMessageArrives() {
		assertThat(this.tracker.onHeartbeat(this.peer, Map.of("c", 5L, "d", 2L))).isEmpty();
		this.tracker.onInvalidation(this.peer, "c", 6);
		this.tracker.onHeartbeat(this.peer, Map.of("c", 6L, "d", 2L));
		this.now.addAndGet(GRACE);
		assertThat(this.tracker.gaps()).isEmpty();
		this.tracker.onHeartbeat(this.peer, Map.of("c", 8L, "d", 2L));
		this.tracker.onInvalidation(this.peer, "c", 7);
		this.now.addAndGet(GRACE);
		assertThat(this.tracker.gaps()).as("8 never arrived").containsExactly("c");
	}

	@Test
	void tooManyMissingNumbersAreAGapAtOnce() {
		this.tracker.onInvalidation(this.peer, "c", 1);
		assertThat(this.tracker.onInvalidation(this.peer, "c", 2 + PeerTracker.MAX_MISSING + 1)).isTrue();
		assertThat(this.tracker.onHeartbeat(this.peer, Map.of("c", 10_000L))).containsExactly("c");
	}

	@Test
	void aCacheFirstSeenAfterTheBaselineMustStartAtOne() {
		this.tracker.onHeartbeat(this.peer, Map.of("c", 1L));
		this.tracker.onInvalidation(this.peer, "new", 2);
		this.tracker.onHeartbeat(this.peer, Map.of("c", 1L, "other", 3L));
		this.now.addAndGet(GRACE);
		assertThat(this.tracker.gaps()).containsExactlyInAnyOrder("new", "other");
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
