package io.github.multilevelcache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Per-key single-flight within one JVM: while a call for a key runs, concurrent calls for
 * the same key wait for its outcome instead of running their own. The result, or the
 * exception, reaches every waiter; nothing is remembered once the call ends.
 * <p>
 * A call never joins a flight that began before the key was invalidated: each flight
 * carries the invalidation stamp it started at, and a caller for whom
 * {@code invalidatedSince} says that flight is outdated starts a fresh one (callers that
 * joined earlier still get the earlier flight's result, which is as recent as their own
 * start). Without this, a read beginning after an evict returned could be handed the
 * value a concurrent load read before the evict.
 */
final class SingleFlight {

	private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();

	/**
	 * Runs {@code work} unless a current call for {@code key} is already running, in
	 * which case it waits for that one.
	 * @param key the key
	 * @param stamp the invalidation stamp now (a flight started by this call carries it)
	 * @param invalidatedSince whether the key was invalidated after a given stamp
	 * @param work the work, run at most once per overlapping set of calls
	 * @return the work's result
	 * @throws RuntimeException the work's exception, rethrown to every caller that waited
	 * for it
	 */
	@Nullable Object execute(String key, long stamp, LongPredicate invalidatedSince, Supplier<@Nullable Object> work) {
		Flight mine = new Flight(stamp);
		Flight running = join(key, mine, invalidatedSince);
		if (running != null) {
			return await(running.outcome);
		}
		try {
			Object result = work.get();
			mine.outcome.complete(result);
			return result;
		}
		catch (RuntimeException | Error ex) {
			mine.outcome.completeExceptionally(ex);
			throw ex;
		}
		finally {
			this.flights.remove(key, mine);
		}
	}

	/**
	 * Asynchronous variant: starts {@code work} unless a current call for {@code key} is
	 * in flight, and returns a future of the shared outcome.
	 * @param key the key
	 * @param stamp the invalidation stamp now
	 * @param invalidatedSince whether the key was invalidated after a given stamp
	 * @param work starts the asynchronous work
	 * @return a future completed with the work's result or exception
	 */
	CompletableFuture<@Nullable Object> executeAsync(String key, long stamp, LongPredicate invalidatedSince,
			Supplier<CompletableFuture<@Nullable Object>> work) {
		Flight mine = new Flight(stamp);
		Flight running = join(key, mine, invalidatedSince);
		if (running != null) {
			return running.outcome.copy();
		}
		CompletableFuture<@Nullable Object> started;
		try {
			started = work.get();
		}
		catch (RuntimeException | Error ex) {
			started = CompletableFuture.failedFuture(ex);
		}
		started.whenComplete((result, ex) -> {
			this.flights.remove(key, mine);
			if (ex != null) {
				mine.outcome.completeExceptionally(unwrap(ex));
			}
			else {
				mine.outcome.complete(result);
			}
		});
		return mine.outcome.copy();
	}

	/**
	 * Registers {@code mine} as the key's flight, replacing one that began before the
	 * key's latest invalidation.
	 * @return the current flight to wait for, or {@code null} when {@code mine} must run
	 */
	private @Nullable Flight join(String key, Flight mine, LongPredicate invalidatedSince) {
		while (true) {
			Flight running = this.flights.putIfAbsent(key, mine);
			if (running == null) {
				return null;
			}
			if (!invalidatedSince.test(running.stamp)) {
				return running;
			}
			if (this.flights.replace(key, running, mine)) {
				return null;
			}
		}
	}

	/**
	 * Number of keys with a call in flight.
	 * @return a snapshot count
	 */
	int inFlight() {
		return this.flights.size();
	}

	private static @Nullable Object await(CompletableFuture<@Nullable Object> running) {
		try {
			return running.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for a concurrent load of the same key", ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw new CompletionException(cause);
		}
	}

	private static Throwable unwrap(Throwable ex) {
		return (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
	}

	private static final class Flight {

		final long stamp;

		final CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();

		Flight(long stamp) {
			this.stamp = stamp;
		}

	}

}
