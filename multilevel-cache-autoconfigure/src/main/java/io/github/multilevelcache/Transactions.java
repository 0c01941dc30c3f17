package io.github.multilevelcache;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;

/**
 * Defers the cache changes of a transaction-aware manager until the surrounding
 * Spring-managed transaction commits, as Spring's {@code TransactionAwareCacheDecorator}
 * does: a write inside a transaction that rolls back leaves the cache unchanged, and an
 * evict cannot let another instance reload the old row before the new one is committed.
 */
final class Transactions {

	private static final boolean TX_PRESENT = ClassUtils.isPresent(
			"org.springframework.transaction.support.TransactionSynchronizationManager",
			Transactions.class.getClassLoader());

	private final boolean enabled;

	Transactions(boolean enabled) {
		this.enabled = enabled && TX_PRESENT;
		if (this.enabled) {
			// initializes TransactionSynchronizationManager now, on the thread building
			// the manager: otherwise the first concurrent writes wait for its class
			// initialization, and a virtual thread waiting for one is pinned to its
			// carrier (on every JDK; JFR showed it in VirtualThreadIntegrationTests)
			TransactionSynchronizationManager.isSynchronizationActive();
		}
	}

	/**
	 * Whether changes made now must wait for a commit.
	 */
	boolean deferring() {
		return this.enabled && TransactionSynchronizationManager.isSynchronizationActive();
	}

	/**
	 * Runs {@code change} after the current transaction committed (never when it rolls
	 * back). It runs when the transaction completes, after every {@code afterCommit}
	 * callback: a change made from one of those (a {@code @TransactionalEventListener},
	 * which runs after the commit by default, or a change this class deferred itself) is
	 * deferred again while the synchronization is still active, and a synchronization
	 * registered during {@code afterCommit} only gets its {@code afterCompletion} called.
	 */
	static void afterCommit(Runnable change) {
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

			@Override
			public void afterCompletion(int status) {
				if (status == STATUS_COMMITTED) {
					change.run();
				}
			}

		});
	}

}
