package io.github.multilevelcache;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;

import org.springframework.cache.support.NullValue;

import static org.assertj.core.api.Assertions.assertThat;

class LocalLevelTests {

	private final AtomicLong nanos = new AtomicLong(1_000);

	private final Ticker ticker = this.nanos::get;

	private LocalLevel cache(Duration expireAfterWrite, Duration expireAfterAccess) {
		return new LocalLevel(new CacheSettings.L1(true, 100, expireAfterWrite, expireAfterAccess),
				Duration.ofSeconds(10), this.ticker, System::currentTimeMillis, Coherence.standalone());
	}

	@Test
	void readerThatStartedBeforeAnInvalidationDoesNotFillL1() {
		LocalLevel cache = cache(Duration.ofMinutes(5), null);
		long stamp = cache.stamp();
		cache.invalidate("k");
		assertThat(cache.fill("k", LocalEntry.of("old", 1, 0, 0), stamp)).isFalse();
		assertThat(cache.get("k")).isNull();
		long later = cache.stamp();
		assertThat(cache.fill("k", LocalEntry.of("new", 1, 0, 0), later)).isTrue();
		assertThat(cache.get("k").storeValue()).isEqualTo("new");
	}

	@Test
	void invalidationOfAnotherKeyDoesNotBlockMostFills() {
		LocalLevel cache = cache(Duration.ofMinutes(5), null);
		long stamp = cache.stamp();
		cache.invalidate("other");
		int stored = 0;
		for (int i = 0; i < 100; i++) {
			stored += cache.fill("k" + i, LocalEntry.of(i, 1, 0, 0), stamp) ? 1 : 0;
		}
		assertThat(stored).isGreaterThanOrEqualTo(99);
	}

	@Test
	void clearBlocksEveryFillThatStartedBefore() {
		LocalLevel cache = cache(Duration.ofMinutes(5), null);
		long stamp = cache.stamp();
		cache.invalidateAll();
		assertThat(cache.fill("a", LocalEntry.of("x", 1, 0, 0), stamp)).isFalse();
		assertThat(cache.fill("b", LocalEntry.of("x", 1, 0, 0), stamp)).isFalse();
	}

	@Test
	void ownPutBlocksOlderReaders() {
		LocalLevel cache = cache(Duration.ofMinutes(5), null);
		long readerStamp = cache.stamp();
		cache.putUnlessInvalidatedSince("k", LocalEntry.of("new", 2, 0, 0), cache.stamp());
		assertThat(cache.fill("k", LocalEntry.of("old", 1, 0, 0), readerStamp)).isFalse();
		assertThat(cache.get("k").storeValue()).isEqualTo("new");
	}

	@Test
	void entriesExpireAfterWrite() {
		LocalLevel cache = cache(Duration.ofSeconds(30), null);
		cache.putUnlessInvalidatedSince("k", LocalEntry.of("v", 1, 0, 0), cache.stamp());
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(29));
		assertThat(cache.get("k")).isNotNull();
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void nullValuesExpireAfterTheirOwnTtl() {
		LocalLevel cache = cache(Duration.ofMinutes(5), null);
		cache.putUnlessInvalidatedSince("k", LocalEntry.of(NullValue.INSTANCE, 1, 0, 0), cache.stamp());
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(11));
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void entriesExpireAfterAccessButNotBeyondTheirWriteDeadline() {
		LocalLevel cache = cache(Duration.ofSeconds(30), Duration.ofSeconds(10));
		cache.putUnlessInvalidatedSince("k", LocalEntry.of("v", 1, 0, 0), cache.stamp());
		for (int i = 0; i < 2; i++) {
			this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(9));
			assertThat(cache.get("k")).isNotNull();
		}
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(11));
		assertThat(cache.get("k")).as("idle for 11 s").isNull();
		cache.putUnlessInvalidatedSince("j", LocalEntry.of("v", 1, 0, 0), cache.stamp());
		for (int i = 0; i < 3; i++) {
			this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(9));
			assertThat(cache.get("j")).isNotNull();
		}
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(4));
		assertThat(cache.get("j")).as("31 s after write").isNull();
	}

	@Test
	void entriesDoNotOutliveTheirL2Expiry() {
		LocalLevel cache = cache(Duration.ofMinutes(5), null);
		cache.putUnlessInvalidatedSince("k",
				LocalEntry.of("v", System.currentTimeMillis(), System.currentTimeMillis() + 2_000, 0), cache.stamp());
		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(3));
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void disabledL1StoresNothing() {
		LocalLevel cache = new LocalLevel(new CacheSettings.L1(false, 100, null, null), Duration.ofSeconds(1),
				this.ticker, System::currentTimeMillis, Coherence.standalone());
		cache.putUnlessInvalidatedSince("k", LocalEntry.of("v", 1, 0, 0), cache.stamp());
		assertThat(cache.enabled()).isFalse();
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void nothingIsStoredUntilTheFirstSubscriptionWhichThenClearsNothing() {
		Coherence coherence = Coherence.awaitingSubscription();
		LocalLevel cache = new LocalLevel(new CacheSettings.L1(true, 100, Duration.ofMinutes(5), null),
				Duration.ofSeconds(10), this.ticker, System::currentTimeMillis, coherence);
		cache.putUnlessInvalidatedSince("k", LocalEntry.of("v", 1, 0, 0), cache.stamp());
		assertThat(cache.fill("j", LocalEntry.of("v", 1, 0, 0), cache.stamp())).isFalse();
		assertThat(cache.get("k")).isNull();
		assertThat(coherence.subscribed()).as("first subscription needs no clear").isFalse();
		cache.putUnlessInvalidatedSince("k", LocalEntry.of("v", 1, 0, 0), cache.stamp());
		assertThat(cache.get("k")).isNotNull();
		assertThat(coherence.subscribed()).as("a resubscription clears").isTrue();
	}

	@Test
	void aFailedFirstSubscriptionOpensL1AndTheLaterSubscriptionClearsIt() {
		Coherence coherence = Coherence.awaitingSubscription();
		LocalLevel cache = new LocalLevel(new CacheSettings.L1(true, 100, Duration.ofMinutes(5), null),
				Duration.ofSeconds(10), this.ticker, System::currentTimeMillis, coherence);
		coherence.unsubscribed();
		cache.putUnlessInvalidatedSince("k", LocalEntry.of("v", 1, 0, 0), cache.stamp());
		assertThat(cache.get("k")).isNotNull();
		assertThat(coherence.subscribed()).isTrue();
	}

}
