package io.github.multilevelcache;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * {@link Availability} from one Resilience4j circuit breaker over every Redis call of a
 * manager. While Redis fails or is slow the breaker opens and calls are refused at once,
 * so callers are answered from L1 and their loaders with bounded latency. When trial
 * calls succeed again the breaker closes and the recovery action runs (replaying the
 * writes remembered during the outage, clearing every L1) before any other call is
 * permitted: until it finished, {@link #tryPermit()} refuses. A recovery that fails opens
 * the breaker again, so it is retried after the next trial calls.
 * <p>
 * Time is read from the manager's {@link Ticker} (the breaker's stay-open period and the
 * outage duration), so tests drive it with a fake one.
 */
final class CircuitBreakerAvailability implements Availability {

	private static final Log logger = LogFactory.getLog(CircuitBreakerAvailability.class);

	private final CircuitBreaker breaker;

	private final Executor recoveryExecutor;

	private final Recovery recovery;

	private final LongAdder refusedWhileRecovering = new LongAdder();

	private volatile boolean recovering;

	private final Ticker ticker;

	/** The ticker's reading when the breaker opened, 0 while Redis is available. */
	private volatile long unavailableSince;

	CircuitBreakerAvailability(ResilienceSettings settings, Executor recoveryExecutor, Recovery recovery,
			Ticker ticker) {
		this.recoveryExecutor = recoveryExecutor;
		this.recovery = recovery;
		this.ticker = ticker;
		CircuitBreakerConfig config = CircuitBreakerConfig.custom()
			.clock(new TickerClock(ticker))
			.failureRateThreshold(settings.openAfterFailureRate().percent())
			.slowCallRateThreshold(settings.openAfterSlowCallRate().percent())
			.slowCallDurationThreshold(settings.slowCallDuration())
			.waitDurationInOpenState(settings.stayOpen())
			.slidingWindowSize(settings.slidingWindowSize())
			.minimumNumberOfCalls(settings.minimumCalls())
			.permittedNumberOfCallsInHalfOpenState(3)
			.automaticTransitionFromOpenToHalfOpenEnabled(true)
			.build();
		this.breaker = CircuitBreaker.of("multilevel-cache-redis", config);
		this.breaker.getEventPublisher().onStateTransition((event) -> {
			CircuitBreaker.StateTransition transition = event.getStateTransition();
			if (transition.getToState() == CircuitBreaker.State.OPEN && this.unavailableSince == 0) {
				this.unavailableSince = this.ticker.read() | 1;
			}
			if (transition.getToState() == CircuitBreaker.State.OPEN && !this.recovering) {
				logger.warn("Redis is failing or slow: serving from L1 and loaders for at least "
						+ settings.stayOpen().toMillis() + " ms (circuit breaker open)");
			}
			else if (transition.getToState() == CircuitBreaker.State.CLOSED
					&& transition.getFromState() == CircuitBreaker.State.HALF_OPEN) {
				// refuse every call from now until the repair finished, then let them
				// through
				this.recovering = true;
				this.recoveryExecutor.execute(this::recover);
			}
		});
	}

	private void recover() {
		boolean recovered = false;
		try {
			recovered = this.recovery.recover();
		}
		catch (RuntimeException ex) {
			logger.debug("Recovery after a Redis outage failed", ex);
		}
		finally {
			if (!recovered) {
				this.breaker.transitionToOpenState();
			}
			else {
				// before calls are let through: an outage starting right after keeps its
				// own start
				this.unavailableSince = 0;
			}
			this.recovering = false;
		}
		if (recovered) {
			logger.info("Redis is back: replayed the writes remembered during the outage and cleared L1");
		}
		else {
			logger.warn("Redis answered again but the writes remembered during the outage could not be replayed; "
					+ "serving from L1 and loaders until the next attempt");
		}
	}

	@Override
	public boolean tryPermit() {
		if (this.recovering) {
			this.refusedWhileRecovering.increment();
			return false;
		}
		return this.breaker.tryAcquirePermission();
	}

	@Override
	public void succeeded(long nanos) {
		this.breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void failed(long nanos, Throwable failure) {
		this.breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
	}

	@Override
	public boolean isAvailable() {
		CircuitBreaker.State state = this.breaker.getState();
		return !this.recovering && (state == CircuitBreaker.State.CLOSED || state == CircuitBreaker.State.HALF_OPEN);
	}

	@Override
	public String state() {
		return this.recovering ? "RECOVERING" : this.breaker.getState().name();
	}

	@Override
	public long refusedCalls() {
		return this.breaker.getMetrics().getNumberOfNotPermittedCalls() + this.refusedWhileRecovering.sum();
	}

	@Override
	public long unavailableMillis() {
		long since = this.unavailableSince;
		return (since != 0) ? TimeUnit.NANOSECONDS.toMillis(this.ticker.read() - since) : 0;
	}

	/**
	 * The ticker as the breaker's clock: only differences of its instants matter (the
	 * stay-open period), so the ticker's origin serves as the epoch.
	 */
	private static final class TickerClock extends Clock {

		private final Ticker ticker;

		TickerClock(Ticker ticker) {
			this.ticker = ticker;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			long nanos = this.ticker.read();
			return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
		}

	}

	/**
	 * What runs when Redis is back.
	 */
	@FunctionalInterface
	interface Recovery {

		/**
		 * Repairs what the outage left behind, calling Redis through
		 * {@link RedisLevel#callForRecovery}.
		 * @return whether everything was repaired
		 */
		boolean recover();

	}

}
