package io.github.multilevelcache;

import org.springframework.util.ClassUtils;

/**
 * Tells whether the calling thread must never block: a Netty event loop (Lettuce's own
 * I/O threads, Reactor Netty's) or a thread Reactor marks as non-blocking. Spring calls
 * {@code put} and {@code evict} of asynchronous and reactive cached methods on whatever
 * thread completed the method, so a cache that waited for Redis there could wait for a
 * reply that this very thread would have to read.
 */
final class IoThreads {

	private static final ClassLoader CLASS_LOADER = IoThreads.class.getClassLoader();

	private static final boolean NETTY = ClassUtils.isPresent("io.netty.util.concurrent.FastThreadLocalThread",
			CLASS_LOADER);

	private static final boolean REACTOR = ClassUtils.isPresent("reactor.core.scheduler.Schedulers", CLASS_LOADER);

	private IoThreads() {
	}

	/**
	 * Whether the current thread must not wait for Redis.
	 */
	static boolean current() {
		return (NETTY && Netty.isEventLoop()) || (REACTOR && Reactor.isNonBlocking());
	}

	private static final class Netty {

		static boolean isEventLoop() {
			return Thread.currentThread() instanceof io.netty.util.concurrent.FastThreadLocalThread;
		}

	}

	private static final class Reactor {

		static boolean isNonBlocking() {
			return reactor.core.scheduler.Schedulers.isInNonBlockingThread();
		}

	}

}
