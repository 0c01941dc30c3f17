package io.github.multilevelcache.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
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
 * A minimal RESP2 client over a plain socket: one command, one reply, one connection. Enough for test set-up
 * and inspection without a Redis client library.
 */
final class RespClient {

	private RespClient() {
	}

	/**
	 * Sends one command and reads one reply.
	 * @return a {@code byte[]} (bulk/simple string), {@link Long}, {@code List<Object>}, or {@code null}
	 * @throws IllegalStateException for an error reply
	 */
	static Object send(String host, int port, int timeoutMillis, byte[]... args) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), timeoutMillis);
			socket.setSoTimeout(timeoutMillis);
			OutputStream out = socket.getOutputStream();
			ByteArrayOutputStream request = new ByteArrayOutputStream();
			request.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			for (byte[] arg : args) {
				request.write(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
				request.write(arg);
				request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
			}
			out.write(request.toByteArray());
			out.flush();
			return read(new BufferedInputStream(socket.getInputStream()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis at " + host + ":" + port + " did not answer", ex);
		}
	}

	static Object read(InputStream in) throws IOException {
		int type = in.read();
		if (type == -1) {
			throw new IOException("connection closed");
		}
		String line = readLine(in);
		switch (type) {
			case '+':
				return line.getBytes(StandardCharsets.UTF_8);
			case '-':
				throw new IllegalStateException(line);
			case ':':
				return Long.parseLong(line);
			case '$': {
				int length = Integer.parseInt(line);
				if (length < 0) {
					return null;
				}
				byte[] bytes = in.readNBytes(length);
				readLine(in);
				return bytes;
			}
			case '*': {
				int count = Integer.parseInt(line);
				if (count < 0) {
					return null;
				}
				List<Object> items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(read(in));
				}
				return items;
			}
			default:
				throw new IOException("unexpected reply type " + (char) type);
		}
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		while (true) {
			int c = in.read();
			if (c == -1) {
				throw new IOException("connection closed");
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
	 * Renders a reply as text: strings as is, integers in decimal, arrays one element per line.
	 */
	static String render(Object reply) {
		if (reply == null) {
			return null;
		}
		if (reply instanceof byte[] bytes) {
			return new String(bytes, StandardCharsets.UTF_8);
		}
		if (reply instanceof List<?> items) {
			List<String> lines = new ArrayList<>();
			for (Object item : items) {
				lines.add(String.valueOf(render(item)));
			}
			return String.join("\n", lines);
		}
		return reply.toString();
	}

}
