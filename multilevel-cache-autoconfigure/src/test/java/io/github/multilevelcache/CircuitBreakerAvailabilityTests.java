package io.github.multilevelcache;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The breaker's states and the outage duration, driven by a fake ticker and a recovery
 * executor run by hand: no sleeps, no Redis. The stay-open period is an hour, so the
 * breaker's own real-time scheduler never moves it during a test; only the fake time
 * does.
 */
class CircuitBreakerAvailabilityTests {

	private static final Duration STAY_OPEN = Duration.ofHours(1);

	// negative, as System.nanoTime() may be; odd, so the "opened" mark (its low bit set)
	// is the reading itself
	private final AtomicLong nanos = new AtomicLong(-4_999_999_999L);

	private final Queue<Runnable> recoveries = new ArrayDeque<>();

	private final AtomicBoolean recoverySucceeds = new AtomicBoolean(true);

	private final AtomicInteger recoveryRuns = new AtomicInteger();

	private final CircuitBreakerAvailability availability = new CircuitBreakerAvailability(
			new ResilienceSettings(Duration.ofMillis(200), Percentage.ofPercent(50), Percentage.ofPercent(100),
					Duration.ofMillis(200), STAY_OPEN, 4, 4, 100),
			this.recoveries::add, () -> {
				this.recoveryRuns.incrementAndGet();
				return this.recoverySucceeds.get();
			}, this.nanos::get);

	@Test
	void failuresOpenTheBreakerWhichRefusesCallsUntilTheStayOpenPeriodPassed() {
		assertThat(this.availability.isAvailable()).isTrue();
		fail(2);
		succeed(2);
		assertThat(this.availability.state()).isEqualTo("OPEN");
		assertThat(this.availability.tryPermit()).isFalse();
		assertThat(this.availability.isAvailable()).isFalse();
		advance(STAY_OPEN.minusMillis(1));
		assertThat(this.availability.tryPermit()).isFalse();
		assertThat(this.availability.refusedCalls()).isEqualTo(2);
		advance(Duration.ofMillis(2));
		assertThat(this.availability.tryPermit()).isTrue();
		assertThat(this.availability.state()).isEqualTo("HALF_OPEN");
	}

	@Test
	void outageLastsFromOpeningUntilTheRepairFinished() {
		assertThat(this.availability.unavailableMillis()).isZero();
		fail(4);
		advance(Duration.ofMillis(1_500));
		assertThat(this.availability.unavailableMillis()).isEqualTo(1_500);
		advance(STAY_OPEN);
		closeThroughTrialCalls();
		// closed, but the repair has not run yet: still an outage, and every call refused
		assertThat(this.availability.state()).isEqualTo("RECOVERING");
		assertThat(this.availability.tryPermit()).isFalse();
		assertThat(this.availability.isAvailable()).isFalse();
		assertThat(this.availability.unavailableMillis()).isEqualTo(1_500 + STAY_OPEN.toMillis());
		assertThat(this.recoveries).hasSize(1);
		this.recoveries.remove().run();
		assertThat(this.recoveryRuns).hasValue(1);
		assertThat(this.availability.state()).isEqualTo("CLOSED");
		assertThat(this.availability.tryPermit()).isTrue();
		assertThat(this.availability.unavailableMillis()).isZero();
	}

	@Test
	void failedRepairOpensTheBreakerAgainAndKeepsTheOutageStart() {
		fail(4);
		advance(STAY_OPEN.plusMillis(1));
		closeThroughTrialCalls();
		this.recoverySucceeds.set(false);
		this.recoveries.remove().run();
		assertThat(this.availability.state()).isEqualTo("OPEN");
		assertThat(this.availability.tryPermit()).isFalse();
		assertThat(this.availability.unavailableMillis()).isEqualTo(STAY_OPEN.toMillis() + 1);
		advance(STAY_OPEN.plusMillis(1));
		closeThroughTrialCalls();
		this.recoverySucceeds.set(true);
		this.recoveries.remove().run();
		assertThat(this.recoveryRuns).hasValue(2);
		assertThat(this.availability.tryPermit()).isTrue();
		assertThat(this.availability.unavailableMillis()).isZero();
	}

	@Test
	void slowCallsOpenTheBreakerToo() {
		for (int i = 0; i < 4; i++) {
			assertThat(this.availability.tryPermit()).isTrue();
			this.availability.succeeded(TimeUnit.MILLISECONDS.toNanos(250));
		}
		assertThat(this.availability.state()).isEqualTo("OPEN");
	}

	private void closeThroughTrialCalls() {
		// three trial calls are permitted half open; their success closes the breaker
		for (int i = 0; i < 3; i++) {
			assertThat(this.availability.tryPermit()).isTrue();
			this.availability.succeeded(1_000);
		}
	}

	private void fail(int calls) {
		for (int i = 0; i < calls; i++) {
			assertThat(this.availability.tryPermit()).isTrue();
			this.availability.failed(1_000, new IllegalStateException("Redis down"));
		}
	}

	private void succeed(int calls) {
		for (int i = 0; i < calls; i++) {
			assertThat(this.availability.tryPermit()).isTrue();
			this.availability.succeeded(1_000);
		}
	}

	private void advance(Duration duration) {
		this.nanos.addAndGet(duration.toNanos());
	}

}
