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
		assertThat(server.isAlive()).isFalse();
	}

	@Test
	void spawnedServerListensOnLoopback() {
		assertThat(RedisServers.redisServerBinaryAvailable()).isTrue();
		assertThat(server.isManaged()).isTrue();
		assertThat(server.host()).isEqualTo("127.0.0.1");
		assertThat(server.url()).isEqualTo("redis://127.0.0.1:" + server.port());
		assertThat(server.info("persistence")).contains("aof_enabled:0");
		assertThat(server.command("CONFIG", "GET", "save")).isEqualTo("save\n");
	}

	@Test
	void commandsRoundTrip() {
		assertThat(server.command("SET", "k", "v")).isEqualTo("OK");
		assertThat(server.command("GET", "k")).isEqualTo("v");
		assertThat(server.command("GET", "absent")).isNull();
		assertThat(server.command("DEL", "n")).isIn("0", "1");
		assertThat(server.command("INCR", "n")).isEqualTo("1");
		server.command("DEL", "list");
		server.command("RPUSH", "list", "a", "b");
		assertThat(server.command("LRANGE", "list", "0", "-1")).isEqualTo("a\nb");
		assertThat(server.dbSize()).isGreaterThanOrEqualTo(3);
		assertThatIllegalStateException().isThrownBy(() -> server.command("NOSUCHCOMMAND"))
			.withMessageContaining("unknown command");
		assertThatIllegalStateException().isThrownBy(() -> server.command("INCR", "k")).withMessageStartingWith("ERR");
	}

	@Test
	void binaryValuesRoundTrip() {
		byte[] value = { 0, (byte) 0xff, '\r', '\n', 7 };
		assertThat(server.commandBytes(bytes("SET"), bytes("bin"), value)).isEqualTo(bytes("OK"));
		assertThat(server.commandBytes(bytes("GET"), bytes("bin"))).isEqualTo(value);
		assertThat(server.commandBytes(bytes("GET"), bytes("no-such-key"))).isNull();
		assertThat(server.commandBytes(bytes("STRLEN"), bytes("bin"))).isEqualTo(bytes("5"));
	}

	@Test
	void commandStatsCountCalls() {
		long before = server.commandStats().getOrDefault("get", 0L);
		server.command("GET", "x");
		server.command("GET", "y");
		assertThat(server.commandStats()).containsEntry("get", before + 2).containsKey("info");
	}

	@Test
	void stopRefusesConnectionsAndStartComesBackOnTheSamePortEmpty() {
		try (RedisServer own = RedisServers.startPrivate()) {
			own.command("SET", "k", "v");
			int port = own.port();
			own.stop();
			assertThat(accepts(port)).isFalse();
			own.start();
			assertThat(own.port()).isEqualTo(port);
			assertThat(own.command("PING")).isEqualTo("PONG");
			assertThat(own.command("GET", "k")).as("persistence is off").isNull();
			own.command("SET", "k", "v2");
			own.kill();
			assertThat(own.isAlive()).isFalse();
			assertThat(accepts(port)).isFalse();
			own.start();
			assertThat(own.dbSize()).isZero();
			own.start();
			assertThat(own.command("PING")).as("start() on a running server is a no-op").isEqualTo("PONG");
		}
	}

	@Test
	void savedDataSurvivesARestart() {
		try (RedisServer own = RedisServers.startPrivate()) {
			own.command("SET", "kept", "yes");
			own.command("SAVE");
			own.stop();
			own.start();
			assertThat(own.command("GET", "kept")).isEqualTo("yes");
		}
	}

	@Test
	void pauseStallsClients() {
		server.pause(Duration.ofMillis(500));
		long start = System.nanoTime();
		assertThat(server.command("PING")).isEqualTo("PONG");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void debugCommandIsEnabled() {
		assertThat(server.command("DEBUG", "SLEEP", "0")).isEqualTo("OK");
	}

	@Test
	void credentialsAndDatabaseFromTheUrlApplyToCommands() {
		try (RedisServer own = RedisServers.startPrivate()) {
			own.command("ACL", "SETUSER", "tester", "on", ">p@ss", "~*", "+@all");
			RedisServer withUser = RedisServer.fromUrl("redis://tester:p%40ss@127.0.0.1:" + own.port() + "/3");
			withUser.command("SET", "in-db-3", "x");
			assertThat(own.command("GET", "in-db-3")).as("database 0").isNull();
			assertThat(withUser.command("GET", "in-db-3")).isEqualTo("x");
			assertThat(withUser.dbSize()).isEqualTo(1);
			RedisServer wrongPassword = RedisServer.fromUrl("redis://tester:nope@127.0.0.1:" + own.port());
			assertThatIllegalStateException().isThrownBy(() -> wrongPassword.command("PING"))
				.withMessageContaining("WRONGPASS");
		}
	}

	@Test
	void closingTheSharedServerKeepsItRunning() {
		RedisServer shared = RedisServers.shared();
		assertThat(RedisServers.shared()).isSameAs(shared);
		shared.close();
		assertThat(shared.command("PING")).isEqualTo("PONG");
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
