package io.github.multilevelcache;

/**
 * One entry of the in-process level: the store value ({@code NullValue.INSTANCE} for a
 * cached {@code null}) with the metadata of the Redis envelope it came from.
 *
 * @param storeValue the value as the cache stores it
 * @param writtenAt epoch millis of the write
 * @param expiresAt epoch millis when the entry expires in Redis, {@code 0} when it does
 * not
 * @param loadMillis how long the loader took, 0 if unknown
 * @param deadlineNanos ticker time after which the entry must not be served when that
 * comes before the level's own expiry, otherwise {@link Long#MAX_VALUE} (set by
 * {@link LocalLevel})
 */
record LocalEntry(Object storeValue, long writtenAt, long expiresAt, int loadMillis, long deadlineNanos) {

	static LocalEntry of(Object storeValue, long writtenAt, long expiresAt, int loadMillis) {
		return new LocalEntry(storeValue, writtenAt, expiresAt, loadMillis, Long.MAX_VALUE);
	}

	LocalEntry withDeadline(long deadlineNanos) {
		return new LocalEntry(this.storeValue, this.writtenAt, this.expiresAt, this.loadMillis, deadlineNanos);
	}

	static LocalEntry of(Envelope envelope, Object storeValue) {
		return of(storeValue, envelope.writtenAt(), envelope.expiresAt(), envelope.loadMillis());
	}

}
