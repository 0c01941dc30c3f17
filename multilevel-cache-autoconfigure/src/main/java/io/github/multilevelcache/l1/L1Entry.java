package io.github.multilevelcache.l1;

/**
 * One L1 entry: the store value ({@code NullValue.INSTANCE} for a cached {@code null}) with the metadata of
 * the Redis envelope it came from.
 *
 * @param storeValue the value as the cache stores it
 * @param writtenAt epoch millis of the write
 * @param expiresAt epoch millis when the entry expires in L2, {@code 0} when it does not
 * @param loadMillis how long the loader took, 0 if unknown
 * @param deadlineNanos ticker time after which L1 must not serve the entry (set by {@link L1Cache})
 */
public record L1Entry(Object storeValue, long writtenAt, long expiresAt, int loadMillis, long deadlineNanos) {

	public static L1Entry of(Object storeValue, long writtenAt, long expiresAt, int loadMillis) {
		return new L1Entry(storeValue, writtenAt, expiresAt, loadMillis, Long.MAX_VALUE);
	}

	L1Entry withDeadline(long deadlineNanos) {
		return new L1Entry(this.storeValue, this.writtenAt, this.expiresAt, this.loadMillis, deadlineNanos);
	}

}
