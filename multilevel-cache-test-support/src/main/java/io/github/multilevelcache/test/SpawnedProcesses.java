package io.github.multilevelcache.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Every {@code redis-server} process the fixture started and has not yet seen exit, and
 * every temporary directory it has not yet deleted. A JVM shutdown hook kills (SIGKILL)
 * the processes still registered, then deletes the directories, so nothing outlives the
 * test JVM, even when a test forgets to close its server (or never can, like the shared
 * one).
 */
final class SpawnedProcesses {

	private static final Set<Process> processes = ConcurrentHashMap.newKeySet();

	private static final Set<Path> directories = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(SpawnedProcesses::cleanUp, "redis-test-fixture-cleanup"));
	}

	private SpawnedProcesses() {
	}

	static void register(Process process) {
		processes.add(process);
	}

	static void unregister(Process process) {
		processes.remove(process);
	}

	static void registerDirectory(Path directory) {
		directories.add(directory);
	}

	/**
	 * Deletes the directory now (best effort) and forgets it.
	 */
	static void deleteDirectory(Path directory) {
		directories.remove(directory);
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// a temporary directory left behind is harmless
		}
	}

	private static void cleanUp() {
		processes.forEach(Process::destroyForcibly);
		for (Process process : processes) {
			try {
				process.waitFor(1, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
		directories.forEach(SpawnedProcesses::deleteDirectory);
	}

}
