package io.github.multilevelcache.stampede;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Per-key single-flight within one JVM: while a call for a key runs, concurrent calls for the same key wait
 * for its outcome instead of running their own. The result, or the exception, reaches every waiter; nothing
 * is remembered once the call ends.
 */
public final class SingleFlight {

	private final ConcurrentHashMap<String, CompletableFuture<@Nullable Object>> flights = new ConcurrentHashMap<>();

	/**
	 * Runs {@code work} unless a call for {@code key} is already running, in which case it waits for that one.
	 * @param key the key
	 * @param work the work, run at most once per overlapping set of calls
	 * @return the work's result
	 * @throws RuntimeException the work's exception, rethrown to every caller that waited for it
	 */
	public @Nullable Object execute(String key, Supplier<@Nullable Object> work) {
		CompletableFuture<@Nullable Object> mine = new CompletableFuture<>();
		CompletableFuture<@Nullable Object> running = this.flights.putIfAbsent(key, mine);
		if (running != null) {
			return await(running);
		}
		try {
			Object result = work.get();
			mine.complete(result);
			return result;
		}
		catch (RuntimeException | Error ex) {
			mine.completeExceptionally(ex);
			throw ex;
		}
		finally {
			this.flights.remove(key, mine);
		}
	}

	/**
	 * Asynchronous variant: starts {@code work} unless a call for {@code key} is in flight, and returns a
	 * future of the shared outcome.
	 * @param key the key
	 * @param work starts the asynchronous work
	 * @return a future completed with the work's result or exception
	 */
	public CompletableFuture<@Nullable Object> executeAsync(String key,
			Supplier<CompletableFuture<@Nullable Object>> work) {
		CompletableFuture<@Nullable Object> mine = new CompletableFuture<>();
		CompletableFuture<@Nullable Object> running = this.flights.putIfAbsent(key, mine);
		if (running != null) {
			return running.copy();
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
				mine.completeExceptionally(unwrap(ex));
			}
			else {
				mine.complete(result);
			}
		});
		return mine.copy();
	}

	/**
	 * Number of keys with a call in flight.
	 * @return a snapshot count
	 */
	public int inFlight() {
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

}
