package io.github.multilevelcache.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 client over a plain socket: a few pipelined commands on one fresh
 * connection, the last reply returned. Enough for test set-up and inspection without a
 * Redis client library. Replies are decoded as {@code byte[]} (simple and bulk strings),
 * {@link Long} (integers), {@code List<Object>} (arrays) or {@code null} (nil bulk string
 * or nil array); an error reply becomes an {@link IllegalStateException} carrying its
 * text, and a connection that fails or times out becomes an {@link UncheckedIOException}.
 */
final class RespClient {

	private static final byte[] CRLF = { '\r', '\n' };

	private RespClient() {
	}

	/**
	 * Sends one command and reads its reply.
	 */
	static Object send(String host, int port, int timeoutMillis, byte[]... args) {
		return send(host, port, timeoutMillis, List.of(), args);
	}

	/**
	 * Sends the prelude (e.g. {@code AUTH}, {@code SELECT}) and the command on one
	 * connection.
	 * @return the command's reply
	 * @throws IllegalStateException when any of them answers with an error
	 */
	static Object send(String host, int port, int timeoutMillis, List<byte[][]> prelude, byte[]... args) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), timeoutMillis);
			socket.setSoTimeout(timeoutMillis);
			ByteArrayOutputStream request = new ByteArrayOutputStream();
			for (byte[][] command : prelude) {
				encode(command, request);
			}
			encode(args, request);
			OutputStream out = socket.getOutputStream();
			out.write(request.toByteArray());
			out.flush();
			InputStream in = new BufferedInputStream(socket.getInputStream());
			for (int i = 0; i < prelude.size(); i++) {
				read(in);
			}
			return read(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis at " + host + ":" + port + " did not answer: " + ex.getMessage(), ex);
		}
	}

	static void encode(byte[][] args, ByteArrayOutputStream out) {
		out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
		for (byte[] arg : args) {
			out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.writeBytes(arg);
			out.writeBytes(CRLF);
		}
	}

	/**
	 * Reads one reply.
	 * @throws IllegalStateException for an error reply (also one nested in an array)
	 */
	static Object read(InputStream in) throws IOException {
		int type = in.read();
		if (type == -1) {
			throw new EOFException("connection closed");
		}
		String line = readLine(in);
		switch (type) {
			case '+':
				return line.getBytes(StandardCharsets.UTF_8);
			case '-':
				throw new IllegalStateException(line);
			case ':':
				return Long.parseLong(line);
			case '$':
				return readBulk(in, Integer.parseInt(line));
			case '*':
				return readArray(in, Integer.parseInt(line));
			default:
				throw new IOException("Unexpected RESP reply type '" + (char) type + "' followed by " + line);
		}
	}

	private static byte[] readBulk(InputStream in, int length) throws IOException {
		if (length < 0) {
			return null;
		}
		byte[] bytes = in.readNBytes(length);
		if (bytes.length < length) {
			throw new EOFException("connection closed inside a bulk string");
		}
		readLine(in);
		return bytes;
	}

	private static List<Object> readArray(InputStream in, int count) throws IOException {
		if (count < 0) {
			return null;
		}
		List<Object> items = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			items.add(read(in));
		}
		return items;
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		while (true) {
			int c = in.read();
			if (c == -1) {
				throw new EOFException("connection closed");
			}
			if (previous == '\r' && c == '\n') {
				byte[] bytes = line.toByteArray();
				return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
			}
			line.write(c);
			previous = c;
		}
	}

	/**
	 * Renders a reply as text: strings as UTF-8, integers in decimal, {@code null} for
	 * nil, arrays one element per line (nested arrays flattened, a nil element as the
	 * word {@code null}).
	 */
	static String render(Object reply) {
		if (reply == null) {
			return null;
		}
		if (reply instanceof byte[] bytes) {
			return new String(bytes, StandardCharsets.UTF_8);
		}
		if (reply instanceof List<?> items) {
			List<String> lines = new ArrayList<>(items.size());
			for (Object item : items) {
				lines.add(String.valueOf(render(item)));
			}
			return String.join("\n", lines);
		}
		return reply.toString();
	}

}
