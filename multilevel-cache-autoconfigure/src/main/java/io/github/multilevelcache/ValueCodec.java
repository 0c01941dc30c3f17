package io.github.multilevelcache;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import io.github.multilevelcache.serialization.CacheValueSerializer;
import io.github.multilevelcache.serialization.CorruptValueException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.support.NullValue;

/**
 * Turns store values into the bytes of one cache's Redis entries and back: the
 * {@link Envelope}, the serializer, and the TTL of each write (the null-value TTL for
 * {@code null}, otherwise the L2 TTL spread by the jitter).
 * <p>
 * A value whose type the serializer refuses (outside the allow-list) is not an error:
 * {@link #encode} returns an {@link Encoded} without bytes, the caller keeps the value in
 * L1 only, and the first refusal of each type is logged at WARN with the property that
 * would allow it. Bytes that do not decode are reported as {@link Read#corrupt}, never
 * thrown.
 */
final class ValueCodec {

	private static final Log logger = LogFactory.getLog(ValueCodec.class);

	private final String cacheName;

	private final CacheSettings settings;

	private final CacheValueSerializer serializer;

	private final Clock clock;

	private final CacheStatistics statistics;

	private final Set<String> refusedTypes;

	ValueCodec(String cacheName, CacheSettings settings, CacheValueSerializer serializer, Clock clock,
			CacheStatistics statistics, Set<String> refusedTypes) {
		this.cacheName = cacheName;
		this.settings = settings;
		this.serializer = serializer;
		this.clock = clock;
		this.statistics = statistics;
		this.refusedTypes = refusedTypes;
	}

	/** A set shared by a manager's codecs, so each refused type is logged once. */
	static Set<String> refusedTypesRegistry() {
		return ConcurrentHashMap.newKeySet();
	}

	/**
	 * Encodes a store value for one write.
	 * @param storeValue the value ({@link NullValue#INSTANCE} for a cached {@code null})
	 * @param loadMillis how long its loader took, 0 when it was not loaded
	 * @return the bytes (absent when the type may not be stored in Redis), the L1 entry
	 * and the TTL
	 */
	Encoded encode(Object storeValue, int loadMillis) {
		long now = this.clock.millis();
		long ttl = ttlMillis(storeValue);
		long expiresAt = (ttl > 0) ? now + ttl : 0;
		LocalEntry entry = LocalEntry.of(storeValue, now, expiresAt, loadMillis);
		if (storeValue == NullValue.INSTANCE) {
			return new Encoded(Envelope.nullValue(now, expiresAt, loadMillis).encode(), entry, ttl);
		}
		byte[] payload;
		try {
			payload = this.serializer.serialize(storeValue);
		}
		catch (IllegalArgumentException ex) {
			refused(storeValue, ex);
			return new Encoded(null, entry, ttl);
		}
		return new Encoded(Envelope.value(payload, now, expiresAt, loadMillis).encode(), entry, ttl);
	}

	private void refused(Object value, IllegalArgumentException ex) {
		this.statistics.countUnstorable();
		String type = value.getClass().getName();
		if (this.refusedTypes.add(type)) {
			logger.warn("Values of type " + type + " are cached in L1 only, not in Redis: " + ex.getMessage()
					+ " (add it to 'multilevel-cache.serialization.allowed-types' to store it in Redis; logged once "
					+ "per type)");
		}
	}

	/**
	 * A lease or fill guard holding {@code token}, valid for {@code ttlMillis}.
	 */
	byte[] placeholder(Envelope.Kind kind, String token, long ttlMillis) {
		long now = this.clock.millis();
		return Envelope.placeholder(kind, token, now, now + ttlMillis).encode();
	}

	/**
	 * Decodes what Redis returned for a key.
	 * @param bytes the bytes, {@code null} when the key is absent
	 * @return what they are
	 */
	Read decode(byte @Nullable [] bytes) {
		if (bytes == null) {
			return Read.ABSENT;
		}
		Envelope envelope;
		try {
			envelope = Envelope.decode(bytes);
		}
		catch (CorruptValueException ex) {
			return corrupt(bytes, ex);
		}
		switch (envelope.kind()) {
			case LEASE, GUARD:
				return new Read(envelope.kind(), null, bytes);
			case NULL:
				return new Read(Envelope.Kind.NULL, LocalEntry.of(envelope, NullValue.INSTANCE), bytes);
			default:
				try {
					return new Read(Envelope.Kind.VALUE,
							LocalEntry.of(envelope, this.serializer.deserialize(envelope.payload())), bytes);
				}
				catch (CorruptValueException ex) {
					return corrupt(bytes, ex);
				}
		}
	}

	private Read corrupt(byte[] bytes, CorruptValueException ex) {
		this.statistics.countCorrupt();
		if (logger.isDebugEnabled()) {
			logger
				.debug("Treating an undecodable value of cache '" + this.cacheName + "' as a miss: " + ex.getMessage());
		}
		return new Read(null, null, bytes);
	}

	/**
	 * The identity of the write an L1 entry came from, for the compare-and-set of
	 * refreshes.
	 */
	byte[] identity(LocalEntry entry) {
		Envelope.Kind kind = (entry.storeValue() == NullValue.INSTANCE) ? Envelope.Kind.NULL : Envelope.Kind.VALUE;
		return new Envelope(kind, entry.writtenAt(), entry.expiresAt(), entry.loadMillis(), new byte[0]).identity();
	}

	/**
	 * TTL of one write in milliseconds, 0 for none.
	 */
	long ttlMillis(Object storeValue) {
		if (storeValue == NullValue.INSTANCE) {
			return this.settings.nullValues().ttl().toMillis();
		}
		Duration ttl = this.settings.l2().ttl();
		if (ttl == null) {
			return 0;
		}
		double jitter = this.settings.l2().ttlJitter().fraction();
		if (jitter == 0) {
			return ttl.toMillis();
		}
		double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
		return Math.max(1, Math.round(ttl.toMillis() * factor));
	}

	/**
	 * One encoded write.
	 *
	 * @param bytes what to store in Redis, {@code null} when the value's type may not be
	 * stored there
	 * @param entry the matching L1 entry
	 * @param ttlMillis its time to live, 0 for none
	 */
	record Encoded(byte @Nullable [] bytes, LocalEntry entry, long ttlMillis) {
	}

	/**
	 * What a key held in Redis.
	 *
	 * @param kind {@code VALUE} or {@code NULL} with an entry, {@code LEASE} or
	 * {@code GUARD} for a placeholder, {@code null} for bytes that are not a value of
	 * ours (corrupt or foreign) or an absent key
	 * @param entry the decoded entry of a value
	 * @param raw the bytes as read, {@code null} when absent
	 */
	record Read(Envelope.@Nullable Kind kind, @Nullable LocalEntry entry, byte @Nullable [] raw) {

		static final Read ABSENT = new Read(null, null, null);

		boolean isValue() {
			return this.entry != null;
		}

		boolean isPlaceholder() {
			return this.kind == Envelope.Kind.LEASE || this.kind == Envelope.Kind.GUARD;
		}

		boolean isLease() {
			return this.kind == Envelope.Kind.LEASE;
		}

		boolean isCorrupt() {
			return this.kind == null && this.raw != null;
		}

	}

}
