package io.github.multilevelcache.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The fixture against real {@code redis-server} processes.
 */
class RedisServerTests {

	private static RedisServer server;

	@BeforeAll
	static void start() {
		server = RedisServers.startPrivate();
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void commandsRoundTrip() {
		assertThat(server.command("SET", "k", "v")).isEqualTo("OK");
		assertThat(server.command("GET", "k")).isEqualTo("v");
		assertThat(server.command("GET", "absent")).isNull();
		assertThat(server.command("INCR", "n")).isEqualTo("1");
		server.command("RPUSH", "list", "a", "b");
		assertThat(server.command("LRANGE", "list", "0", "-1")).isEqualTo("a\nb");
		assertThatIllegalStateException().isThrownBy(() -> server.command("NOSUCHCOMMAND"))
			.withMessageContaining("unknown command");
	}

	@Test
	void binaryValuesRoundTrip() {
		byte[] value = { 0, (byte) 0xff, '\r', '\n', 7 };
		server.commandBytes(bytes("SET"), bytes("bin"), value);
		assertThat(server.commandBytes(bytes("GET"), bytes("bin"))).isEqualTo(value);
	}

	@Test
	void commandStatsCountCalls() {
		long before = server.commandStats().getOrDefault("get", 0L);
		server.command("GET", "x");
		server.command("GET", "y");
		assertThat(server.commandStats().get("get")).isEqualTo(before + 2);
	}

	@Test
	void stopRefusesConnectionsAndStartComesBackOnTheSamePortEmpty() {
		RedisServer own = RedisServers.startPrivate();
		try {
			own.command("SET", "k", "v");
			int port = own.port();
			own.stop();
			assertThat(accepts(port)).isFalse();
			own.start();
			assertThat(own.port()).isEqualTo(port);
			assertThat(own.command("PING")).isEqualTo("PONG");
			assertThat(own.command("GET", "k")).as("persistence is off").isNull();
			own.kill();
			assertThat(accepts(port)).isFalse();
			own.start();
			assertThat(own.dbSize()).isZero();
		}
		finally {
			own.close();
		}
	}

	@Test
	void pauseStallsClients() {
		server.pause(Duration.ofMillis(500));
		long start = System.nanoTime();
		server.command("GET", "k");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void externalServersCannotBeStopped() {
		RedisServer external = RedisServer.fromUrl("redis://user:secret@redis.example:6380/2");
		assertThat(external.host()).isEqualTo("redis.example");
		assertThat(external.port()).isEqualTo(6380);
		assertThat(external.url()).isEqualTo("redis://user:secret@redis.example:6380");
		assertThat(external.isManaged()).isFalse();
		assertThatIllegalStateException().isThrownBy(external::stop).withMessageContaining("not started by");
		assertThat(RedisServer.fromUrl("redis://localhost").port()).isEqualTo(6379);
	}

	private static boolean accepts(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
