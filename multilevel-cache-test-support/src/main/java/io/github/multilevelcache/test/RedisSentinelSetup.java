package io.github.multilevelcache.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One primary, one replica and three sentinels (quorum 2, primary declared down after 1
 * s) on free ports, started by the test; the master name is {@code mymaster}.
 * {@link #killPrimary()} SIGKILLs the primary so the sentinels promote the replica. Close
 * it to stop every process; a JVM shutdown hook kills those left running.
 */
public final class RedisSentinelSetup implements AutoCloseable {

	/**
	 * The name Sentinel monitors the primary under.
	 */
	public static final String MASTER = "mymaster";

	private final List<Process> processes = new ArrayList<>();

	private final List<Integer> sentinelPorts = new ArrayList<>();

	private int primaryPort;

	private int replicaPort;

	private Process primary;

	private RedisSentinelSetup() {
	}

	public static RedisSentinelSetup start() {
		RedisSentinelSetup setup = new RedisSentinelSetup();
		try {
			setup.primaryPort = RedisServers.freePort();
			setup.primary = setup.server(setup.primaryPort);
			setup.replicaPort = RedisServers.freePort();
			setup.server(setup.replicaPort, "--replicaof", "127.0.0.1", Integer.toString(setup.primaryPort));
			for (int i = 0; i < 3; i++) {
				int port = RedisServers.freePort();
				Path dir = Files.createTempDirectory("redis-sentinel-");
				SpawnedProcesses.registerDirectory(dir);
				Path conf = dir.resolve("sentinel.conf");
				Files.writeString(conf,
						String.join("\n", "port " + port, "bind 127.0.0.1", "dir " + dir,
								"sentinel monitor " + MASTER + " 127.0.0.1 " + setup.primaryPort + " 2",
								"sentinel down-after-milliseconds " + MASTER + " 1000",
								"sentinel failover-timeout " + MASTER + " 5000",
								"sentinel parallel-syncs " + MASTER + " 1", ""));
				Process sentinel = new ProcessBuilder("redis-server", conf.toString(), "--sentinel")
					.redirectErrorStream(true)
					.redirectOutput(dir.resolve("out.log").toFile())
					.start();
				SpawnedProcesses.register(sentinel);
				setup.processes.add(sentinel);
				setup.sentinelPorts.add(port);
			}
			for (int port : setup.sentinelPorts) {
				await(() -> "PONG".equals(node(port).command("PING")));
			}
			await(() -> node(setup.replicaPort).command("INFO", "replication").contains("master_link_status:up"));
			return setup;
		}
		catch (IOException ex) {
			setup.close();
			throw new UncheckedIOException(ex);
		}
		catch (RuntimeException ex) {
			setup.close();
			throw ex;
		}
	}

	private Process server(int port, String... extra) throws IOException {
		Path dir = Files.createTempDirectory("redis-sentinel-node-");
		SpawnedProcesses.registerDirectory(dir);
		List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "no"));
		command.addAll(List.of(extra));
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(dir.resolve("out.log").toFile())
			.start();
		SpawnedProcesses.register(process);
		this.processes.add(process);
		await(() -> "PONG".equals(node(port).command("PING")));
		return process;
	}

	private static RedisServer node(int port) {
		return RedisServer.external("127.0.0.1", port, null, null);
	}

	private static void await(java.util.function.BooleanSupplier condition) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (true) {
			try {
				if (condition.getAsBoolean()) {
					return;
				}
			}
			catch (RuntimeException ex) {
				// not up yet
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Sentinel set-up did not come up in time");
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
	}

	/**
	 * The value for {@code spring.data.redis.sentinel.nodes}.
	 * @return comma-separated host:port list of the sentinels
	 */
	public String sentinels() {
		List<String> nodes = new ArrayList<>();
		this.sentinelPorts.forEach((port) -> nodes.add("127.0.0.1:" + port));
		return String.join(",", nodes);
	}

	/**
	 * SIGKILLs the primary.
	 */
	public void killPrimary() {
		this.primary.destroyForcibly();
	}

	/**
	 * The port the sentinels currently name as primary.
	 * @return the port
	 */
	public int currentPrimaryPort() {
		String reply = node(this.sentinelPorts.get(0)).command("SENTINEL", "get-master-addr-by-name", MASTER);
		return Integer.parseInt(reply.split("\n")[1]);
	}

	/**
	 * The node the sentinels currently name as primary, for raw commands.
	 * @return the primary
	 */
	public RedisServer currentPrimary() {
		return node(currentPrimaryPort());
	}

	public int replicaPort() {
		return this.replicaPort;
	}

	@Override
	public void close() {
		this.processes.forEach((process) -> {
			process.destroyForcibly();
			SpawnedProcesses.unregister(process);
		});
	}

}
