package io.github.multilevelcache;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache.ValueRetrievalException;
import org.springframework.cache.support.NullValue;

/**
 * Calls the application's loader for one cache: synchronous ({@code get(key, loader)} and
 * refresh-ahead) or asynchronous ({@code retrieve(key, loader)}). It touches neither
 * level and stores nothing.
 * <ul>
 * <li>Every call is timed and counted as a successful or a failed load.</li>
 * <li>Whatever the loader throws (errors included) is rethrown as a
 * {@link ValueRetrievalException} naming the key and the loader.</li>
 * <li>A {@code null} result becomes {@link NullValue#INSTANCE} when the cache keeps
 * {@code null}s, otherwise there is nothing to store and the call returns
 * {@code null}.</li>
 * </ul>
 */
final class LoaderCall {

	private final boolean allowNullValues;

	private final CacheStatistics statistics;

	/**
	 * Creates the loader calls of one cache.
	 * @param allowNullValues whether the cache keeps {@code null}s
	 * @param statistics where loads are counted
	 */
	LoaderCall(boolean allowNullValues, CacheStatistics statistics) {
		this.allowNullValues = allowNullValues;
		this.statistics = statistics;
	}

	/**
	 * Runs the loader.
	 * @return the store value and how long the loader took, {@code null} for a
	 * {@code null} result that is not cached
	 * @throws ValueRetrievalException when the loader threw
	 */
	@Nullable Loaded call(Object key, Callable<?> loader) {
		long start = System.nanoTime();
		Object value;
		try {
			value = loader.call();
		}
		catch (Throwable ex) {
			this.statistics.countLoad(System.nanoTime() - start, false);
			throw new ValueRetrievalException(key, loader, ex);
		}
		long nanos = System.nanoTime() - start;
		this.statistics.countLoad(nanos, true);
		int millis = (int) Math.min(Integer.MAX_VALUE, nanos / 1_000_000);
		if (value == null) {
			return this.allowNullValues ? new Loaded(NullValue.INSTANCE, millis) : null;
		}
		return new Loaded(value, millis);
	}

	/**
	 * Starts an asynchronous loader ({@code retrieve(key, loader)}), timed and counted
	 * like {@link #call}.
	 * @return the store value and how long the loader took, {@code null} for a
	 * {@code null} result that is not cached; failed with the loader's exception
	 */
	CompletableFuture<@Nullable Loaded> callAsync(Supplier<? extends CompletableFuture<?>> loader) {
		long start = System.nanoTime();
		CompletableFuture<?> loading;
		try {
			loading = loader.get();
		}
		catch (RuntimeException | Error ex) {
			this.statistics.countLoad(System.nanoTime() - start, false);
			return CompletableFuture.failedFuture(ex);
		}
		return loading.whenComplete((value, ex) -> {
			if (ex != null) {
				this.statistics.countLoad(System.nanoTime() - start, false);
			}
		}).thenApply((value) -> {
			long nanos = System.nanoTime() - start;
			this.statistics.countLoad(nanos, true);
			if (value == null && !this.allowNullValues) {
				return null;
			}
			return new Loaded((value != null) ? value : NullValue.INSTANCE,
					(int) Math.min(Integer.MAX_VALUE, nanos / 1_000_000));
		});
	}

	/**
	 * What a loader produced.
	 *
	 * @param storeValue the value to store ({@code NullValue.INSTANCE} for a cached
	 * {@code null})
	 * @param millis how long the loader took
	 */
	record Loaded(Object storeValue, int millis) {
	}

}
