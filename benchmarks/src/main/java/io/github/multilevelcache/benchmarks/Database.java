package io.github.multilevelcache.benchmarks;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import io.github.multilevelcache.benchmarks.BenchmarkApplication.Item;

/**
 * A simulated database shared by every instance of one run: each key holds a version that
 * {@link #update} increments, and every call costs {@code latency}, half before the row
 * is read or written and half after (the two network legs), so a read's value can be
 * overtaken by an update while it travels back, as in a real one.
 */
public final class Database {

	private final AtomicLongArray versions;

	private final long halfLatencyNanos;

	private final LongAdder loads = new LongAdder();

	private final LongAdder updates = new LongAdder();

	/**
	 * Creates a database of {@code keys} rows, all at version 0.
	 */
	public Database(int keys, Duration latency) {
		this.versions = new AtomicLongArray(keys);
		this.halfLatencyNanos = latency.toNanos() / 2;
	}

	Item load(long id) {
		pause();
		long version = this.versions.get((int) id);
		this.loads.increment();
		pause();
		return new Item(id, version);
	}

	Item update(long id) {
		pause();
		long version = this.versions.incrementAndGet((int) id);
		this.updates.increment();
		pause();
		return new Item(id, version);
	}

	/**
	 * The version of a row now.
	 */
	public long version(long id) {
		return this.versions.get((int) id);
	}

	/**
	 * Rows read so far.
	 */
	public long loads() {
		return this.loads.sum();
	}

	/**
	 * Rows updated so far.
	 */
	public long updates() {
		return this.updates.sum();
	}

	private void pause() {
		if (this.halfLatencyNanos > 0) {
			LockSupport.parkNanos(this.halfLatencyNanos);
		}
	}

}
