package io.github.multilevelcache.test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Where a Redis server listens and how to log in:
 * {@code redis://[[user:]password@]host[:port][/database]}. Parsing accepts
 * percent-encoded credentials and host names that {@link URI} would reject (such as
 * {@code redis_1}); rendering always yields a URL that parses back to the same value.
 *
 * @param host the host name or address
 * @param port the port
 * @param username the ACL user, {@code null} for the default user
 * @param password the password, {@code null} for none
 * @param database the database index
 */
record RedisUrl(String host, int port, String username, String password, int database) {

	static final int DEFAULT_PORT = 6379;

	static RedisUrl of(String host, int port) {
		return new RedisUrl(host, port, null, null, 0);
	}

	/**
	 * Parses a {@code redis://} URL.
	 * @throws IllegalArgumentException when it is not one
	 */
	static RedisUrl parse(String url) {
		String text = url.trim();
		String prefix = "redis://";
		if (!text.regionMatches(true, 0, prefix, 0, prefix.length())) {
			throw new IllegalArgumentException("Expected redis://[[user:]password@]host[:port][/database] but got '"
					+ url + "' (rediss:// is not supported by the test fixture)");
		}
		String rest = text.substring(prefix.length());
		int end = indexOfAny(rest, "/?#");
		String authority = (end >= 0) ? rest.substring(0, end) : rest;
		String path = (end >= 0) ? rest.substring(end) : "";
		String username = null;
		String password = null;
		int at = authority.lastIndexOf('@');
		if (at >= 0) {
			String userInfo = authority.substring(0, at);
			authority = authority.substring(at + 1);
			int colon = userInfo.indexOf(':');
			if (colon >= 0) {
				username = decode(userInfo.substring(0, colon));
				password = decode(userInfo.substring(colon + 1));
			}
			else {
				password = decode(userInfo);
			}
			username = (username == null || username.isEmpty()) ? null : username;
		}
		String host = authority;
		int port = DEFAULT_PORT;
		int portSeparator = authority.startsWith("[") ? authority.indexOf("]:") : authority.lastIndexOf(':');
		if (authority.startsWith("[") && portSeparator >= 0) {
			portSeparator++;
		}
		if (portSeparator >= 0) {
			host = authority.substring(0, portSeparator);
			port = Integer.parseInt(authority.substring(portSeparator + 1));
		}
		if (host.isEmpty()) {
			throw new IllegalArgumentException("No host in Redis URL '" + url + "'");
		}
		return new RedisUrl(host, port, username, password, database(path, url));
	}

	/**
	 * Renders the URL, credentials percent-encoded where needed, the database only when
	 * it is not 0.
	 */
	String render() {
		StringBuilder url = new StringBuilder("redis://");
		if (this.password != null) {
			if (this.username != null) {
				url.append(encode(this.username));
			}
			url.append(':').append(encode(this.password)).append('@');
		}
		url.append(this.host).append(':').append(this.port);
		if (this.database != 0) {
			url.append('/').append(this.database);
		}
		return url.toString();
	}

	private static int database(String path, String url) {
		String digits = path;
		int query = indexOfAny(digits, "?#");
		if (query >= 0) {
			digits = digits.substring(0, query);
		}
		digits = digits.replace("/", "");
		try {
			return digits.isEmpty() ? 0 : Integer.parseInt(digits);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Bad database number in Redis URL '" + url + "'", ex);
		}
	}

	private static int indexOfAny(String text, String characters) {
		for (int i = 0; i < text.length(); i++) {
			if (characters.indexOf(text.charAt(i)) >= 0) {
				return i;
			}
		}
		return -1;
	}

	private static String decode(String text) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		int i = 0;
		while (i < text.length()) {
			if (text.charAt(i) == '%' && i + 2 < text.length() && isHex(text.charAt(i + 1))
					&& isHex(text.charAt(i + 2))) {
				bytes.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
				i += 3;
			}
			else {
				int codePoint = text.codePointAt(i);
				bytes.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
				i += Character.charCount(codePoint);
			}
		}
		return bytes.toString(StandardCharsets.UTF_8);
	}

	private static boolean isHex(char c) {
		return Character.digit(c, 16) >= 0;
	}

	private static String encode(String text) {
		StringBuilder encoded = new StringBuilder();
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			char c = (char) (b & 0xff);
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
				encoded.append(c);
			}
			else {
				encoded.append('%').append(String.format("%02X", b & 0xff));
			}
		}
		return encoded.toString();
	}

}
