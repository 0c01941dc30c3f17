package io.github.multilevelcache.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.multilevelcache.test.RedisServer;

/**
 * What every harness scenario shares: the Redis, a key prefix unique to the run, the
 * run's size and the console.
 */
final class Harness {

	private final RedisServer redis;

	private final String runPrefix;

	private final BenchmarkSettings settings;

	private final Progress progress;

	private final AtomicInteger runs = new AtomicInteger();

	Harness(RedisServer redis, String runPrefix, BenchmarkSettings settings, Progress progress) {
		this.redis = redis;
		this.runPrefix = runPrefix;
		this.settings = settings;
		this.progress = progress;
	}

	RedisServer redis() {
		return this.redis;
	}

	BenchmarkSettings settings() {
		return this.settings;
	}

	Progress progress() {
		return this.progress;
	}

	/**
	 * Starts {@code count} instances that share one Redis and the given singletons, under
	 * a key prefix no other run uses.
	 */
	List<BenchmarkInstance> start(int count, ManagerKind kind, Map<String, Object> singletons, String... properties) {
		return start(count, kind, this.redis.url(), singletons, properties);
	}

	/**
	 * Starts instances that reach Redis at {@code redisUrl} (a {@link DelayProxy}'s, for
	 * the network-distance runs).
	 */
	List<BenchmarkInstance> start(int count, ManagerKind kind, String redisUrl, Map<String, Object> singletons,
			String... properties) {
		String prefix = this.runPrefix + this.runs.incrementAndGet() + ":";
		List<BenchmarkInstance> instances = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			instances.add(BenchmarkInstance.start(kind, redisUrl, prefix, singletons, properties));
		}
		instances.forEach(BenchmarkInstance::awaitCoherent);
		return instances;
	}

	/**
	 * Closes the instances and, on a Redis of our own, drops their keys so the next run
	 * starts clean.
	 */
	void stop(List<BenchmarkInstance> instances) {
		instances.forEach(BenchmarkInstance::close);
		if (this.redis.isManaged()) {
			this.redis.flushAll();
		}
	}

}
