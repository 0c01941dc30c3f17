package io.github.multilevelcache.l1;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;

import org.springframework.cache.support.NullValue;

import io.github.multilevelcache.CacheSettings;

import static org.assertj.core.api.Assertions.assertThat;

class L1CacheTests {

	private final AtomicLong nanos = new AtomicLong(1_000);

	private final Ticker ticker = this.nanos::get;

	private L1Cache cache(Duration expireAfterWrite, Duration expireAfterAccess) {
		return new L1Cache(new CacheSettings.L1(true, 100, expireAfterWrite, expireAfterAccess),
				Duration.ofSeconds(10), this.ticker);
	}

	@Test
	void readerThatStartedBeforeAnInvalidationDoesNotFillL1() {
		L1Cache cache = cache(Duration.ofMinutes(5), null);
		long stamp = cache.stamp();
		cache.invalidate("k");
		assertThat(cache.putIfNotInvalidatedSince("k", L1Entry.of("old", 1, 0, 0), stamp)).isFalse();
		assertThat(cache.get("k")).isNull();
		long later = cache.stamp();
		assertThat(cache.putIfNotInvalidatedSince("k", L1Entry.of("new", 1, 0, 0), later)).isTrue();
		assertThat(cache.get("k").storeValue()).isEqualTo("new");
	}

	@Test
	void invalidationOfAnotherKeyDoesNotBlockMostFills() {
		L1Cache cache = cache(Duration.ofMinutes(5), null);
		long stamp = cache.stamp();
		cache.invalidate("other");
		int stored = 0;
		for (int i = 0; i < 100; i++) {
			stored += cache.putIfNotInvalidatedSince("k" + i, L1Entry.of(i, 1, 0, 0), stamp) ? 1 : 0;
		}
		assertThat(stored).isGreaterThanOrEqualTo(99);
	}

	@Test
	void clearBlocksEveryFillThatStartedBefore() {
		L1Cache cache = cache(Duration.ofMinutes(5), null);
		long stamp = cache.stamp();
		cache.invalidateAll();
		assertThat(cache.putIfNotInvalidatedSince("a", L1Entry.of("x", 1, 0, 0), stamp)).isFalse();
		assertThat(cache.putIfNotInvalidatedSince("b", L1Entry.of("x", 1, 0, 0), stamp)).isFalse();
	}

	@Test
	void ownPutBlocksOlderReaders() {
		L1Cache cache = cache(Duration.ofMinutes(5), null);
		long readerStamp = cache.stamp();
		cache.put("k", L1Entry.of("new", 2, 0, 0));
		assertThat(cache.putIfNotInvalidatedSince("k", L1Entry.of("old", 1, 0, 0), readerStamp)).isFalse();
		assertThat(cache.get("k").storeValue()).isEqualTo("new");
	}

	@Test
	void entriesExpireAfterWrite() {
		L1Cache cache = cache(Duration.ofSeconds(30), null);
		cache.put("k", L1Entry.of("v", 1, 0, 0));
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(29));
		assertThat(cache.get("k")).isNotNull();
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void nullValuesExpireAfterTheirOwnTtl() {
		L1Cache cache = cache(Duration.ofMinutes(5), null);
		cache.put("k", L1Entry.of(NullValue.INSTANCE, 1, 0, 0));
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(11));
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void entriesExpireAfterAccessButNotBeyondTheirWriteDeadline() {
		L1Cache cache = cache(Duration.ofSeconds(30), Duration.ofSeconds(10));
		cache.put("k", L1Entry.of("v", 1, 0, 0));
		for (int i = 0; i < 2; i++) {
			this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(9));
			assertThat(cache.get("k")).isNotNull();
		}
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(11));
		assertThat(cache.get("k")).as("idle for 11 s").isNull();
		cache.put("j", L1Entry.of("v", 1, 0, 0));
		for (int i = 0; i < 3; i++) {
			this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(9));
			assertThat(cache.get("j")).isNotNull();
		}
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(4));
		assertThat(cache.get("j")).as("31 s after write").isNull();
	}

	@Test
	void entriesDoNotOutliveTheirL2Expiry() {
		L1Cache cache = cache(Duration.ofMinutes(5), null);
		cache.put("k", L1Entry.of("v", System.currentTimeMillis(), System.currentTimeMillis() + 2_000, 0));
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(3));
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void disabledL1StoresNothing() {
		L1Cache cache = new L1Cache(new CacheSettings.L1(false, 100, null, null), Duration.ofSeconds(1), this.ticker);
		cache.put("k", L1Entry.of("v", 1, 0, 0));
		assertThat(cache.enabled()).isFalse();
		assertThat(cache.get("k")).isNull();
	}

}
