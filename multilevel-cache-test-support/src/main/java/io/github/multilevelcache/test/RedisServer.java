package io.github.multilevelcache.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A handle to one Redis server for tests. A managed server (spawned by this fixture) can be stopped, killed,
 * paused and restarted on the same port, so clients reconnect to it; an external one (from {@code REDIS_URL}
 * or a container) only answers commands.
 */
public final class RedisServer implements AutoCloseable {

	private static final int COMMAND_TIMEOUT_MILLIS = 10_000;

	private final String host;

	private final int port;

	private final String username;

	private final String password;

	private final Path directory;

	private final boolean managed;

	private Process process;

	private RedisServer(String host, int port, String username, String password, Path directory, boolean managed) {
		this.host = host;
		this.port = port;
		this.username = username;
		this.password = password;
		this.directory = directory;
		this.managed = managed;
	}

	static RedisServer external(String host, int port, String username, String password) {
		return new RedisServer(host, port, username, password, null, false);
	}

	static RedisServer spawn(int port) {
		try {
			Path directory = Files.createTempDirectory("redis-test-");
			RedisServer server = new RedisServer("127.0.0.1", port, null, null, directory, true);
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public String host() {
		return this.host;
	}

	public int port() {
		return this.port;
	}

	/**
	 * The server's URL, with credentials when it has them.
	 * @return e.g. {@code redis://127.0.0.1:6543}
	 */
	public String url() {
		String credentials = "";
		if (this.password != null) {
			credentials = ((this.username != null) ? this.username : "") + ":" + this.password + "@";
		}
		return "redis://" + credentials + this.host + ":" + this.port;
	}

	/**
	 * Whether this fixture spawned the server (only then can it stop, kill, pause or restart it).
	 * @return {@code true} for a spawned server
	 */
	public boolean isManaged() {
		return this.managed;
	}

	/**
	 * Starts (or restarts) the server on its port and waits until it answers {@code PING}.
	 */
	public synchronized void start() {
		requireManaged("start");
		if (this.process != null && this.process.isAlive()) {
			return;
		}
		List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(this.port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.directory.toString(), "--logfile",
				log().toString(), "--daemonize", "no", "--protected-mode", "no", "--enable-debug-command", "yes"));
		IllegalStateException failure = null;
		for (int attempt = 0; attempt < 5; attempt++) {
			try {
				this.process = new ProcessBuilder(command).redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.appendTo(this.directory.resolve("stdout.log").toFile()))
					.start();
			}
			catch (IOException ex) {
				throw new IllegalStateException("Cannot start redis-server (is it installed?)", ex);
			}
			if (awaitPing(Duration.ofSeconds(10))) {
				RedisServers.track(this);
				return;
			}
			this.process.destroyForcibly();
			failure = new IllegalStateException("redis-server did not answer on port " + this.port + ":\n" + logTail());
			sleep(500);
		}
		throw failure;
	}

	/**
	 * Stops the server gracefully ({@code SHUTDOWN NOSAVE}) and waits until its port refuses connections.
	 */
	public synchronized void stop() {
		requireManaged("stop");
		if (this.process == null || !this.process.isAlive()) {
			return;
		}
		try {
			RespClient.send(this.host, this.port, 2_000, bytes("SHUTDOWN"), bytes("NOSAVE"));
		}
		catch (RuntimeException ex) {
			// the connection closes as the server exits
		}
		awaitExit(false);
	}

	/**
	 * Kills the server process (SIGKILL) and waits until it is gone.
	 */
	public synchronized void kill() {
		requireManaged("kill");
		if (this.process != null) {
			awaitExit(true);
		}
	}

	/**
	 * Pauses every client of the server ({@code CLIENT PAUSE <ms> ALL}); the server stays up.
	 * @param duration how long
	 */
	public void pause(Duration duration) {
		requireManaged("pause");
		command("CLIENT", "PAUSE", Long.toString(duration.toMillis()), "ALL");
	}

