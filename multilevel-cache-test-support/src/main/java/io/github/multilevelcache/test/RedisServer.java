package io.github.multilevelcache.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A handle to one Redis server for tests.
 * <p>
 * A <em>managed</em> server ({@link #isManaged()}: this fixture spawned the
 * {@code redis-server} process) can be stopped, killed, paused and restarted; a restart
 * uses the same port, so clients reconnect to it, and comes back empty unless the test
 * ran {@code SAVE}. Every other server (from {@code REDIS_URL} or a container) only
 * answers commands: the lifecycle methods throw {@link IllegalStateException}.
 * <p>
 * {@link #command(String...)} and {@link #commandBytes(byte[]...)} open a fresh
 * connection per call (with {@code AUTH} and {@code SELECT} first when the URL asks for
 * them), so they work across restarts and never share state with the code under test. The
 * JVM-wide shared server ({@link RedisServers#shared()}) ignores {@link #close()}, so a
 * careless try-with-resources cannot take it away from other tests.
 */
public final class RedisServer implements AutoCloseable {

	private static final int COMMAND_TIMEOUT_MILLIS = 10_000;

	private final RedisUrl endpoint;

	private final RedisProcess process;

	private volatile boolean shared;

	private RedisServer(RedisUrl endpoint, RedisProcess process) {
		this.endpoint = endpoint;
		this.process = process;
	}

	static RedisServer external(String host, int port, String username, String password) {
		return new RedisServer(new RedisUrl(host, port, username, password, 0), null);
	}

	static RedisServer external(RedisUrl url) {
		return new RedisServer(url, null);
	}

	static RedisServer fromUrl(String url) {
		return external(RedisUrl.parse(url));
	}

	/**
	 * Spawns {@code redis-server} on the port and waits until it answers.
	 */
	static RedisServer spawn(int port) {
		return spawn(new RedisProcess(port));
	}

	/**
	 * Spawns another server binary that takes {@code redis-server}'s options on the port
	 * and waits until it answers.
	 */
	static RedisServer spawn(int port, String binary) {
		return spawn(new RedisProcess(port, binary));
	}

	private static RedisServer spawn(RedisProcess process) {
		int port = process.port();
		try {
			process.start();
		}
		catch (RuntimeException ex) {
			process.kill(); // the directory stays until JVM exit, for its log
			throw ex;
		}
		return new RedisServer(RedisUrl.of(RedisProcess.HOST, port), process);
	}

	RedisServer markShared() {
		this.shared = true;
		return this;
	}

	/**
	 * The host to connect to.
	 * @return e.g. {@code 127.0.0.1}
	 */
	public String host() {
		return this.endpoint.host();
	}

	/**
	 * The port to connect to; a managed server keeps it across restarts.
	 * @return the port
	 */
	public int port() {
		return this.endpoint.port();
	}

	/**
	 * The server's URL, with credentials and database when it has them (as given in
	 * {@code REDIS_URL}).
	 * @return e.g. {@code redis://127.0.0.1:6543}
	 */
	public String url() {
		return this.endpoint.render();
	}

	/**
	 * Whether this fixture spawned the server; only then can it stop, kill, pause or
	 * restart it.
	 * @return {@code true} for a spawned server
	 */
	public boolean isManaged() {
		return this.process != null;
	}

	/**
	 * Starts the server again on the same port and waits until it answers {@code PING};
	 * does nothing when it is running. A port still held by a closing socket is retried a
	 * few times.
	 * @throws IllegalStateException when the server is not managed or does not come up
	 * (with the log's tail)
	 */
	public void start() {
		managedProcess("start").start();
	}

	/**
	 * Stops the server gracefully ({@code SHUTDOWN NOSAVE}, the process destroyed if it
	 * has not exited within a few seconds) and waits until its port refuses connections.
	 * @throws IllegalStateException when the server is not managed
	 */
	public void stop() {
		managedProcess("stop").stop();
	}

	/**
	 * Kills the server process (SIGKILL) and waits until it is gone and its port refuses
	 * connections.
	 * @throws IllegalStateException when the server is not managed
	 */
	public void kill() {
		managedProcess("kill").kill();
	}

	/**
	 * Stalls every client ({@code CLIENT PAUSE <ms> ALL}) while the server stays up.
	 * @param duration how long
	 * @throws IllegalStateException when the server is not managed
	 */
	public void pause(Duration duration) {
		managedProcess("pause");
		command("CLIENT", "PAUSE", Long.toString(duration.toMillis()), "ALL");
	}

	/**
	 * Sends one command on a fresh connection.
	 * @param args the command and its arguments
	 * @return the reply as text: strings as they are, integers in decimal, {@code null}
	 * for nil, arrays one element per line
	 * @throws IllegalStateException for an error reply, with the error's text
	 * @throws java.io.UncheckedIOException when the server cannot be reached
	 */
	public String command(String... args) {
		byte[][] raw = new byte[args.length][];
		for (int i = 0; i < args.length; i++) {
			raw[i] = bytes(args[i]);
		}
		return RespClient.render(send(raw));
	}

	/**
	 * Sends one binary-safe command on a fresh connection.
	 * @param args the command and its arguments
	 * @return a bulk reply's bytes, {@code null} for nil, any other reply rendered as by
	 * {@link #command(String...)} in UTF-8
	 * @throws IllegalStateException for an error reply, with the error's text
	 */
	public byte[] commandBytes(byte[]... args) {
		Object reply = send(args);
		if (reply == null || reply instanceof byte[]) {
			return (byte[]) reply;
		}
		return RespClient.render(reply).getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Deletes every key of every database.
	 */
	public void flushAll() {
		command("FLUSHALL");
	}

	/**
	 * One section of {@code INFO}.
	 * @param section e.g. {@code server}, {@code memory}, {@code commandstats}
	 * @return the raw text, {@code key:value} lines
	 */
	public String info(String section) {
		return command("INFO", section);
	}

	/**
	 * The number of keys in the current database.
	 * @return {@code DBSIZE}
	 */
	public long dbSize() {
		return Long.parseLong(command("DBSIZE"));
	}

	/**
	 * Calls per command since the server started (or since {@code CONFIG RESETSTAT}),
	 * from {@code INFO commandstats}.
	 * @return command name as Redis reports it (lower case, e.g. {@code get},
	 * {@code client|setname}) to calls; commands never called are absent
	 */
	public Map<String, Long> commandStats() {
		Map<String, Long> stats = new LinkedHashMap<>();
		for (String line : info("commandstats").split("\r?\n")) {
			int colon = line.indexOf(':');
			int calls = line.indexOf("calls=");
			if (line.startsWith("cmdstat_") && colon > 0 && calls > colon) {
				int end = line.indexOf(',', calls);
				String count = line.substring(calls + "calls=".length(), (end >= 0) ? end : line.length());
				stats.put(line.substring("cmdstat_".length(), colon), Long.parseLong(count.trim()));
			}
		}
		return Collections.unmodifiableMap(stats);
	}

	/**
	 * Stops a managed server and deletes its temporary directory; does nothing for other
	 * servers and for the shared one, which lives until the JVM exits.
	 */
	@Override
	public void close() {
		if (this.process != null && !this.shared) {
			this.process.stop();
			this.process.deleteDirectory();
		}
	}

	boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	@Override
	public String toString() {
		return "RedisServer[" + host() + ":" + port() + (isManaged() ? ", managed" : "") + "]";
	}

	private Object send(byte[]... args) {
		return RespClient.send(host(), port(), COMMAND_TIMEOUT_MILLIS, prelude(), args);
	}

	private List<byte[][]> prelude() {
		List<byte[][]> prelude = new ArrayList<>(2);
		if (this.endpoint.password() != null) {
			prelude.add((this.endpoint.username() != null)
					? new byte[][] { bytes("AUTH"), bytes(this.endpoint.username()), bytes(this.endpoint.password()) }
					: new byte[][] { bytes("AUTH"), bytes(this.endpoint.password()) });
		}
		if (this.endpoint.database() != 0) {
			prelude.add(new byte[][] { bytes("SELECT"), bytes(Integer.toString(this.endpoint.database())) });
		}
		return prelude;
	}

	private RedisProcess managedProcess(String action) {
		if (this.process == null) {
			throw new IllegalStateException("Cannot " + action + " the Redis at " + host() + ":" + port()
					+ ": it was not started by this fixture (REDIS_URL or a container); use RedisServers.startPrivate()"
					+ " or @PrivateRedis for tests that " + action + " Redis");
		}
		return this.process;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
