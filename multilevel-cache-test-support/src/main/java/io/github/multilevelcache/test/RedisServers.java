package io.github.multilevelcache.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where tests get their Redis. {@link #shared()} picks, in order: the {@code REDIS_URL} environment variable,
 * Testcontainers when a Docker engine answers, otherwise a {@code redis-server} process this fixture starts on
 * a free port (persistence off). {@link #startPrivate()} always starts a process of its own, for tests that
 * stop, kill, pause or restart Redis. Every spawned process is killed when the JVM exits.
 */
public final class RedisServers {

	private static final Logger logger = LoggerFactory.getLogger(RedisServers.class);

	private static final List<RedisServer> spawned = new CopyOnWriteArrayList<>();

	private static volatile RedisServer shared;

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> spawned.forEach(RedisServer::destroyForcibly),
				"redis-test-fixture-cleanup"));
	}

	private RedisServers() {
	}

	/**
	 * The Redis shared by every test of this JVM.
	 * @return the shared server, started on first use
	 */
	public static RedisServer shared() {
		RedisServer server = shared;
		if (server == null) {
			synchronized (RedisServers.class) {
				server = shared;
				if (server == null) {
					server = choose();
					shared = server;
				}
			}
		}
		return server;
	}

	/**
	 * Starts a new {@code redis-server} process on a free port; the caller closes it.
	 * @return the running server
	 */
	public static RedisServer startPrivate() {
		return RedisServer.spawn(freePort());
	}

	/**
	 * Whether the {@code redis-server} binary can be run.
	 * @return {@code true} when it is on the path
	 */
	public static boolean redisServerBinaryAvailable() {
		try {
			Process process = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
			process.getInputStream().readAllBytes();
			return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	static void track(RedisServer server) {
		if (!spawned.contains(server)) {
			spawned.add(server);
		}
	}

	private static RedisServer choose() {
		String url = System.getenv("REDIS_URL");
		if (url != null && !url.isBlank()) {
			logger.info("Tests use the Redis at REDIS_URL");
			return RedisServer.fromUrl(url);
		}
		if (!"false".equalsIgnoreCase(System.getenv("MULTILEVEL_CACHE_TEST_DOCKER")) && dockerAvailable()) {
			RedisServer container = Containers.startRedis();
			logger.info("Tests use a Redis container at {}", container.url());
			return container;
		}
		RedisServer server = startPrivate();
		logger.info("Tests use a redis-server process started at {}", server.url());
		return server;
	}

	private static boolean dockerAvailable() {
		ExecutorService executor = Executors.newSingleThreadExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "docker-probe");
			thread.setDaemon(true);
			return thread;
		});
		try {
			Future<Boolean> probe = executor.submit(() -> {
				try {
					return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
				}
				catch (Throwable ex) {
					return false;
				}
			});
			return probe.get(5, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			return false;
		}
		finally {
			executor.shutdownNow();
		}
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Keeps Testcontainers types out of the paths that do not use them.
	 */
	private static final class Containers {

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
