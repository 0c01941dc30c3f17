package io.github.multilevelcache.test;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@RedisTest
class RedisExtensionTests {

	private static RedisServer privateServer;

	@Test
	void injectsTheSharedServer(RedisServer server) {
		assertThat(server).isSameAs(RedisServers.shared());
		assertThat(server.command("PING")).isEqualTo("PONG");
	}

	@Test
	void injectsAPrivateServer(@PrivateRedis RedisServer server) {
		assertThat(server).isNotSameAs(RedisServers.shared());
		assertThat(server.isManaged()).isTrue();
		assertThat(server.command("PING")).isEqualTo("PONG");
		privateServer = server;
	}

	@AfterAll
	static void privateServerWasStopped() {
		assertThat(privateServer).isNotNull();
		assertThat(privateServer.isAlive()).isFalse();
	}

}
