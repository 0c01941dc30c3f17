package io.github.multilevelcache.benchmarks;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import io.github.multilevelcache.write.CacheWriter;
import org.jspecify.annotations.Nullable;

/**
 * The database side of the write-behind scenario: every call (a single write or a whole
 * batch) costs one round trip of {@code latency}; it keeps the last value written per key
 * and counts calls and rows.
 */
public final class RecordingWriter implements CacheWriter<Object, Object> {

	private final long latencyNanos;

	private final Map<Object, Object> rows = new ConcurrentHashMap<>();

	private final LongAdder calls = new LongAdder();

	private final LongAdder rowsWritten = new LongAdder();

	public RecordingWriter(Duration latency) {
		this.latencyNanos = latency.toNanos();
	}

	@Override
	public void write(Object key, @Nullable Object value) {
		writeAll(Map.of(key, (value != null) ? value : "null"));
	}

	@Override
	public void writeAll(Map<Object, @Nullable Object> entries) {
		roundTrip();
		entries.forEach((key, value) -> this.rows.put(key, (value != null) ? value : "null"));
		this.rowsWritten.add(entries.size());
		this.calls.increment();
	}

	@Override
	public void delete(Object key) {
		roundTrip();
		this.rows.remove(key);
		this.calls.increment();
	}

	/**
	 * Database round trips so far (a batch is one).
	 */
	public long calls() {
		return this.calls.sum();
	}

	/**
	 * Rows written so far.
	 */
	public long rowsWritten() {
		return this.rowsWritten.sum();
	}

	/**
	 * Keys with a row.
	 */
	public long rowCount() {
		return this.rows.size();
	}

	/**
	 * The row of a key, or {@code null}.
	 */
	public @Nullable Object row(Object key) {
		return this.rows.get(key);
	}

	private void roundTrip() {
		if (this.latencyNanos > 0) {
			LockSupport.parkNanos(this.latencyNanos);
		}
	}

}
