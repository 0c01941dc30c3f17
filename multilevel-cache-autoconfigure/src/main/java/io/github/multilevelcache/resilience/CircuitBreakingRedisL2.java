package io.github.multilevelcache.resilience;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessResourceFailureException;

import io.github.multilevelcache.l2.RedisL2;

/**
 * A {@link RedisL2} decorator that runs every operation through one circuit breaker. While Redis fails or is
 * slow the breaker opens and calls fail at once, without touching Redis, so callers are answered from L1 and
 * their loaders with bounded latency. When trial calls succeed again the breaker closes and the registered
 * recovery actions run (replaying the evictions remembered during the outage, clearing L1) before any other
 * caller reaches Redis again.
 */
public final class CircuitBreakingRedisL2 implements RedisL2 {

	private static final Log logger = LogFactory.getLog(CircuitBreakingRedisL2.class);

	private final RedisL2 delegate;

	private final CircuitBreaker breaker;

	private final List<Runnable> recoveryActions = new CopyOnWriteArrayList<>();

	private final ThreadLocal<Boolean> recoveryThread = new ThreadLocal<>();

	private volatile boolean recovering;

	/**
	 * Wraps a Redis access object.
	 * @param delegate the access to protect (with its own per-operation timeout)
	 * @param settings breaker settings
	 */
	public CircuitBreakingRedisL2(RedisL2 delegate, ResilienceSettings settings) {
		this.delegate = delegate;
		CircuitBreakerConfig config = CircuitBreakerConfig.custom()
			.failureRateThreshold(settings.failureRateThreshold())
			.slowCallRateThreshold(settings.slowCallRateThreshold())
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
			if (transition.getToState() == CircuitBreaker.State.OPEN) {
				logger.warn("Redis is failing or slow: serving from L1 and loaders for at least "
						+ settings.stayOpen().toMillis() + " ms (circuit breaker open)");
			}
			else if (transition.getToState() == CircuitBreaker.State.CLOSED
					&& transition.getFromState() == CircuitBreaker.State.HALF_OPEN) {
				recover();
			}
		});
	}

	/**
	 * Registers an action to run when Redis is back, before normal service resumes.
	 * @param action the action; its Redis calls bypass the breaker
	 */
	public void onRecovery(Runnable action) {
		this.recoveryActions.add(action);
	}

	/**
	 * Whether calls currently reach Redis.
	 * @return {@code false} while the breaker is open or recovery runs
	 */
	public boolean isAvailable() {
		CircuitBreaker.State state = this.breaker.getState();
		return !this.recovering && (state == CircuitBreaker.State.CLOSED || state == CircuitBreaker.State.HALF_OPEN);
	}

	/**
	 * The breaker's state, for health and metrics.
	 * @return {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, …
	 */
	public String state() {
		return this.breaker.getState().name();
	}

	/**
	 * Failure rate over the sliding window, in percent, or -1 before enough calls were made.
	 * @return the rate
	 */
	public float failureRate() {
		return this.breaker.getMetrics().getFailureRate();
	}

	/**
	 * Calls refused without touching Redis since start-up.
	 * @return the count
	 */
	public long notPermittedCalls() {
		return this.breaker.getMetrics().getNumberOfNotPermittedCalls();
	}

	void recover() {
		this.recovering = true;
		this.recoveryThread.set(Boolean.TRUE);
		try {
			for (Runnable action : this.recoveryActions) {
				action.run();
			}
			logger.info("Redis is back: applied the evictions remembered during the outage and cleared L1");
		}
		catch (RuntimeException ex) {
			logger.warn("Recovery after the Redis outage failed; it is retried after the next outage", ex);
		}
		finally {
			this.recoveryThread.remove();
			this.recovering = false;
		}
	}

	private <T> T call(Supplier<T> operation) {
		if (Boolean.TRUE.equals(this.recoveryThread.get())) {
			return operation.get();
		}
		if (this.recovering) {
			throw new DataAccessResourceFailureException("Redis is recovering from an outage");
		}
		return this.breaker.executeSupplier(operation);
	}

	private void run(Runnable operation) {
		call(() -> {
			operation.run();
			return null;
		});
	}

	private <T> CompletableFuture<T> callAsync(Supplier<CompletableFuture<T>> operation) {
		if (this.recovering || !this.breaker.tryAcquirePermission()) {
			return CompletableFuture.failedFuture(
					new DataAccessResourceFailureException("Redis is unavailable (circuit breaker open)"));
		}
		long start = System.nanoTime();
		CompletableFuture<T> result;
		try {
			result = operation.get();
		}
		catch (RuntimeException ex) {
			this.breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, ex);
			return CompletableFuture.failedFuture(ex);
		}
		return result.whenComplete((value, ex) -> {
			long took = System.nanoTime() - start;
			if (ex != null) {
				this.breaker.onError(took, TimeUnit.NANOSECONDS, ex);
			}
			else {
				this.breaker.onSuccess(took, TimeUnit.NANOSECONDS);
			}
		});
	}

	@Override
	public byte @Nullable [] get(byte[] key) {
		return call(() -> this.delegate.get(key));
	}

	@Override
	public CompletableFuture<byte @Nullable []> getAsync(byte[] key) {
		return callAsync(() -> this.delegate.getAsync(key));
	}

	@Override
	public void set(byte[] key, byte[] value, @Nullable Duration ttl) {
		run(() -> this.delegate.set(key, value, ttl));
	}

	@Override
	public CompletableFuture<Void> setAsync(byte[] key, byte[] value, @Nullable Duration ttl) {
		return callAsync(() -> this.delegate.setAsync(key, value, ttl));
	}

	@Override
	public byte @Nullable [] setIfAbsent(byte[] key, byte[] value, @Nullable Duration ttl) {
		return call(() -> this.delegate.setIfAbsent(key, value, ttl));
	}

	@Override
	public boolean delete(byte[] key) {
		return call(() -> this.delegate.delete(key));
	}

	@Override
	public boolean deleteIfEquals(byte[] key, byte[] expected) {
		return call(() -> this.delegate.deleteIfEquals(key, expected));
	}

	@Override
	public boolean acquireLease(byte[] key, byte[] lease, Duration leaseTime) {
		return call(() -> this.delegate.acquireLease(key, lease, leaseTime));
	}

	@Override
	public boolean renewLease(byte[] key, byte[] lease, Duration leaseTime) {
		return call(() -> this.delegate.renewLease(key, lease, leaseTime));
	}

	@Override
	public boolean replaceIfEquals(byte[] key, byte[] expected, byte[] value, @Nullable Duration ttl) {
		return call(() -> this.delegate.replaceIfEquals(key, expected, value, ttl));
	}

	@Override
	public boolean replaceIfStartsWith(byte[] key, byte[] prefix, byte[] value, @Nullable Duration ttl) {
		return call(() -> this.delegate.replaceIfStartsWith(key, prefix, value, ttl));
	}

	@Override
	public boolean setMarkerIfAbsent(byte[] key, byte[] value, Duration ttl) {
		return call(() -> this.delegate.setMarkerIfAbsent(key, value, ttl));
	}

	@Override
	public long clear(byte[] pattern) {
		return call(() -> this.delegate.clear(pattern));
	}

}
