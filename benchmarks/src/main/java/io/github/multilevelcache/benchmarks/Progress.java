package io.github.multilevelcache.benchmarks;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress lines on the console, so a long run never looks hung: what starts, and once a
 * second for timed phases, how far it got.
 */
final class Progress {

	private final PrintStream out;

	private final long started = System.nanoTime();

	Progress(PrintStream out) {
		this.out = out;
	}

	void step(String format, Object... args) {
		this.out.printf(Locale.ROOT, "[%s] %s%n", elapsed(), String.format(Locale.ROOT, format, args));
		this.out.flush();
	}

	/**
	 * Waits {@code duration}, printing a line every {@code every} with the figure
	 * {@code status} returns.
	 */
	void timed(String phase, Duration duration, Duration every, java.util.function.Supplier<String> status)
			throws InterruptedException {
		long end = System.nanoTime() + duration.toNanos();
		long remaining;
		while ((remaining = end - System.nanoTime()) > 0) {
			Thread.sleep(Math.max(1, Math.min(every.toMillis(), remaining / 1_000_000)));
			long left = Math.max(0, (end - System.nanoTime()) / 1_000_000_000);
			step("  %s: %s (%ds left)", phase, status.get(), left);
		}
	}

	private String elapsed() {
		long seconds = (System.nanoTime() - this.started) / 1_000_000_000;
		return String.format(Locale.ROOT, "%02d:%02d", seconds / 60, seconds % 60);
	}

}
