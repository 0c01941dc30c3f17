package io.github.multilevelcache.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where tests get their Redis.
 * <p>
 * {@link #shared()} is one server per JVM, chosen once, in this order: the
 * {@code REDIS_URL} environment variable (not managed); a {@code redis:7-alpine}
 * Testcontainers container when a Docker engine answers within about 5 s (not managed;
 * the probe is skipped when {@code MULTILEVEL_CACHE_TEST_DOCKER=false}); otherwise a
 * {@code redis-server} process on a free loopback port with persistence off.
 * {@link #startPrivate()} always spawns a process of the caller's own, for tests that
 * stop, kill, pause or restart Redis. A JVM shutdown hook kills every spawned process
 * that is still running.
 */
public final class RedisServers {

	private static final Logger logger = LoggerFactory.getLogger(RedisServers.class);

	private static final long DOCKER_PROBE_TIMEOUT_SECONDS = 5;

	private static volatile RedisServer shared;

	private RedisServers() {
	}

	/**
	 * The Redis shared by every test of this JVM; tests must not stop it and should use
	 * their own key prefix.
	 * @return the shared server, chosen and started on first use
	 */
	public static RedisServer shared() {
		RedisServer server = shared;
		if (server == null) {
			synchronized (RedisServers.class) {
				server = shared;
				if (server == null) {
					server = choose().markShared();
					shared = server;
				}
			}
		}
		return server;
	}

	/**
	 * Spawns a new {@code redis-server} process on a free port; the caller closes it.
	 * @return the running, managed server
	 * @throws IllegalStateException when {@code redis-server} cannot be run or does not
	 * answer
	 */
	public static RedisServer startPrivate() {
		return RedisServer.spawn(freePort());
	}

	/**
	 * Spawns a new process of another server binary that takes {@code redis-server}'s
	 * options (such as {@code valkey-server}) on a free port; the caller closes it.
	 * @param binary the binary's path, or its name on the PATH
	 * @return the running, managed server
	 * @throws IllegalStateException when the binary cannot be run or does not answer
	 */
	public static RedisServer startPrivate(String binary) {
		return RedisServer.spawn(freePort(), binary);
	}

	/**
	 * The server binary named by the environment variable
	 * {@code MULTILEVEL_CACHE_TEST_IFEQ_SERVER}: one whose {@code SET} takes {@code IFEQ}
	 * (Redis 8.4 or later, Valkey 8.1 or later), for the tests of the native
	 * compare-and-set. {@code .ci/run} builds one; elsewhere those tests are skipped when
	 * it is not set.
	 * @return the binary, or empty when the variable is not set
	 */
	public static Optional<String> compareAndSetServerBinary() {
		String binary = System.getenv("MULTILEVEL_CACHE_TEST_IFEQ_SERVER");
		return (binary == null || binary.isBlank()) ? Optional.empty() : Optional.of(binary);
	}

	/**
	 * Whether the {@code redis-server} binary can be run.
	 * @return {@code true} when {@code redis-server --version} succeeds
	 */
	public static boolean redisServerBinaryAvailable() {
		try {
			Process process = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				// a hung binary counts as missing rather than hanging the build
				process.destroyForcibly();
				return false;
			}
			return process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * A port nothing listens on right now.
	 */
	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static RedisServer choose() {
		String url = System.getenv("REDIS_URL");
		if (url != null && !url.isBlank()) {
			RedisServer server = RedisServer.fromUrl(url);
			logger.info("Tests use the Redis at REDIS_URL ({}:{})", server.host(), server.port());
			return server;
		}
		if (!"false".equalsIgnoreCase(System.getenv("MULTILEVEL_CACHE_TEST_DOCKER")) && dockerAvailable()) {
			RedisServer container = Containers.startRedis();
			logger.info("Tests use a Testcontainers Redis at {}", container.url());
			return container;
		}
		RedisServer server = startPrivate();
		logger.info("Tests use a redis-server process started at {}", server.url());
		return server;
	}

	/**
	 * Asks Testcontainers only when a Docker endpoint may exist ({@code DOCKER_HOST}, a
	 * Testcontainers configuration or a known socket), since its probe logs an ERROR when
	 * there is none.
	 */
	private static boolean dockerAvailable() {
		if (!dockerEndpointMayExist()) {
			return false;
		}
		ExecutorService executor = Executors.newSingleThreadExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "redis-test-docker-probe");
			thread.setDaemon(true);
			return thread;
		});
		try {
			Future<Boolean> probe = executor.submit(Containers::dockerAvailable);
			return probe.get(DOCKER_PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			return false;
		}
		finally {
			executor.shutdownNow();
		}
	}

	private static boolean dockerEndpointMayExist() {
		String dockerHost = System.getenv("DOCKER_HOST");
		if (dockerHost != null && !dockerHost.isBlank()) {
			return true;
		}
		Path home = Path.of(System.getProperty("user.home", "/"));
		return Stream
			.of(Path.of("/var/run/docker.sock"), home.resolve(".testcontainers.properties"),
					home.resolve(".docker/run/docker.sock"), home.resolve(".docker/desktop/docker.sock"),
					home.resolve(".colima/default/docker.sock"), home.resolve(".rd/docker.sock"))
			.anyMatch(Files::exists);
	}

	/**
	 * Keeps Testcontainers types out of the paths that do not use them, so a missing or
	 * broken Testcontainers only ever means "no Docker".
	 */
	private static final class Containers {

		static boolean dockerAvailable() {
			try {
				return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
			}
			catch (Throwable ex) {
				return false;
			}
		}

		@SuppressWarnings("resource")
		static RedisServer startRedis() {
			org.testcontainers.containers.GenericContainer<?> container = new org.testcontainers.containers.GenericContainer<>(
					"redis:7-alpine")
				.withExposedPorts(6379);
			container.start();
			return RedisServer.external(container.getHost(), container.getMappedPort(6379), null, null);
		}

	}

}
