package io.github.multilevelcache.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} process on a fixed loopback port, persistence off, in a
 * temporary directory that holds its log (stdout and stderr go there too, so no pipe can
 * fill up). {@link #start()} returns only once this very process (checked by pid) answers
 * {@code PING}; {@link #stop()} and {@link #kill()} return only once the process has
 * exited and the port refuses connections. The directory survives stop and start, so a
 * {@code SAVE}d dump is loaded again on restart; {@link #deleteDirectory()} removes it,
 * and so does JVM exit.
 */
final class RedisProcess {

	static final String HOST = "127.0.0.1";

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

	private static final int START_ATTEMPTS = 5;

	private static final String DEBUG_COMMAND_OPTION = "--enable-debug-command";

	/**
	 * Cleared once a redis-server (before 7.0) rejects the option; every later start
	 * leaves it out.
	 */
	private static volatile boolean debugCommandOptionAccepted = true;

	private final int port;

	private final String binary;

	private final Path directory;

	private Process process;

	RedisProcess(int port) {
		this(port, "redis-server");
	}

	/**
	 * A process of another server binary that takes {@code redis-server}'s options (such
	 * as {@code valkey-server}, or a newer {@code redis-server} than the one on the
	 * PATH).
	 */
	RedisProcess(int port, String binary) {
		this.port = port;
		this.binary = binary;
		try {
			this.directory = Files.createTempDirectory("redis-test-" + port + "-");
			SpawnedProcesses.registerDirectory(this.directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	int port() {
		return this.port;
	}

	synchronized boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	synchronized void start() {
		if (isAlive()) {
			return;
		}
		IllegalStateException failure = null;
		int attempt = 0;
		while (attempt < START_ATTEMPTS) {
			long logOffset = logSize();
			boolean withDebugOption = debugCommandOptionAccepted;
			this.process = launch(withDebugOption);
			if (awaitPing()) {
				return;
			}
			String outcome = this.process.isAlive() ? "did not answer PING within " + STARTUP_TIMEOUT.toSeconds() + " s"
					: "exited with code " + this.process.exitValue();
			exit(Duration.ZERO);
			String output = logSince(logOffset);
			if (withDebugOption && output.contains(DEBUG_COMMAND_OPTION.substring(2))) {
				debugCommandOptionAccepted = false;
				continue;
			}
			attempt++;
			failure = new IllegalStateException("redis-server on " + HOST + ":" + this.port + " " + outcome
					+ " (attempt " + attempt + " of " + START_ATTEMPTS + "); " + log() + " ends with:\n" + logTail());
			sleep(200L * attempt);
		}
		throw failure;
	}

	/**
	 * Sends {@code SHUTDOWN NOSAVE}, gives the process a few seconds to exit, then
	 * destroys it.
	 */
	synchronized void stop() {
		if (!isAlive()) {
			return;
		}
		try {
			RespClient.send(HOST, this.port, 2_000, bytes("SHUTDOWN"), bytes("NOSAVE"));
		}
		catch (RuntimeException ex) {
			// the server closes the connection as it exits, instead of replying
		}
		exit(Duration.ofSeconds(5));
		awaitPortClosed();
	}

	/**
	 * SIGKILLs the process.
	 */
	synchronized void kill() {
		if (this.process != null) {
			exit(Duration.ZERO);
			awaitPortClosed();
		}
	}

	void deleteDirectory() {
		SpawnedProcesses.deleteDirectory(this.directory);
	}

	private Process launch(boolean withDebugOption) {
		List<String> command = new ArrayList<>(List.of(this.binary, "--port", Integer.toString(this.port), "--bind",
				HOST, "--save", "", "--appendonly", "no", "--dir", this.directory.toString(), "--logfile",
				log().toString(), "--daemonize", "no", "--protected-mode", "no"));
		if (withDebugOption) {
			command.addAll(List.of(DEBUG_COMMAND_OPTION, "yes"));
		}
		try {
			Files.createDirectories(this.directory);
			Process started = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
				.start();
			SpawnedProcesses.register(started);
			return started;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot run " + this.binary + " (is it installed and on the PATH?)", ex);
		}
	}

	private boolean awaitPing() {
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		String pid = "process_id:" + this.process.pid();
		while (System.nanoTime() < deadline && this.process.isAlive()) {
			try {
				if ("PONG".equals(command("PING")) && command("INFO", "server").contains(pid)) {
					return true;
				}
			}
			catch (RuntimeException ex) {
				// not listening yet
			}
			sleep(25);
		}
		return false;
	}

	private void exit(Duration grace) {
		try {
			if (grace.isZero() || !this.process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
				this.process.destroyForcibly();
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		SpawnedProcesses.unregister(this.process);
	}

	private void awaitPortClosed() {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline && portAccepts()) {
			sleep(20);
		}
	}

	private boolean portAccepts() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(HOST, this.port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private String command(String... args) {
		byte[][] raw = new byte[args.length][];
		for (int i = 0; i < args.length; i++) {
			raw[i] = bytes(args[i]);
		}
		return RespClient.render(RespClient.send(HOST, this.port, 1_000, raw));
	}

	Path log() {
		return this.directory.resolve("redis.log");
	}

	private long logSize() {
		try {
			return Files.exists(log()) ? Files.size(log()) : 0;
		}
		catch (IOException ex) {
			return 0;
		}
	}

	private String logSince(long offset) {
		try (InputStream in = Files.newInputStream(log())) {
			in.skipNBytes(offset);
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return "";
		}
	}

	private String logTail() {
		try {
			if (!Files.exists(log())) {
				return "(no log)";
			}
			List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
		}
		catch (IOException | UncheckedIOException ex) {
			return "(log unreadable: " + ex + ")";
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
