package io.github.multilevelcache;

/**
 * Whether calls may reach Redis now, and what their outcomes say about it: the one place
 * that knows the state of Redis (the circuit breaker), asked by {@link RedisLevel} before
 * every operation and told the outcome of each.
 */
interface Availability {

	/**
	 * Asks to make one call.
	 * @return {@code false} while Redis is considered unavailable (breaker open, or
	 * recovery running): the caller answers without touching Redis
	 */
	boolean tryPermit();

	/** A permitted call succeeded after {@code nanos}. */
	void succeeded(long nanos);

	/** A permitted call failed or timed out after {@code nanos}. */
	void failed(long nanos, Throwable failure);

	/** Whether calls currently reach Redis. */
	boolean isAvailable();

	/**
	 * The state for health and metrics: {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN},
	 * {@code RECOVERING}.
	 */
	String state();

	/** Calls refused without touching Redis so far. */
	long refusedCalls();

	/**
	 * How long the current outage has lasted, counted from the moment the breaker opened
	 * until the repair after it finished (so it still grows while the breaker is half
	 * open and its trial calls are let through).
	 * @return the duration in milliseconds, 0 when no outage is under way
	 */
	long unavailableMillis();

	/**
	 * No breaker: every call is permitted.
	 * @return the availability of a manager built without resilience settings
	 */
	static Availability always() {
		return new Availability() {

			@Override
			public boolean tryPermit() {
				return true;
			}

			@Override
			public void succeeded(long nanos) {
			}

			@Override
			public void failed(long nanos, Throwable failure) {
			}

			@Override
			public boolean isAvailable() {
				return true;
			}

			@Override
			public String state() {
				return "CLOSED";
			}

			@Override
			public long refusedCalls() {
				return 0;
			}

			@Override
			public long unavailableMillis() {
				return 0;
			}

		};
	}

}
