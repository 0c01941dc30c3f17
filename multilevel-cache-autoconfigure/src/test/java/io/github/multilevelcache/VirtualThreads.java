package io.github.multilevelcache;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Virtual threads for tests of a build that compiles against the Java 17 API, where
 * {@code Thread.ofVirtual()} and {@code Executors.newVirtualThreadPerTaskExecutor()} do
 * not exist: the executor is looked up with a method handle at run time. Callers guard
 * their tests with {@code @EnabledForJreRange(min = JRE.JAVA_21)}.
 */
final class VirtualThreads {

	private VirtualThreads() {
	}

	/**
	 * {@code Executors.newVirtualThreadPerTaskExecutor()}.
	 * @return a new executor starting one virtual thread per task
	 * @throws IllegalStateException below Java 21
	 */
	static ExecutorService newVirtualThreadPerTaskExecutor() {
		try {
			MethodHandle factory = MethodHandles.publicLookup()
				.findStatic(Executors.class, "newVirtualThreadPerTaskExecutor",
						MethodType.methodType(ExecutorService.class));
			return (ExecutorService) factory.invokeExact();
		}
		catch (NoSuchMethodException | IllegalAccessException ex) {
			throw new IllegalStateException("Virtual threads need Java 21 or later", ex);
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Whether the current thread is virtual ({@code Thread.isVirtual()}, Java 21).
	 * @return {@code false} below Java 21
	 */
	static boolean isVirtual(Thread thread) {
		try {
			MethodHandle isVirtual = MethodHandles.publicLookup()
				.findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
			return (boolean) isVirtual.invokeExact(thread);
		}
		catch (NoSuchMethodException | IllegalAccessException ex) {
			return false;
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

}
