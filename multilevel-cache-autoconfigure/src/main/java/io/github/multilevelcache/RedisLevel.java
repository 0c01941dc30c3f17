package io.github.multilevelcache;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The Redis level as the caches see it: every {@link L2Commands} operation goes through
 * {@link #call}, which asks {@link Availability} first (an open breaker answers at once,
 * without touching Redis), bounds the wait to the manager's {@code l2-timeout} whatever
 * the connection's own timeout, and reports the outcome back. The blocking form of any
 * operation is {@link #await} of its asynchronous one, so both paths share the timeout
 * and the accounting. Failures of every kind surface as {@link L2Failure}, which the
 * caches never let reach their callers.
 */
final class RedisLevel {

	private static final L2Failure UNAVAILABLE = new L2Failure(
			"Redis is unavailable (circuit breaker open or " + "recovering from an outage)");

	private final L2Commands commands;

	private final Availability availability;

	private final Duration timeout;

	private final Duration bulkTimeout;

	RedisLevel(L2Commands commands, Availability availability, Duration timeout) {
		this.commands = commands;
		this.availability = availability;
		this.timeout = timeout;
		this.bulkTimeout = timeout.multipliedBy(100).plusSeconds(10);
	}

	/**
	 * Runs one operation with the timeout, if Redis is available.
	 * @param operation the operation
	 * @return its result, or a future failed with {@link L2Failure}
	 */
	<T> CompletableFuture<T> call(Function<L2Commands, CompletableFuture<T>> operation) {
		return call(operation, this.timeout, true);
	}

	/**
	 * Runs an operation that touches many keys ({@code clear}), with a longer timeout.
	 */
	<T> CompletableFuture<T> callBulk(Function<L2Commands, CompletableFuture<T>> operation) {
		return call(operation, this.bulkTimeout, true);
	}

	/**
	 * Runs an operation of the recovery after an outage, which must reach Redis while
	 * every other call is still refused.
	 */
	<T> CompletableFuture<T> callForRecovery(Function<L2Commands, CompletableFuture<T>> operation) {
		return call(operation, this.bulkTimeout, false);
	}

	private <T> CompletableFuture<T> call(Function<L2Commands, CompletableFuture<T>> operation, Duration limit,
			boolean guarded) {
		if (guarded && !this.availability.tryPermit()) {
			return CompletableFuture.failedFuture(UNAVAILABLE);
		}
		long start = System.nanoTime();
		CompletableFuture<T> result;
		try {
			result = operation.apply(this.commands).orTimeout(limit.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (RuntimeException ex) {
			if (guarded) {
				this.availability.failed(System.nanoTime() - start, ex);
			}
			return CompletableFuture.failedFuture(failure(ex));
		}
		if (!guarded) {
			return result;
		}
		return result.whenComplete((value, ex) -> {
			long nanos = System.nanoTime() - start;
			if (ex == null) {
				this.availability.succeeded(nanos);
			}
			else {
				this.availability.failed(nanos, ex);
			}
		});
	}

	/**
	 * Waits for an operation started with {@link #call}; never longer than its timeout.
	 * @return the result
	 * @throws L2Failure when the operation failed, timed out or was refused, or the
	 * thread was interrupted
	 */
	<T> T await(CompletableFuture<T> operation) {
		try {
			return operation.get(this.bulkTimeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new L2Failure("Interrupted while waiting for Redis", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw failure((ex instanceof ExecutionException) ? ex.getCause() : ex);
		}
	}

	/**
	 * The failure an operation ended with, as an {@link L2Failure}.
	 */
	L2Failure failure(Throwable ex) {
		Throwable cause = ex;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		if (cause instanceof L2Failure failure) {
			return failure;
		}
		if (cause instanceof TimeoutException) {
			return new L2Failure("Redis did not answer within " + this.timeout.toMillis() + " ms", cause);
		}
		return new L2Failure("Redis call failed: " + cause, cause);
	}

	Availability availability() {
		return this.availability;
	}

	Duration timeout() {
		return this.timeout;
	}

}
