package io.github.multilevelcache.write;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import io.github.multilevelcache.serialization.CacheValueSerializer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.types.Expiration;

/**
 * The durable journal of one write-behind cache on one instance (G9 with
 * {@code durable: true}): every accepted write is appended to a Redis Stream of this
 * instance before {@code put} returns (the append waits at most the cache's Redis
 * timeout, and is pipelined behind the write's own Redis write), and deleted from it once
 * the writer committed it. The instance keeps an owner key alive; the stream of an
 * instance whose owner key was seen missing twice, a check apart (it crashed), is
 * replayed by any instance, once (a claim key), in stream order coalesced to the last
 * write per key, skipping keys whose cached value is newer than the journaled write
 * (G10), then deleted. Keys and values are stored with the cache's serializer, so the
 * allow-list applies.
 */
final class WriteJournal {

	private static final Log logger = LogFactory.getLog(WriteJournal.class);

	static final Duration OWNER_TTL = Duration.ofSeconds(10);

	/** How often the owner key is renewed. */
	static final Duration RENEWAL = OWNER_TTL.dividedBy(5);

	/** How often other instances' journals are checked for a missing owner. */
	static final Duration ORPHAN_CHECK = Duration.ofSeconds(1);

	private static final byte[] KEY = bytes("k");

	private static final byte[] VALUE = bytes("v");

	private static final byte[] DELETE = bytes("d");

	private static final byte[] TIME = bytes("t");

	private final RedisConnectionFactory connectionFactory;

	private final CacheValueSerializer serializer;

	private final String streamPrefix;

	private final String ownerPrefix;

	private final String instanceId;

	private final byte[] stream;

	private final Duration appendTimeout;

	private final BooleanSupplier redisAvailable;

	/**
	 * Streams seen without an owner once, and when: replayed when seen so a check later.
	 */
	private final Map<String, Long> suspects = new ConcurrentHashMap<>();

	/**
	 * Journal entries of crashed instances that could not be read and were skipped.
	 */
	private final AtomicLong skippedEntries = new AtomicLong();

	WriteJournal(RedisConnectionFactory connectionFactory, CacheValueSerializer serializer, String keyPrefix,
			String cacheName, String instanceId, Duration appendTimeout, BooleanSupplier redisAvailable) {
		this.connectionFactory = connectionFactory;
		this.appendTimeout = appendTimeout;
		this.redisAvailable = redisAvailable;
		this.serializer = serializer;
		this.streamPrefix = keyPrefix + "multilevel-cache:wb:" + cacheName + ":";
		this.ownerPrefix = keyPrefix + "multilevel-cache:wb-owner:";
		this.instanceId = instanceId;
		this.stream = bytes(this.streamPrefix + instanceId);
	}

