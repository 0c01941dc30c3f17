package io.github.multilevelcache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link SingleFlight} with real threads: one run per overlapping set of calls, never
 * joined across an invalidation.
 */
class SingleFlightTests {

	private final SingleFlight singleFlight = new SingleFlight();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	/** the key's last invalidation stamp, as L1 keeps it */
	private final AtomicLong invalidatedAt = new AtomicLong(-1);

	private final LongPredicate invalidatedSince = (stamp) -> this.invalidatedAt.get() > stamp;

	@AfterEach
	void stop() {
		this.threads.shutdownNow();
	}

	@Test
	void concurrentCallsShareOneRun() throws Exception {
		AtomicInteger runs = new AtomicInteger();
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(1);
		List<Future<Object>> calls = new ArrayList<>();
		calls.add(this.threads.submit(() -> this.singleFlight.execute("k", 0, this.invalidatedSince, () -> {
			runs.incrementAndGet();
			started.countDown();
			await(release);
			return "value";
		})));
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		for (int i = 0; i < 16; i++) {
			calls.add(this.threads.submit(() -> this.singleFlight.execute("k", 0, this.invalidatedSince, () -> {
				runs.incrementAndGet();
				return "second run";
			})));
		}
		waitUntilQueued(16);
		release.countDown();
		for (Future<Object> call : calls) {
			assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo("value");
		}
		assertThat(runs).hasValue(1);
		assertThat(this.singleFlight.inFlight()).isZero();
	}

	@Test
	void aCallAfterAnInvalidationStartsItsOwnRunAndEarlierWaitersKeepTheirs() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		Future<Object> first = startBlockedRun(release, () -> "read before the evict");
		Future<Object> joinedBefore = this.threads
			.submit(() -> this.singleFlight.execute("k", 0, this.invalidatedSince, () -> "must not run"));
		waitUntilQueued(1);
		this.invalidatedAt.set(1);
		// a reader that begins after the evict: its own run, while the first one is still
		// blocked
		Object after = this.singleFlight.execute("k", 1, this.invalidatedSince, () -> "read after the evict");
		assertThat(after).isEqualTo("read after the evict");
		assertThat(first.isDone()).isFalse();
		release.countDown();
		assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("read before the evict");
		assertThat(joinedBefore.get(5, TimeUnit.SECONDS)).isEqualTo("read before the evict");
		assertThat(this.singleFlight.inFlight()).isZero();
	}

	@Test
	void asyncCallsFollowTheSameRules() throws Exception {
		CompletableFuture<Object> slow = new CompletableFuture<>();
		CompletableFuture<Object> first = this.singleFlight.executeAsync("k", 0, this.invalidatedSince, () -> slow);
		CompletableFuture<Object> joined = this.singleFlight.executeAsync("k", 0, this.invalidatedSince,
				() -> CompletableFuture.completedFuture("must not run"));
		this.invalidatedAt.set(1);
		CompletableFuture<Object> after = this.singleFlight.executeAsync("k", 1, this.invalidatedSince,
				() -> CompletableFuture.completedFuture("fresh"));
		assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo("fresh");
		slow.complete("old");
		assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("old");
		assertThat(joined.get(5, TimeUnit.SECONDS)).isEqualTo("old");
	}

	@Test
	void theRunsExceptionReachesEveryWaiter() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		Future<Object> first = startBlockedRun(release, () -> {
			throw new IllegalStateException("database down");
		});
		Future<Object> waiter = this.threads
			.submit(() -> this.singleFlight.execute("k", 0, this.invalidatedSince, () -> "must not run"));
		waitUntilQueued(1);
		release.countDown();
		for (Future<Object> call : List.of(first, waiter)) {
			assertThatIllegalStateException().isThrownBy(() -> {
				try {
					call.get(5, TimeUnit.SECONDS);
				}
				catch (java.util.concurrent.ExecutionException ex) {
					throw (RuntimeException) ex.getCause();
				}
			}).withMessage("database down");
		}
	}

	/**
	 * Starts a run for key {@code k} (stamp 0) that blocks until {@code release}, then
	 * gives {@code outcome}.
	 */
	private Future<Object> startBlockedRun(CountDownLatch release, Supplier<Object> outcome)
			throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		Future<Object> run = this.threads.submit(() -> this.singleFlight.execute("k", 0, this.invalidatedSince, () -> {
			started.countDown();
			await(release);
			return outcome.get();
		}));
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		return run;
	}

	/**
	 * Waits until {@code count} more threads of the pool are parked (waiting for the
	 * running flight).
	 */
	private void waitUntilQueued(int count) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (System.nanoTime() < deadline && waiting() < count) {
			Thread.sleep(5);
		}
		assertThat(waiting()).isGreaterThanOrEqualTo(count);
	}

	private static long waiting() {
		return Thread.getAllStackTraces()
			.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().getState() == Thread.State.WAITING)
			.filter((entry) -> List.of(entry.getValue())
				.stream()
				.anyMatch((frame) -> frame.getClassName().equals(SingleFlight.class.getName())
						&& frame.getMethodName().equals("await")))
			.count();
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
