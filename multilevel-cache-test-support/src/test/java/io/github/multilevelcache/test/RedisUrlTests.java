package io.github.multilevelcache.test;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Parsing and rendering of {@code REDIS_URL}.
 */
class RedisUrlTests {

	@Test
	void hostAndPort() {
		assertThat(RedisUrl.parse("redis://redis.example:6380"))
			.isEqualTo(new RedisUrl("redis.example", 6380, null, null, 0));
		assertThat(RedisUrl.parse(" redis://localhost/ ")).isEqualTo(new RedisUrl("localhost", 6379, null, null, 0));
		assertThat(RedisUrl.parse("REDIS://redis_1:7000").host()).isEqualTo("redis_1");
		assertThat(RedisUrl.parse("redis://[::1]:7001")).isEqualTo(new RedisUrl("[::1]", 7001, null, null, 0));
		assertThat(RedisUrl.parse("redis://[::1]").port()).isEqualTo(6379);
	}

	@Test
	void credentialsAndDatabase() {
		assertThat(RedisUrl.parse("redis://user:secret@redis.example:6380/2"))
			.isEqualTo(new RedisUrl("redis.example", 6380, "user", "secret", 2));
		assertThat(RedisUrl.parse("redis://:secret@h:1")).isEqualTo(new RedisUrl("h", 1, null, "secret", 0));
		assertThat(RedisUrl.parse("redis://secret@h:1")).isEqualTo(new RedisUrl("h", 1, null, "secret", 0));
		assertThat(RedisUrl.parse("redis://u:p%40ss%3Aw%C3%B6rd@h:1/3?timeout=1s").password()).isEqualTo("p@ss:wörd");
	}

	@Test
	void rendersBackToAnEquivalentUrl() {
		RedisUrl url = new RedisUrl("h", 1, "us er", "p@ss:w%rd", 4);
		assertThat(url.render()).isEqualTo("redis://us%20er:p%40ss%3Aw%25rd@h:1/4");
		assertThat(RedisUrl.parse(url.render())).isEqualTo(url);
		assertThat(RedisUrl.of("127.0.0.1", 6543).render()).isEqualTo("redis://127.0.0.1:6543");
		assertThat(new RedisUrl("h", 1, null, "pw", 0).render()).isEqualTo("redis://:pw@h:1");
	}

	@Test
	void rejectsWhatItCannotServe() {
		assertThatIllegalArgumentException().isThrownBy(() -> RedisUrl.parse("rediss://h:6379"))
			.withMessageContaining("rediss:// is not supported");
		assertThatIllegalArgumentException().isThrownBy(() -> RedisUrl.parse("redis://:6379"))
			.withMessageContaining("No host");
		assertThatIllegalArgumentException().isThrownBy(() -> RedisUrl.parse("redis://h/db"))
			.withMessageContaining("database");
	}

	@Test
	void externalServersAreNotManaged() {
		RedisServer external = RedisServer.fromUrl("redis://user:secret@redis.example:6380/2");
		assertThat(external.host()).isEqualTo("redis.example");
		assertThat(external.port()).isEqualTo(6380);
		assertThat(external.url()).isEqualTo("redis://user:secret@redis.example:6380/2");
		assertThat(external.isManaged()).isFalse();
		for (Runnable lifecycle : new Runnable[] { external::stop, external::start, external::kill,
				() -> external.pause(Duration.ofMillis(1)) }) {
			assertThatIllegalStateException().isThrownBy(lifecycle::run)
				.withMessageContaining("not started by this fixture");
		}
		external.close();
	}

}
