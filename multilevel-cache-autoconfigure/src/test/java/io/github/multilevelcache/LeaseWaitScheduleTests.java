package io.github.multilevelcache;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LeaseWait}'s poll schedule: the first poll half a recent load after the wait
 * began, then pauses that keep the overshoot past the holder's store within a quarter of
 * a load (after the first poll) or a third of the wait, with a bounded number of polls.
 */
class LeaseWaitScheduleTests {

	private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

	@Test
	void theFirstPollComesHalfARecentLoadAfterTheWaitBegan() {
		assertThat(LeaseWait.firstPause(10 * MS)).isEqualTo(5 * MS);
		assertThat(LeaseWait.firstPause(-1)).as("before the first load: a 1 ms load").isEqualTo(MS / 2);
		assertThat(LeaseWait.firstPause(100_000)).as("at least 250 µs").isEqualTo(250_000);
		assertThat(LeaseWait.firstPause(TimeUnit.SECONDS.toNanos(10))).as("at most 100 ms").isEqualTo(100 * MS);
	}

	@Test
	void aStoreWithinALoadIsSeenAtTheFirstPollOrWithinAQuarterOfALoad() {
		long load = 4 * MS;
		long[] polls = polls(load, 2 * load);
		assertThat(polls[0]).isEqualTo(load / 2);
		assertThat(firstPollAtOrAfter(polls, 1)).as("a store before the first poll").isEqualTo(load / 2);
		for (long storedAt = load / 2; storedAt <= load; storedAt += MS / 10) {
			long seenAt = firstPollAtOrAfter(polls, storedAt);
			assertThat(seenAt - storedAt).as("overshoot for a store %d ns into the wait", storedAt)
				.isLessThanOrEqualTo(load / 4);
		}
	}

	@Test
	void aLongWaitOvershootsByAtMostAThirdAndPollsLogarithmically() {
		long load = MS;
		long[] polls = polls(load, 90 * MS);
		for (int i = 1; i < polls.length; i++) {
			assertThat(polls[i]).as("poll %d at most 1.5x the time of the previous one", i)
				.isLessThanOrEqualTo(polls[i - 1] * 3 / 2 + 1);
		}
		assertThat(polls).as("polls for 90 ms of a 1 ms load").hasSizeLessThanOrEqualTo(20);
		long[] late = polls(load, 2_000 * MS);
		assertThat(late[late.length - 1] - late[late.length - 2]).as("at most 100 ms apart").isEqualTo(100 * MS);
	}

	private static long[] polls(long load, long until) {
		long first = LeaseWait.firstPause(load);
		long[] polls = new long[0];
		long at = first;
		while (polls.length == 0 || polls[polls.length - 1] < until) {
			polls = Arrays.copyOf(polls, polls.length + 1);
			polls[polls.length - 1] = at;
			at += LeaseWait.nextPause(first, at);
		}
		return polls;
	}

	private static long firstPollAtOrAfter(long[] polls, long time) {
		for (long poll : polls) {
			if (poll >= time) {
				return poll;
			}
		}
		throw new AssertionError("no poll after " + time);
	}

}
