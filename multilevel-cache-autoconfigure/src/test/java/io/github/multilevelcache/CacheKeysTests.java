package io.github.multilevelcache;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.core.convert.converter.Converter;
import org.springframework.format.support.DefaultFormattingConversionService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shortcuts of {@link CacheKeys} for common key types give exactly what the
 * conversion service gives.
 */
class CacheKeysTests {

	enum Colour {

		RED;

		@Override
		public String toString() {
			return "not the name";
		}

	}

	@Test
	void commonKeyTypesConvertAsTheDefaultConversionServiceDoes() {
		CacheKeys keys = new CacheKeys("app:", "items", CacheKeys.defaultConversionService());
		DefaultFormattingConversionService reference = new DefaultFormattingConversionService();
		List<Object> samples = List.of(42L, -7, (short) 3, (byte) 1, UUID.randomUUID(), true, 'x', Colour.RED,
				Long.MIN_VALUE);
		for (Object key : samples) {
			assertThat(keys.canonical(key)).as(key.getClass().getName())
				.isEqualTo("app:items::" + reference.convert(key, String.class));
		}
		assertThat(keys.canonical(Colour.RED)).isEqualTo("app:items::RED");
	}

	@Test
	void theMemoGrowsWithTheKeysL1MayHold() {
		CacheKeys small = new CacheKeys("", "items", CacheKeys.defaultConversionService(), 100);
		CacheKeys large = new CacheKeys("", "items", CacheKeys.defaultConversionService(), 10_000);
		assertThat(reusedOnSecondPass(small, 8_192)).isLessThanOrEqualTo(1_024);
		assertThat(reusedOnSecondPass(large, 8_192)).isEqualTo(8_192);
	}

	/**
	 * How many of {@code count} keys give the same canonical instance when asked again.
	 */
	private static int reusedOnSecondPass(CacheKeys keys, int count) {
		List<String> first = new java.util.ArrayList<>();
		for (long i = 0; i < count; i++) {
			first.add(keys.canonical(i));
		}
		int reused = 0;
		for (long i = 0; i < count; i++) {
			if (keys.canonical(i) == first.get((int) i)) {
				reused++;
			}
		}
		return reused;
	}

	@Test
	void keysSharingAMemoSlotKeepTheirOwnCanonicalForm() {
		CacheKeys keys = new CacheKeys("", "items", CacheKeys.defaultConversionService());
		// 1 and 1025 land in the same slot of the 1,024-slot memo
		for (int round = 0; round < 3; round++) {
			assertThat(keys.canonical(1L)).isEqualTo("items::1");
			assertThat(keys.canonical(1025L)).isEqualTo("items::1025");
			assertThat(keys.canonical(1)).isEqualTo("items::1");
			assertThat(keys.canonical("1025")).isEqualTo("items::1025");
		}
		assertThat(keys.canonical(7L)).isSameAs(keys.canonical(7L));
	}

	@Test
	void aMutableKeyIsNeverAnsweredFromTheMemo() {
		CacheKeys keys = new CacheKeys("", "items", CacheKeys.defaultConversionService());
		List<String> mutable = new ArrayList<>(List.of("a"));
		// a String key equal in hash code to the list, remembered first
		String sameHash = "" + (char) (31 + "a".hashCode());
		assertThat(sameHash.hashCode()).isEqualTo(mutable.hashCode());
		assertThat(keys.canonical(sameHash)).isEqualTo("items::" + sameHash);

		assertThat(keys.canonical(mutable)).isEqualTo("items::a");
		mutable.set(0, "b");
		mutable.add("c");
		assertThat(keys.canonical(mutable)).isEqualTo("items::b,c");
		assertThat(keys.canonical(sameHash)).isEqualTo("items::" + sameHash);
	}

	@Test
	void aUsersConversionServiceIsAlwaysAsked() {
		DefaultFormattingConversionService custom = new DefaultFormattingConversionService();
		custom.addConverter(Long.class, String.class, (Converter<Long, String>) (id) -> "id-" + id);
		CacheKeys keys = new CacheKeys("", "items", custom);
		assertThat(keys.canonical(42L)).isEqualTo("items::id-42");
	}

}
