package io.github.multilevelcache;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Orders the writes of one key in a cache with a writer (G10): a write holds its key's
 * stripe lock around the writer call (or the write-behind queueing) and the cache write,
 * so two threads writing one key reach the database and the cache in the same order;
 * without it the database could keep one thread's value and the cache the other's. A
 * write the writer itself makes on the cache (from inside {@code write}) takes no second
 * lock, so two writers writing each other's keys cannot deadlock. Cache-aside caches take
 * no lock ({@link #NONE}).
 */
abstract class WriteOrdering {

	private static final int STRIPES = 1024;

	static final WriteOrdering NONE = new WriteOrdering() {

		@Override
		<T> T inKeyOrder(String canonical, Supplier<T> write) {
			return write.get();
		}

	};

	abstract <T> T inKeyOrder(String canonical, Supplier<T> write);

	static WriteOrdering striped() {
		return new Striped();
	}

	private static final class Striped extends WriteOrdering {

		private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

		/** Set while this thread holds one of the locks. */
		private final ThreadLocal<Boolean> writing = new ThreadLocal<>();

		Striped() {
			for (int i = 0; i < STRIPES; i++) {
				this.locks[i] = new ReentrantLock();
			}
		}

		@Override
		<T> T inKeyOrder(String canonical, Supplier<T> write) {
			if (this.writing.get() != null) {
				return write.get();
			}
			int hash = canonical.hashCode();
			ReentrantLock lock = this.locks[(hash ^ (hash >>> 16)) & (STRIPES - 1)];
			lock.lock();
			this.writing.set(Boolean.TRUE);
			try {
				return write.get();
			}
			finally {
				this.writing.remove();
				lock.unlock();
			}
		}

	}

}
