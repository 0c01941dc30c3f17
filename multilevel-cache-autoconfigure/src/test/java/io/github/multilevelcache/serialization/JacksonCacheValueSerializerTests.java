package io.github.multilevelcache.serialization;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class JacksonCacheValueSerializerTests {

	private final JacksonCacheValueSerializer serializer = new JacksonCacheValueSerializer(
			List.of("io.github.multilevelcache.serialization"));

	@Test
	void recordsKeepTheirType() {
		Product product = new Product(7L, "lamp", new BigDecimal("19.90"), List.of("home", "light"));
		assertThat(roundTrip(product)).isEqualTo(product);
	}

	@Test
	void jdkValueTypesKeepTheirTypes() {
		assertThat(roundTrip(5L)).isEqualTo(5L).isInstanceOf(Long.class);
		assertThat(roundTrip(5)).isEqualTo(5).isInstanceOf(Integer.class);
		assertThat(roundTrip((short) 3)).isInstanceOf(Short.class);
		assertThat(roundTrip(1.5f)).isInstanceOf(Float.class);
		assertThat(roundTrip("text")).isEqualTo("text");
		assertThat(roundTrip(true)).isEqualTo(true);
		assertThat(roundTrip(new BigDecimal("1.10"))).isEqualTo(new BigDecimal("1.10"));
		UUID uuid = UUID.randomUUID();
		assertThat(roundTrip(uuid)).isEqualTo(uuid);
		assertThat(roundTrip(LocalDate.of(2026, 11, 24))).isEqualTo(LocalDate.of(2026, 11, 24));
		assertThat(roundTrip(Instant.ofEpochSecond(1_700_000_000L))).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
	}

	@Test
	void collectionsKeepElementTypes() {
		Product product = new Product(1L, "a", BigDecimal.ONE, List.of());
		List<Product> immutable = List.of(product, product);
		assertThat(roundTrip(immutable)).isEqualTo(immutable);
		ArrayList<Object> mixed = new ArrayList<>(List.of(1L, "x", product));
		assertThat(roundTrip(mixed)).isEqualTo(mixed);
		Map<String, Product> map = new HashMap<>(Map.of("k", product));
		assertThat(roundTrip(map)).isEqualTo(map);
		assertThat(roundTrip(Set.of(1L, 2L))).isEqualTo(Set.of(1L, 2L));
	}

	@Test
	void payloadNamingADisallowedTypeIsRejectedWithoutLoadingIt() {
		// io.github.forbidden.Exploding exists on the test class path (its class file,
		// found
		// without loading it) and records its own initialisation
		String forbidden = "io.github.forbidden.Exploding";
		assertThat(getClass().getClassLoader().getResource(forbidden.replace('.', '/') + ".class")).isNotNull();
		String payload = "{\"@class\":\"" + forbidden + "\",\"x\":1}";
		List<String> requested = recordingClassLoads(() -> assertThatExceptionOfType(CorruptValueException.class)
			.isThrownBy(() -> this.serializer.deserialize(payload.getBytes(StandardCharsets.UTF_8))));
		assertThat(requested).as("class loads the deserializer asked for").doesNotContain(forbidden);
		// LOADED_PROPERTY is a compile-time constant: reading it does not load the class
		assertThat(System.getProperty(io.github.forbidden.Exploding.LOADED_PROPERTY)).as("not initialised").isNull();
		String nested = "[\"java.util.ArrayList\",[{\"@class\":\"java.net.URL\",\"x\":1}]]";
		assertThatExceptionOfType(CorruptValueException.class)
			.isThrownBy(() -> this.serializer.deserialize(nested.getBytes(StandardCharsets.UTF_8)));
	}

	@Test
	void classLoadsOfTheDeserializerAreSeenByTheRecorder() {
		// the recorder of the test above sees an allowed type being resolved, so that its
		// "not asked for" means something
		byte[] bytes = this.serializer.serialize(new Product(7L, "lamp", BigDecimal.ONE, List.of()));
		List<String> requested = recordingClassLoads(() -> assertThat(this.serializer.deserialize(bytes)).isNotNull());
		assertThat(requested).contains(Product.class.getName());
	}

	/**
	 * Runs {@code action} with a context class loader that records every class it is
	 * asked to load (Jackson resolves type ids through it).
	 */
	private static List<String> recordingClassLoads(Runnable action) {
		Thread thread = Thread.currentThread();
		ClassLoader original = thread.getContextClassLoader();
		List<String> requested = new CopyOnWriteArrayList<>();
		thread.setContextClassLoader(new ClassLoader(original) {

			@Override
			protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
				requested.add(name);
				return super.loadClass(name, resolve);
			}

		});
		try {
			action.run();
		}
		finally {
			thread.setContextClassLoader(original);
		}
		return requested;
	}

	@Test
	void disallowedTypeOfALocalValueIsRejectedOnWrite() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.serializer.serialize(new StringBuilder("x")))
			.withMessageContaining("allow-list");
	}

	@Test
	void garbageIsCorrupt() {
		assertThatExceptionOfType(CorruptValueException.class)
			.isThrownBy(() -> this.serializer.deserialize(new byte[] { 0x01, 0x02, (byte) 0xff }));
		assertThatExceptionOfType(CorruptValueException.class)
			.isThrownBy(() -> this.serializer.deserialize("null".getBytes(StandardCharsets.UTF_8)));
	}

	@Test
	void packageEntriesDoNotMatchSiblingPackages() {
		JacksonCacheValueSerializer narrow = new JacksonCacheValueSerializer(List.of("com.example"));
		assertThat(narrow.allowedTypePrefixes()).contains("com.example.");
		String payload = "{\"@class\":\"com.examplevil.Thing\"}";
		assertThatExceptionOfType(CorruptValueException.class)
			.isThrownBy(() -> narrow.deserialize(payload.getBytes(StandardCharsets.UTF_8)));
	}

	private Object roundTrip(Object value) {
		return this.serializer.deserialize(this.serializer.serialize(value));
	}

	record Product(Long id, String name, BigDecimal price, List<String> tags) {
	}

}
