package io.github.multilevelcache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tokens of the leases and fill guards this instance puts into value keys
 * ({@code <instance id>:<counter>}, unique across instances), and the watchdog that
 * renews a lease while its slow loader runs: every third of the lease time,
 * compare-and-pexpire on the exact lease bytes, so a lease that an evict or a put ended
 * is never revived. Renewals run on the manager's {@link CacheTasks} scheduler.
 */
final class Leases {

	private final String instanceId;

	private final CacheTasks tasks;

	private final AtomicLong counter = new AtomicLong();

	Leases(String instanceId, CacheTasks tasks) {
		this.instanceId = instanceId;
		this.tasks = tasks;
	}

	String newToken() {
		return this.instanceId + ":" + this.counter.incrementAndGet();
	}

	byte[] newMarker() {
		return newToken().getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Renews {@code lease} under {@code key} until the returned handle is closed or the
	 * lease is gone.
	 */
	AutoCloseable keepAlive(RedisLevel l2, byte[] key, byte[] lease, Duration leaseTime) {
		long ttl = leaseTime.toMillis();
		ScheduledFuture<?>[] renewal = new ScheduledFuture<?>[1];
		renewal[0] = this.tasks.atRate(leaseTime.dividedBy(3),
				() -> l2.call((redis) -> redis.expireIfEquals(key, lease, ttl)).whenComplete((held, ex) -> {
					if (ex == null && !held && renewal[0] != null) {
						renewal[0].cancel(false);
					}
				}));
		return () -> renewal[0].cancel(false);
	}

}
