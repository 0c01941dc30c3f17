package io.github.multilevelcache;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Lets a test's loader hold until every other caller of a stampede is parked waiting for
 * a load (this JVM's single-flight, or another instance's lease) or runs a loader itself,
 * so that "one loader call" is asserted for callers that really overlapped, not for
 * callers that happened to arrive after the value was stored.
 */
final class LoadWaiters {

	private final int callers;

	private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

	private final Set<Thread> loading = ConcurrentHashMap.newKeySet();

	private final CountDownLatch gathered = new CountDownLatch(1);

	LoadWaiters(int callers) {
		this.callers = callers;
	}

	/**
	 * Registers the calling thread as one of the callers; call it before the cache call.
	 */
	void register() {
		this.threads.add(Thread.currentThread());
	}

	/**
	 * Called by a loader: returns once every registered caller waits for a load or runs a
	 * loader (fails after the deadline).
	 */
	void awaitTheOthers(Duration deadline) throws InterruptedException {
		this.loading.add(Thread.currentThread());
		if (this.gathered.await(0, TimeUnit.MILLISECONDS)) {
			return;
		}
		await("every other caller waits for this load").atMost(deadline)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> this.gathered.getCount() == 0 || everyoneGathered());
		this.gathered.countDown();
	}

	private boolean everyoneGathered() {
		if (this.threads.size() < this.callers) {
			return false;
		}
		for (Thread thread : this.threads) {
			if (!this.loading.contains(thread) && !waitingForALoad(thread)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether a thread is parked waiting for somebody else's load of a key: in
	 * {@link SingleFlight} (a load of this JVM) or polling another instance's lease.
	 */
	static boolean waitingForALoad(Thread thread) {
		Thread.State state = thread.getState();
		if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
			return false;
		}
		for (StackTraceElement frame : thread.getStackTrace()) {
			boolean singleFlight = frame.getClassName().equals(SingleFlight.class.getName())
					&& frame.getMethodName().equals("await");
			boolean lease = frame.getClassName().equals(LeaseWait.class.getName())
					&& frame.getMethodName().equals("awaitHolder");
			if (singleFlight || lease) {
				return true;
			}
		}
		return false;
	}

}