	/**
	 * Appends an accepted write; returns once Redis has it.
	 * @return the entry id, to delete once the writer committed
	 * @throws IllegalStateException when Redis did not take it within the timeout (the
	 * caller writes through)
	 */
	String append(Object key, @Nullable Object value, boolean delete) {
		if (!this.redisAvailable.getAsBoolean()) {
			throw new IllegalStateException("Redis is unavailable (circuit breaker open)");
		}
		Map<byte[], byte[]> fields = new LinkedHashMap<>();
		fields.put(KEY, this.serializer.serialize(key));
		fields.put(VALUE, (value != null && !delete) ? this.serializer.serialize(value) : new byte[0]);
		fields.put(DELETE, bytes(delete ? "1" : (value != null) ? "0" : "n"));
		fields.put(TIME, bytes(Long.toString(System.currentTimeMillis())));
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			if (connection instanceof LettuceConnection lettuce) {
				return bounded(lettuce.getNativeConnection().xadd(this.stream, fields));
			}
			RecordId id = connection.streamCommands().xAdd(StreamRecords.newRecord().in(this.stream).ofMap(fields));
			return id.getValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while journaling a write-behind write", ex);
		}
		catch (ExecutionException | TimeoutException | RuntimeException ex) {
			throw new IllegalStateException("Could not journal a write-behind write: " + ex, ex);
		}
	}

	/**
	 * Waits for a command of the write path at most the cache's Redis timeout (Lettuce's
	 * own command timeout is a minute).
	 */
	private <T> T bounded(Future<T> command) throws InterruptedException, ExecutionException, TimeoutException {
		return command.get(this.appendTimeout.toNanos(), TimeUnit.NANOSECONDS);
	}

	/**
	 * Forgets entries the writer committed.
	 */
	void committed(List<String> ids) {
		if (ids.isEmpty() || !this.redisAvailable.getAsBoolean()) {
			// without Redis the entries stay; a replay after a crash writes them again
			// (idempotently), skipping keys whose cached value is newer
			return;
		}
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			if (connection instanceof LettuceConnection lettuce) {
				bounded(lettuce.getNativeConnection().xdel(this.stream, ids.toArray(new String[0])));
			}
			else {
				connection.streamCommands().xDel(this.stream, ids.toArray(new String[0]));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException | RuntimeException ex) {
			logger.warn("Could not remove committed write-behind journal entries; they will be replayed "
					+ "(idempotently) after a crash: " + ex);
		}
	}

	/**
	 * Keeps this instance's journal owned (call well within {@link #OWNER_TTL}).
	 */
	void heartbeat() {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			connection.stringCommands()
				.set(bytes(this.ownerPrefix + this.instanceId), bytes("1"), Expiration.from(OWNER_TTL),
						SetOption.upsert());
		}
	}

	/**
	 * Replays the journals of instances that are gone.
	 * @param writer applies a batch: entries in journal order, coalesced per key
	 * @param cachedWriteTime write time of the value the cache holds now for a key, 0
	 * when none
	 * @return how many entries were replayed
	 */
	int replayOrphans(Function<List<PendingWrite>, Boolean> writer, ToLongFunction<Object> cachedWriteTime) {
		int replayed = 0;
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			List<byte[]> streams = new ArrayList<>();
			ScanOptions options = ScanOptions.scanOptions().match(this.streamPrefix + "*").count(500).build();
			try (Cursor<byte[]> cursor = connection.keyCommands().scan(options)) {
				cursor.forEachRemaining(streams::add);
			}
			for (byte[] stream : streams) {
				String name = new String(stream, StandardCharsets.UTF_8);
				String owner = name.substring(this.streamPrefix.length());
				if (owner.equals(this.instanceId) || owner.endsWith(":claim")
						|| Boolean.TRUE.equals(connection.keyCommands().exists(bytes(this.ownerPrefix + owner)))) {
					this.suspects.remove(name);
					continue;
				}
				long now = System.nanoTime();
				Long firstSeen = this.suspects.putIfAbsent(name, now);
				if (firstSeen == null || now - firstSeen < ORPHAN_CHECK.toNanos() * 9 / 10) {
					// seen without an owner for the first time: a live owner late with
					// its renewal gets one more check
					continue;
				}
				this.suspects.remove(name);
				byte[] claim = bytes(name + ":claim");
				if (!Boolean.TRUE.equals(connection.stringCommands()
					.set(claim, bytes(this.instanceId), Expiration.from(Duration.ofMinutes(1)),
							SetOption.ifAbsent()))) {
					continue;
				}
				try {
					replayed += replay(connection, stream, writer, cachedWriteTime);
				}
				finally {
					connection.keyCommands().del(claim);
				}
			}
		}
		return replayed;
	}

	private int replay(RedisConnection connection, byte[] stream, Function<List<PendingWrite>, Boolean> writer,
			ToLongFunction<Object> cachedWriteTime) {
		List<ByteRecord> records = connection.streamCommands().xRange(stream, Range.unbounded());
		if (records == null || records.isEmpty()) {
			connection.keyCommands().del(stream);
			return 0;
		}
		LinkedHashMap<Object, PendingWrite> latest = new LinkedHashMap<>();
		Map<Object, Long> times = new LinkedHashMap<>();
		long version = 0;
		int corrupt = 0;
		for (ByteRecord record : records) {
			Map<byte[], byte[]> fields = record.getValue();
			Object key;
			Object value;
			String kind;
			long time;
			try {
				kind = new String(field(fields, DELETE), StandardCharsets.UTF_8);
				if (!"0".equals(kind) && !"1".equals(kind) && !"n".equals(kind)) {
					throw new IllegalArgumentException("unknown kind '" + kind + "'");
				}
				key = this.serializer.deserialize(field(fields, KEY));
				value = ("0".equals(kind)) ? this.serializer.deserialize(field(fields, VALUE)) : null;
				time = Long.parseLong(new String(field(fields, TIME), StandardCharsets.UTF_8));
			}
			catch (RuntimeException ex) {
				// one unreadable entry must not keep every other entry of the journal
				// from being replayed (the replay would fail and be retried forever)
				corrupt++;
				this.skippedEntries.incrementAndGet();
				logger.warn("Skipped corrupt write-behind journal entry " + record.getId() + " of "
						+ new String(stream, StandardCharsets.UTF_8) + ": " + ex);
				continue;
			}
			latest.remove(key);
			latest.put(key, new PendingWrite(key, value, "1".equals(kind), ++version));
			times.put(key, time);
		}
		List<PendingWrite> batch = new ArrayList<>();
		for (PendingWrite write : latest.values()) {
			if (cachedWriteTime.applyAsLong(write.key()) <= times.get(write.key())) {
				batch.add(write);
			}
		}
		if (!batch.isEmpty() && !writer.apply(batch)) {
			return 0;
		}
		connection.keyCommands().del(stream);
		logger.info("Replayed " + batch.size() + " write-behind write(s) journaled by a stopped instance ("
				+ (latest.size() - batch.size()) + " superseded by newer cached values, " + corrupt
				+ " corrupt entries skipped)");
		return batch.size();
	}

	/**
	 * How many unreadable journal entries replays skipped (each logged at WARN).
	 */
	long skippedEntries() {
		return this.skippedEntries.get();
	}

	private static byte[] field(Map<byte[], byte[]> fields, byte[] name) {
		for (Map.Entry<byte[], byte[]> entry : fields.entrySet()) {
			if (java.util.Arrays.equals(entry.getKey(), name)) {
				return entry.getValue();
			}
		}
		return new byte[0];
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
