package io.github.multilevelcache.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.github.multilevelcache.test.RedisServer;

/**
 * CPU time used so far by this JVM, by its threads grouped by what they do, and by the
 * Redis server: the difference of two samples says where the CPU of a measured run went,
 * which on a machine of two cores shared by the instances and Redis is what throughput is
 * spent on.
 *
 * @param jvmNanos CPU time of the whole JVM process
 * @param threadNanos CPU time of the live threads, by group
 * @param redisMicros {@code used_cpu_user + used_cpu_sys} of the Redis server
 */
record CpuSample(long jvmNanos, Map<String, Long> threadNanos, long redisMicros) {

	private static final String WORKERS = "workers";

	private static final String REDIS_CLIENT = "Redis client I/O";

	private static final String OTHER = "other threads";

	/**
	 * Samples the JVM's threads and the Redis server now.
	 * @param redis the server the run uses
	 * @return the sample
	 */
	static CpuSample now(RedisServer redis) {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		Map<String, Long> byGroup = new LinkedHashMap<>();
		byGroup.put(WORKERS, 0L);
		byGroup.put(REDIS_CLIENT, 0L);
		byGroup.put(OTHER, 0L);
		for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
			if (info == null) {
				continue;
			}
			long nanos = threads.getThreadCpuTime(info.getThreadId());
			if (nanos > 0) {
				byGroup.merge(group(info.getThreadName()), nanos, Long::sum);
			}
		}
		return new CpuSample(processCpuNanos(), byGroup, redisCpuMicros(redis));
	}

	private static String group(String threadName) {
		if (threadName.startsWith("zipf-")) {
			return WORKERS;
		}
		if (threadName.startsWith("lettuce-") || threadName.contains("EventLoop")) {
			return REDIS_CLIENT;
		}
		return OTHER;
	}

	private static long processCpuNanos() {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
			return os.getProcessCpuTime();
		}
		return 0;
	}

	private static long redisCpuMicros(RedisServer redis) {
		String info = redis.info("cpu");
		return Math.round((seconds(info, "used_cpu_user") + seconds(info, "used_cpu_sys")) * 1e6);
	}

	private static double seconds(String info, String field) {
		String value = BenchmarkMain.infoField(info, field);
		return (value != null) ? Double.parseDouble(value) : 0;
	}

	/**
	 * Where the CPU went between {@code before} and this sample, per operation.
	 * @param before the earlier sample
	 * @param operations operations completed in between
	 * @return the CPU time per operation
	 */
	PerOperation perOperationSince(CpuSample before, long operations) {
		double ops = Math.max(1, operations);
		Map<String, Double> groups = new LinkedHashMap<>();
		this.threadNanos.forEach((group, nanos) -> groups.put(group,
				Math.max(0, nanos - before.threadNanos.getOrDefault(group, 0L)) / 1e3 / ops));
		return new PerOperation((this.jvmNanos - before.jvmNanos) / 1e3 / ops, groups,
				(this.redisMicros - before.redisMicros) / ops);
	}

	/**
	 * CPU time per operation of a measured run.
	 *
	 * @param jvmMicros the JVM's, all threads (both instances, the harness, GC, JIT)
	 * @param threadMicros the JVM's live threads, by group (a thread that ended in
	 * between is left out)
	 * @param redisMicros the Redis server's
	 */
	record PerOperation(double jvmMicros, Map<String, Double> threadMicros, double redisMicros) {

		@Override
		public String toString() {
			String groups = this.threadMicros.entrySet()
				.stream()
				.map((entry) -> String.format(Locale.ROOT, "%s %.1f", entry.getKey(), entry.getValue()))
				.collect(Collectors.joining(", "));
			return String.format(Locale.ROOT, "JVM %.1f µs (%s), Redis server %.1f µs", this.jvmMicros, groups,
					this.redisMicros);
		}

	}

}
