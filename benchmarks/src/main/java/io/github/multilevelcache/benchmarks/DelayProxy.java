package io.github.multilevelcache.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy in front of Redis that delays every byte by the same amount in each
 * direction, so every manager of a run sees Redis at the same network distance (default
 * 250 µs each way, a same-zone cloud round trip of 0.5 ms). Per connection and direction
 * one thread reads and stamps chunks, another writes each chunk once its delay has
 * passed, so throughput is not limited by the delay and ordering is kept.
 */
final class DelayProxy implements AutoCloseable {

	private static final long PARK_LIMIT_NANOS = 100_000;

	private final ServerSocket server;

	private final String targetHost;

	private final int targetPort;

	private final long delayNanos;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private volatile boolean running = true;

	DelayProxy(String targetHost, int targetPort, Duration delay) {
		this.targetHost = targetHost;
		this.targetPort = targetPort;
		this.delayNanos = delay.toNanos();
		try {
			this.server = new ServerSocket();
			this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Accepts connections until {@link #close()}.
	 * @return this proxy
	 */
	DelayProxy start() {
		daemon("delay-proxy-accept", () -> {
			while (this.running) {
				try {
					Socket client = this.server.accept();
					Socket redis = new Socket(this.targetHost, this.targetPort);
					client.setTcpNoDelay(true);
					redis.setTcpNoDelay(true);
					this.sockets.add(client);
					this.sockets.add(redis);
					pipe(client, redis);
					pipe(redis, client);
				}
				catch (IOException ex) {
					if (this.running) {
						System.err.println("delay proxy: " + ex);
					}
				}
			}
		});
		return this;
	}

	/**
	 * The URL to give the instances instead of Redis's own.
	 * @return {@code redis://127.0.0.1:<port>}
	 */
	String url() {
		return "redis://" + this.server.getInetAddress().getHostAddress() + ":" + this.server.getLocalPort();
	}

	Duration delay() {
		return Duration.ofNanos(this.delayNanos);
	}

	/**
	 * The median time of a {@code PING} through this proxy on an idle connection of its
	 * own: the round trip every manager of the run pays per Redis call, delay and the
	 * proxy's own cost included.
	 * @param pings how many to send, one after the other
	 * @return the median round trip in microseconds
	 */
	double pingRoundTripMicros(int pings) {
		long[] nanos = new long[pings];
		try (Socket socket = new Socket(this.server.getInetAddress(), this.server.getLocalPort())) {
			socket.setTcpNoDelay(true);
			OutputStream out = socket.getOutputStream();
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[7];
			for (int i = 0; i < pings; i++) {
				long start = System.nanoTime();
				out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
				int read = 0;
				while (read < reply.length) {
					int n = in.read(reply, read, reply.length - read);
					if (n < 0) {
						throw new IOException("Redis closed the connection");
					}
					read += n;
				}
				nanos[i] = System.nanoTime() - start;
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		java.util.Arrays.sort(nanos);
		return nanos[pings / 2] / 1000.0;
	}

	private void pipe(Socket from, Socket to) {
		BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(4096);
		daemon("delay-proxy-read", () -> {
			byte[] buffer = new byte[64 * 1024];
			try (InputStream in = from.getInputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					byte[] data = java.util.Arrays.copyOf(buffer, read);
					chunks.put(new Chunk(System.nanoTime() + this.delayNanos, data));
				}
			}
			catch (IOException | InterruptedException ex) {
				// the connection ended
			}
			chunks.offer(Chunk.END);
		});
		daemon("delay-proxy-write", () -> {
			try (OutputStream out = to.getOutputStream()) {
				while (true) {
					Chunk chunk = chunks.poll(1, TimeUnit.SECONDS);
					if (chunk == null) {
						if (!this.running) {
							return;
						}
						continue;
					}
					if (chunk == Chunk.END) {
						to.shutdownOutput();
						return;
					}
					// a park of a few hundred microseconds wakes up late by about as much
					// again in a VM, so the wait is parked only down to its last 100 µs
					// and
					// yielded after that: precise on an idle machine, and a busy one runs
					// the instances and Redis instead of a spinning proxy thread
					long wait;
					while ((wait = chunk.due() - System.nanoTime()) > 0) {
						if (wait > PARK_LIMIT_NANOS) {
							LockSupport.parkNanos(wait - PARK_LIMIT_NANOS);
						}
						else {
							Thread.yield();
						}
					}
					out.write(chunk.data());
					out.flush();
				}
			}
			catch (IOException | InterruptedException ex) {
				// the connection ended
			}
		});
	}

	private static void daemon(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public void close() {
		this.running = false;
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
		for (Socket socket : this.sockets) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
		}
	}

	private record Chunk(long due, byte[] data) {

		static final Chunk END = new Chunk(0, new byte[0]);

	}

}