	/**
	 * Sends one command.
	 * @param args the command and its arguments
	 * @return the reply as text (arrays one element per line), {@code null} for nil
	 * @throws IllegalStateException for an error reply
	 */
	public String command(String... args) {
		byte[][] raw = new byte[args.length][];
		for (int i = 0; i < args.length; i++) {
			raw[i] = bytes(args[i]);
		}
		return RespClient.render(send(raw));
	}

	/**
	 * Sends one binary-safe command.
	 * @param args the command and its arguments
	 * @return the bulk reply's bytes, the text of other replies as UTF-8, or {@code null} for nil
	 */
	public byte[] commandBytes(byte[]... args) {
		Object reply = send(args);
		if (reply == null || reply instanceof byte[]) {
			return (byte[]) reply;
		}
		return RespClient.render(reply).getBytes(StandardCharsets.UTF_8);
	}

	public void flushAll() {
		command("FLUSHALL");
	}

	public String info(String section) {
		return command("INFO", section);
	}

	public long dbSize() {
		return Long.parseLong(command("DBSIZE"));
	}

	/**
	 * Calls per command since start-up, from {@code INFO commandstats}.
	 * @return command name (lower case, e.g. {@code get}) → calls
	 */
	public Map<String, Long> commandStats() {
		Map<String, Long> stats = new LinkedHashMap<>();
		for (String line : info("commandstats").split("\r?\n")) {
			if (line.startsWith("cmdstat_")) {
				String name = line.substring("cmdstat_".length(), line.indexOf(':'));
				String calls = line.substring(line.indexOf("calls=") + 6);
				int end = calls.indexOf(',');
				stats.put(name, Long.parseLong((end >= 0) ? calls.substring(0, end) : calls));
			}
		}
		return stats;
	}

	@Override
	public void close() {
		if (this.managed) {
			stop();
		}
	}

	boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	void destroyForcibly() {
		if (this.process != null) {
			this.process.destroyForcibly();
		}
	}

	private Object send(byte[]... args) {
		if (this.password != null) {
			// authenticate on the same connection: send AUTH first through a pipeline-free second call is not
			// possible with one-shot connections, so credentials are only supported via REDIS_URL clients
			throw new IllegalStateException("Raw commands are not supported for a password-protected REDIS_URL");
		}
		return RespClient.send(this.host, this.port, COMMAND_TIMEOUT_MILLIS, args);
	}

	private boolean awaitPing(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				return false;
			}
			try {
				Object reply = RespClient.send(this.host, this.port, 1_000, bytes("PING"));
				if ("PONG".equals(RespClient.render(reply))) {
					return true;
				}
			}
			catch (RuntimeException ex) {
				// not up yet
			}
			sleep(50);
		}
		return false;
	}

	private void awaitExit(boolean forcibly) {
		try {
			if (forcibly || !this.process.waitFor(5, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline && portAccepts()) {
			sleep(20);
		}
	}

	private boolean portAccepts() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(this.host, this.port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private Path log() {
		return this.directory.resolve("redis.log");
	}

	private String logTail() {
		try {
			File file = log().toFile();
			if (!file.exists()) {
				return "(no log)";
			}
			List<String> lines = Files.readAllLines(file.toPath());
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
		}
		catch (IOException ex) {
			return "(log unreadable: " + ex + ")";
		}
	}

	private void requireManaged(String action) {
		if (!this.managed) {
			throw new IllegalStateException("Cannot " + action + " Redis at " + this.host + ":" + this.port
					+ ": it was not started by this fixture (use RedisServers.startPrivate())");
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

	/**
	 * Parses {@code redis://[user:password@]host[:port][/db]}.
	 */
	static RedisServer fromUrl(String url) {
		URI uri = URI.create(url.trim());
		String user = null;
		String password = null;
		if (uri.getUserInfo() != null) {
			String info = uri.getUserInfo();
			int colon = info.indexOf(':');
			user = (colon >= 0) ? info.substring(0, colon) : null;
			password = (colon >= 0) ? info.substring(colon + 1) : info;
			if (user != null && user.isEmpty()) {
				user = null;
			}
		}
		int port = (uri.getPort() > 0) ? uri.getPort() : 6379;
		return external(uri.getHost(), port, user, password);
	}

}
