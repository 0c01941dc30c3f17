package io.github.multilevelcache;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RecentLoadTime}: unknown before the first load, the first load itself, then a
 * moving average that forgets a slow start after a few dozen loads.
 */
class RecentLoadTimeTests {

	private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

	@Test
	void isUnknownBeforeTheFirstLoadAndThatLoadAfterIt() {
		RecentLoadTime time = new RecentLoadTime();
		assertThat(time.nanos()).isEqualTo(-1);
		time.record(3 * MS);
		assertThat(time.nanos()).isEqualTo(3 * MS);
	}

	@Test
	void aNegativeDurationCountsAsAnInstantLoadNotAsUnknown() {
		RecentLoadTime time = new RecentLoadTime();
		time.record(-5);
		assertThat(time.nanos()).as("-1 would read as no load yet").isZero();
		time.record(8 * MS);
		assertThat(time.nanos()).as("an eighth of the way from 0").isEqualTo(MS);
	}

	@Test
	void aSlowFirstLoadIsForgottenAfterAFewDozenLoads() {
		RecentLoadTime time = new RecentLoadTime();
		time.record(2_000 * MS);
		for (int i = 0; i < 1_000; i++) {
			time.record(MS);
		}
		assertThat(time.nanos()).as("a since-start mean would still be about 3 ms").isBetween(MS, MS + MS / 100);
		RecentLoadTime changed = new RecentLoadTime();
		for (int i = 0; i < 10_000; i++) {
			changed.record(MS);
		}
		for (int i = 0; i < 25; i++) {
			changed.record(10 * MS);
		}
		assertThat(changed.nanos()).as("25 loads after the database slowed down from 1 ms to 10 ms")
			.isBetween(9 * MS, 10 * MS);
	}

	@Test
	void concurrentLoadsKeepTheEstimateWithinTheirDurations() throws InterruptedException {
		RecentLoadTime time = new RecentLoadTime();
		int threads = 4;
		CountDownLatch start = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(threads);
		for (int t = 0; t < threads; t++) {
			long duration = (t + 1) * MS;
			Thread thread = new Thread(() -> {
				try {
					start.await();
					for (int i = 0; i < 100_000; i++) {
						time.record(duration);
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				finally {
					done.countDown();
				}
			});
			thread.start();
		}
		start.countDown();
		assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(time.nanos()).isBetween(MS, threads * MS);
	}

}
