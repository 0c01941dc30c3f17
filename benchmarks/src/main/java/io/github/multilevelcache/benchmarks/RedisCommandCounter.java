package io.github.multilevelcache.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import io.github.multilevelcache.test.RedisServer;

/**
 * Commands Redis executed between two readings of {@code INFO commandstats}, not counting
 * the {@code INFO} calls themselves. Counts every client, so the runs use a Redis of
 * their own where they can, and counts the commands a Lua script runs as well as the
 * script call (which makes the figure conservative for multilevel-cache, whose
 * conditional writes are scripts).
 */
final class RedisCommandCounter {

	private final RedisServer redis;

	private Map<String, Long> start = Map.of();

	RedisCommandCounter(RedisServer redis) {
		this.redis = redis;
	}

	void start() {
		this.start = stats();
	}

	/**
	 * Calls per command since {@link #start()}, most frequent first.
	 */
	Map<String, Long> sinceStart() {
		Map<String, Long> now = stats();
		return now.entrySet()
			.stream()
			.map((entry) -> Map.entry(entry.getKey(), entry.getValue() - this.start.getOrDefault(entry.getKey(), 0L)))
			.filter((entry) -> entry.getValue() > 0)
			.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
			.collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, Long::sum, LinkedHashMap::new));
	}

	private Map<String, Long> stats() {
		Map<String, Long> stats = new LinkedHashMap<>(this.redis.commandStats());
		stats.keySet().removeIf((command) -> command.equalsIgnoreCase("info"));
		return stats;
	}

}
