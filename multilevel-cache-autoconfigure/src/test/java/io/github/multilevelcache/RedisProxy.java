package io.github.multilevelcache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.multilevelcache.test.RedisServer;

/**
 * A byte-for-byte TCP relay between one instance and a real Redis, for faults Redis
 * itself cannot make: a subscription that goes silent without being closed, a reply held
 * back while other connections flow, a peer that vanishes without closing its
 * connections. A connection counts as a subscriber connection once it sent
 * {@code SUBSCRIBE}; every other one is a command connection. Nothing is parsed or
 * changed beyond that.
 */
public final class RedisProxy implements AutoCloseable {

	private final ServerSocket server;

	private final String targetHost;

	private final int targetPort;

	private final Set<Link> links = ConcurrentHashMap.newKeySet();

	private volatile boolean holdingCommandReplies;

	private volatile boolean closed;

	private RedisProxy(RedisServer redis) {
		this.targetHost = redis.host();
		this.targetPort = redis.port();
		try {
			this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Thread acceptor = new Thread(this::accept, "redis-proxy-accept-" + this.server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * Starts a relay to a Redis on a free loopback port.
	 */
	public static RedisProxy start(RedisServer redis) {
		return new RedisProxy(redis);
	}

	/**
	 * The URL that reaches Redis through this relay.
	 */
	public String url() {
		return "redis://127.0.0.1:" + this.server.getLocalPort();
	}

	/**
	 * From now on, every open subscriber connection silently loses what Redis sends it
	 * (the connection stays open, nothing tells the client). Connections opened later are
	 * not affected.
	 * @return how many connections were silenced
	 */
	public int silenceSubscribers() {
		int count = 0;
		for (Link link : this.links) {
			if (link.subscriber) {
				link.silenced = true;
				count++;
			}
		}
		return count;
	}

	/**
	 * From now on, nothing passes in either direction on any open connection (they stay
	 * open): the client looks alive to itself and dead to everybody else.
	 */
	public void freeze() {
		for (Link link : this.links) {
			link.frozen = true;
			link.silenced = true;
		}
	}

	/**
	 * Holds back what Redis sends on command connections (open and new ones) until
	 * {@link #releaseCommandReplies()}; subscriber connections keep flowing.
	 */
	public void holdCommandReplies() {
		this.holdingCommandReplies = true;
		for (Link link : this.links) {
			synchronized (link) {
				link.held = true;
			}
		}
	}

	/**
	 * Whether a held reply contains the text (so Redis has answered the command).
	 */
	public boolean heldRepliesContain(String text) {
		for (Link link : this.links) {
			synchronized (link) {
				if (link.pending.toString(StandardCharsets.ISO_8859_1).contains(text)) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Delivers every held reply, in order, and lets replies flow again.
	 */
	public void releaseCommandReplies() {
		this.holdingCommandReplies = false;
		for (Link link : this.links) {
			synchronized (link) {
				link.held = false;
				link.flush();
			}
		}
	}

	@Override
	public void close() {
		this.closed = true;
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
		this.links.forEach(Link::close);
	}

	private void accept() {
		while (!this.closed) {
			Socket client;
			try {
				client = this.server.accept();
			}
			catch (IOException ex) {
				return;
			}
			try {
				Socket upstream = new Socket();
				upstream.connect(new InetSocketAddress(this.targetHost, this.targetPort), 5_000);
				client.setTcpNoDelay(true);
				upstream.setTcpNoDelay(true);
				Link link = new Link(client, upstream);
				link.held = this.holdingCommandReplies;
				this.links.add(link);
				link.start();
			}
			catch (IOException ex) {
				closeQuietly(client);
			}
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// nothing to do
		}
	}

	/**
	 * One client connection and its connection to Redis.
	 */
	private final class Link {

		private final Socket client;

		private final Socket upstream;

		private final OutputStream toClient;

		private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

		volatile boolean subscriber;

		volatile boolean silenced;

		volatile boolean frozen;

		boolean held;

		Link(Socket client, Socket upstream) throws IOException {
			this.client = client;
			this.upstream = upstream;
			this.toClient = client.getOutputStream();
		}

		void start() throws IOException {
			InputStream fromClient = this.client.getInputStream();
			OutputStream toRedis = this.upstream.getOutputStream();
			InputStream fromRedis = this.upstream.getInputStream();
			Thread up = new Thread(() -> pumpUp(fromClient, toRedis), "redis-proxy-up");
			Thread down = new Thread(() -> pumpDown(fromRedis), "redis-proxy-down");
			up.setDaemon(true);
			down.setDaemon(true);
			up.start();
			down.start();
		}

		private void pumpUp(InputStream in, OutputStream out) {
			byte[] buffer = new byte[16 * 1024];
			try {
				int n;
				while ((n = in.read(buffer)) != -1) {
					if (this.frozen) {
						continue;
					}
					if (!this.subscriber
							&& new String(buffer, 0, n, StandardCharsets.ISO_8859_1).contains("SUBSCRIBE")) {
						synchronized (this) {
							this.subscriber = true;
							flush();
						}
					}
					out.write(buffer, 0, n);
					out.flush();
				}
			}
			catch (IOException ex) {
				// the connection ended
			}
			finally {
				close();
			}
		}

		private void pumpDown(InputStream in) {
			byte[] buffer = new byte[16 * 1024];
			try {
				int n;
				while ((n = in.read(buffer)) != -1) {
					if (this.silenced) {
						continue;
					}
					synchronized (this) {
						if (this.held && !this.subscriber) {
							this.pending.write(buffer, 0, n);
						}
						else {
							flush();
							this.toClient.write(buffer, 0, n);
							this.toClient.flush();
						}
					}
				}
			}
			catch (IOException ex) {
				// the connection ended
			}
			finally {
				close();
			}
		}

		/** Under the link's lock. */
		void flush() {
			if (this.pending.size() == 0) {
				return;
			}
			try {
				this.pending.writeTo(this.toClient);
				this.toClient.flush();
			}
			catch (IOException ex) {
				close();
			}
			this.pending.reset();
		}

		void close() {
			RedisProxy.this.links.remove(this);
			closeQuietly(this.client);
			closeQuietly(this.upstream);
		}

	}

}
