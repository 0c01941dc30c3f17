package io.github.multilevelcache.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of three primaries (by default without replicas) started by the test on
 * free ports with {@code redis-server --cluster-enabled yes} and
 * {@code redis-cli --cluster create}; persistence off; with replicas a node timeout of 2
 * s (so that a replica takes over a killed primary within a few seconds), without them
 * Redis's default of 15 s (a primary that misses a few heartbeats under load would take
 * the whole cluster down). Close it to stop every node; a JVM shutdown hook kills nodes
 * left running.
 */
public final class RedisCluster implements AutoCloseable {

	private final List<Process> processes = new ArrayList<>();

	private final List<Integer> ports = new ArrayList<>();

	private RedisCluster() {
	}

	/**
	 * Starts three nodes and joins them into a cluster covering every slot.
	 * @return the running cluster
	 */
	public static RedisCluster start() {
		return start(0);
	}

	/**
	 * Starts three primaries with the given number of replicas each and joins them into a
	 * cluster covering every slot; returns once every replica is in sync.
	 * @param replicasPerPrimary replicas of each primary
	 * @return the running cluster
	 */
	public static RedisCluster start(int replicasPerPrimary) {
		RedisCluster cluster = new RedisCluster();
		try {
			for (int i = 0; i < 3 * (1 + replicasPerPrimary); i++) {
				int port = RedisServers.freePort();
				Path dir = Files.createTempDirectory("redis-cluster-");
				SpawnedProcesses.registerDirectory(dir);
				Process process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind",
						"127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--cluster-enabled",
						"yes", "--cluster-config-file", dir.resolve("nodes.conf").toString(), "--cluster-node-timeout",
						(replicasPerPrimary > 0) ? "2000" : "15000", "--protected-mode", "no")
					.redirectErrorStream(true)
					.redirectOutput(dir.resolve("out.log").toFile())
					.start();
				SpawnedProcesses.register(process);
				cluster.processes.add(process);
				cluster.ports.add(port);
			}
			for (int port : cluster.ports) {
				awaitPing(port);
			}
			List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
			cluster.ports.forEach((port) -> create.add("127.0.0.1:" + port));
			create.addAll(List.of("--cluster-replicas", Integer.toString(replicasPerPrimary), "--cluster-yes"));
			// its output goes to a file, so that a hung redis-cli fails the set-up after
			// the
			// deadline instead of blocking a read forever
			Path createLog = Files.createTempFile("redis-cluster-create-", ".log");
			SpawnedProcesses.registerDirectory(createLog);
			Process creating = new ProcessBuilder(create).redirectErrorStream(true)
				.redirectOutput(createLog.toFile())
				.start();
			boolean exited = creating.waitFor(60, TimeUnit.SECONDS);
			if (!exited) {
				creating.destroyForcibly();
			}
			if (!exited || creating.exitValue() != 0) {
				throw new IllegalStateException("redis-cli --cluster create failed" + (exited ? "" : " (timed out)")
						+ ":\n" + Files.readString(createLog));
			}
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (!cluster.node(0).command("CLUSTER", "INFO").contains("cluster_state:ok")
					|| !cluster.replicasInSync(replicasPerPrimary)) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("cluster did not become ok");
				}
				Thread.sleep(100);
			}
			return cluster;
		}
		catch (IOException ex) {
			cluster.close();
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			cluster.close();
			throw new IllegalStateException(ex);
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
	}

	private boolean replicasInSync(int replicasPerPrimary) {
		if (replicasPerPrimary == 0) {
			return true;
		}
		int inSync = 0;
		for (int i = 0; i < this.ports.size(); i++) {
			String replication = node(i).command("INFO", "replication");
			if (replication.contains("role:slave") && replication.contains("master_link_status:up")) {
				inSync++;
			}
		}
		return inSync == 3 * replicasPerPrimary;
	}

	/**
	 * Kills one node ({@code SIGKILL}), as a crash would.
	 * @param index the node's index (see {@link #node(int)})
	 */
	public void kill(int index) {
		Process process = this.processes.get(index);
		process.destroyForcibly();
		try {
			process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		SpawnedProcesses.unregister(process);
	}

	/**
	 * The indexes of the nodes that are primaries now (each node that answers is asked).
	 * @return primary node indexes
	 */
	public List<Integer> primaries() {
		List<Integer> primaries = new ArrayList<>();
		for (int i = 0; i < this.ports.size(); i++) {
			if (!this.processes.get(i).isAlive()) {
				continue;
			}
			try {
				if (node(i).command("INFO", "replication").contains("role:master")) {
					primaries.add(i);
				}
			}
			catch (RuntimeException ex) {
				// not answering: not a primary one can use
			}
		}
		return primaries;
	}

	private static void awaitPing(int port) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (true) {
			try {
				if ("PONG".equals(RedisServer.external("127.0.0.1", port, null, null).command("PING"))) {
					return;
				}
			}
			catch (RuntimeException ex) {
				if (System.nanoTime() > deadline) {
					throw ex;
				}
			}
			Thread.sleep(50);
		}
	}

	/**
	 * A handle to one node, for raw commands against it.
	 * @param index 0 to the number of nodes - 1 (the first three are the primaries
	 * {@code --cluster create} was given, unless it chose otherwise)
	 * @return the node
	 */
	public RedisServer node(int index) {
		return RedisServer.external("127.0.0.1", this.ports.get(index), null, null);
	}

	/**
	 * The value for {@code spring.data.redis.cluster.nodes}.
	 * @return comma-separated host:port list
	 */
	public String nodes() {
		List<String> nodes = new ArrayList<>();
		this.ports.forEach((port) -> nodes.add("127.0.0.1:" + port));
		return String.join(",", nodes);
	}

	@Override
	public void close() {
		this.processes.forEach((process) -> {
			process.destroyForcibly();
			SpawnedProcesses.unregister(process);
		});
	}

}
