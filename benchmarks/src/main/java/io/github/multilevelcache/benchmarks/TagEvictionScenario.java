package io.github.multilevelcache.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import io.github.multilevelcache.MultiLevelCache;
import io.github.multilevelcache.MultiLevelCacheManager;
import org.HdrHistogram.Histogram;

import org.springframework.cache.Cache;

/**
 * Scenario 7: evicting a tag of {@value #MEMBERS} entries. Instance B writes the entries
 * (so its L1 holds them), instance A calls {@link MultiLevelCacheManager#evictTag}; timed
 * are the call, and the time from its return until B's L1 has dropped every member.
 * Against it: the same entries evicted one {@code evict} at a time, on multilevel-cache
 * and on Spring's stock {@code RedisCacheManager} (the way to do it without tags), and
 * the price of tagging in writes (B's puts of a tagged against an untagged cache). On
 * loopback and at a network distance of {@value #DISTANT_MICROS} µs each way.
 */
final class TagEvictionScenario {

	static final int MEMBERS = 1_000;

	static final long DISTANT_MICROS = 250;

	private static final String TAGGED = "tagged";

	private static final String PLAIN = "plain";

	private static final Duration GIVE_UP = Duration.ofSeconds(10);

	private final Harness harness;

	TagEvictionScenario(Harness harness) {
		this.harness = harness;
	}

	Result run(Duration delay) {
		DelayProxy proxy = delay.isZero() ? null
				: new DelayProxy(this.harness.redis().host(), this.harness.redis().port(), delay).start();
		String url = (proxy != null) ? proxy.url() : this.harness.redis().url();
		int rounds = this.harness.settings().isFull() ? 10 : 2;
		try {
			Histogram evictTag = Latency.histogram();
			Histogram propagation = Latency.histogram();
			Histogram oneByOne = Latency.histogram();
			Histogram stockOneByOne = Latency.histogram();
			Histogram taggedPuts = Latency.histogram();
			Histogram plainPuts = Latency.histogram();
			long lost = 0;
			List<BenchmarkInstance> instances = this.harness.start(2, ManagerKind.MULTILEVEL, url, Map.of(),
					"multilevel-cache.caches." + TAGGED + ".tags[0]='group:' + (#key / " + MEMBERS + ")");
			try {
				MultiLevelCache onA = instances.get(0).multiLevelCache(PLAIN);
				MultiLevelCache taggedOnB = instances.get(1).multiLevelCache(TAGGED);
				MultiLevelCache plainOnB = instances.get(1).multiLevelCache(PLAIN);
				MultiLevelCacheManager a = (MultiLevelCacheManager) instances.get(0).cacheManager();
				for (int round = 0; round < rounds; round++) {
					long first = (long) round * MEMBERS;
					taggedPuts.recordValue(putAll(taggedOnB, first));
					plainPuts.recordValue(putAll(plainOnB, first));
					long before = System.nanoTime();
					long evicted = a.evictTag("group:" + round);
					long returned = System.nanoTime();
					if (evicted != MEMBERS) {
						throw new IllegalStateException("Tag group:" + round + " evicted " + evicted + " entries");
					}
					evictTag.recordValue(returned - before);
					long gone = awaitGone(instances.get(1), TAGGED, first, returned);
					if (gone < 0) {
						lost++;
					}
					else {
						propagation.recordValue(gone - returned);
					}
					oneByOne.recordValue(evictEach(onA, first));
					this.harness.progress().step("  %s: round %d of %d", label(delay), round + 1, rounds);
				}
			}
			finally {
				this.harness.stop(instances);
			}
			List<BenchmarkInstance> stock = this.harness.start(1, ManagerKind.REDIS, url, Map.of());
			try {
				Cache cache = stock.get(0).cacheManager().getCache(PLAIN);
				for (int round = 0; round < rounds; round++) {
					long first = (long) round * MEMBERS;
					putAll(cache, first);
					stockOneByOne.recordValue(evictEach(cache, first));
				}
			}
			finally {
				this.harness.stop(stock);
			}
			return new Result(delay, Latency.of(evictTag), Latency.of(propagation), lost, Latency.of(oneByOne),
					Latency.of(stockOneByOne), Latency.of(taggedPuts), Latency.of(plainPuts));
		}
		finally {
			if (proxy != null) {
				proxy.close();
			}
		}
	}

	static String label(Duration delay) {
		return delay.isZero() ? "loopback" : (delay.toNanos() / 1_000) + " µs each way";
	}

	/** Puts the members one after the other; returns the time per put. */
	private static long putAll(Cache cache, long first) {
		long before = System.nanoTime();
		for (long key = first; key < first + MEMBERS; key++) {
			cache.put(key, "value-" + key);
		}
		return (System.nanoTime() - before) / MEMBERS;
	}

	/** Evicts the members one after the other; returns the time for all of them. */
	private static long evictEach(Cache cache, long first) {
		long before = System.nanoTime();
		for (long key = first; key < first + MEMBERS; key++) {
			cache.evict(key);
		}
		return System.nanoTime() - before;
	}

	/** When B's L1 no longer holds any member, or -1 after {@link #GIVE_UP}. */
	private static long awaitGone(BenchmarkInstance b, String cache, long first, long since) {
		long deadline = since + GIVE_UP.toNanos();
		long key = first;
		while (key < first + MEMBERS) {
			if (!b.inL1(cache, key)) {
				key++;
			}
			else if (System.nanoTime() > deadline) {
				return -1;
			}
			else {
				LockSupport.parkNanos(10_000);
			}
		}
		return System.nanoTime();
	}

	/**
	 * The figures at one network distance.
	 *
	 * @param delay the added one-way delay
	 * @param evictTag the {@code evictTag} call on A
	 * @param propagation from its return until B's L1 dropped every member
	 * @param lost rounds where B kept a member for ten seconds
	 * @param oneByOne {@value #MEMBERS} {@code evict} calls on multilevel-cache, in total
	 * @param stockOneByOne {@value #MEMBERS} {@code evict} calls on
	 * {@code RedisCacheManager}, in total
	 * @param taggedPut one put into the tagged cache
	 * @param plainPut one put into an untagged cache
	 */
	record Result(Duration delay, Latency evictTag, Latency propagation, long lost, Latency oneByOne,
			Latency stockOneByOne, Latency taggedPut, Latency plainPut) {
	}

}
