package io.github.multilevelcache;

import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cached methods inside Spring-managed transactions (issue 16, item 7), with a real JDBC
 * transaction manager and two instances on one database: the cache changes only once the
 * transaction committed. H2 always; PostgreSQL on 127.0.0.1:5432 when it is reachable.
 */
@RedisTest
class TransactionIntegrationTests {

	private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "tx-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final String table = "tx_rows_" + UUID.randomUUID().toString().substring(0, 8);

	private final List<CacheInstance> instances = new ArrayList<>();

	private JdbcTemplate jdbc;

	@AfterEach
	void close() {
		if (this.jdbc != null) {
			this.jdbc.execute("DROP TABLE IF EXISTS " + this.table);
		}
		this.instances.forEach(CacheInstance::close);
	}

	private List<CacheInstance> start(String database) {
		String url = switch (database) {
			case "h2" -> "jdbc:h2:mem:" + this.table + ";DB_CLOSE_DELAY=-1";
			default -> POSTGRES;
		};
		if (!database.equals("h2")) {
			Assumptions.assumeTrue(reachable(url), "PostgreSQL is not reachable at " + url);
		}
		for (int i = 0; i < 2; i++) {
			this.instances.add(
					CacheInstance
						.start(this.redis, this.prefix, Map.of("rowTable", new RowTable(this.table)),
								new Class<?>[] { Rows.class }, "spring.datasource.url=" + url,
								"spring.datasource.username=" + (database.equals("h2") ? "sa" : "postgres"),
								"spring.datasource.password=", "spring.sql.init.mode=never")
						.awaitSubscribed());
		}
		this.jdbc = this.instances.get(0).bean(JdbcTemplate.class);
		this.jdbc.execute("CREATE TABLE " + this.table + " (id BIGINT PRIMARY KEY, version BIGINT NOT NULL)");
		this.jdbc.update("INSERT INTO " + this.table + " (id, version) VALUES (1, 1)");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.instances.get(0).bus().peers().size() == 1
					&& this.instances.get(1).bus().peers().size() == 1);
		return this.instances;
	}

	private static boolean reachable(String url) {
		try (var connection = DriverManager.getConnection(url, "postgres", "")) {
			return connection.isValid(2);
		}
		catch (Exception ex) {
			return false;
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "h2", "postgresql" })
	void aCachePutInATransactionThatRollsBackLeavesBothLevelsUnchanged(String database) {
		List<CacheInstance> both = start(database);
		RowService a = both.get(0).bean(RowService.class);
		RowService b = both.get(1).bean(RowService.class);
		assertThat(a.find(1)).isEqualTo(1);
		assertThat(b.find(1)).isEqualTo(1);
		TransactionTemplate transaction = both.get(0).bean(TransactionTemplate.class);
		transaction.executeWithoutResult((status) -> {
			assertThat(a.increment(1)).isEqualTo(2);
			status.setRollbackOnly();
		});
		assertThat(this.jdbc.queryForObject("SELECT version FROM " + this.table + " WHERE id = 1", Long.class))
			.isEqualTo(1);
		assertThat(a.find(1)).as("A's L1").isEqualTo(1);
		assertThat(b.find(1)).as("B's L1").isEqualTo(1);
		assertThat(both.get(0).cache("rows").get("probe")).isNull();
		assertThat(RedisTestSupport.holdsValue(this.redis, both.get(0).cache("rows").canonicalKey(1L))).isTrue();
		both.get(1).manager().invalidationTargets().invalidateCache("rows");
		assertThat(b.find(1)).as("Redis").isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "h2", "postgresql" })
	void aReaderOnAnotherInstanceDuringTheTransactionNeverKeepsThePreCommitRowAfterTheCommit(String database)
			throws Exception {
		List<CacheInstance> both = start(database);
		RowService a = both.get(0).bean(RowService.class);
		RowService b = both.get(1).bean(RowService.class);
		TransactionTemplate transaction = both.get(0).bean(TransactionTemplate.class);
		transaction.executeWithoutResult((status) -> {
			a.updateAndEvict(1);
			// before the commit B reads the committed row, 1, and caches it
			try {
				assertThat(CompletableFuture.supplyAsync(() -> b.find(1)).get(5, TimeUnit.SECONDS)).isEqualTo(1);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		// the evict ran after the commit: B's copy of the pre-commit row is gone,
		// everywhere
		await().atMost(Duration.ofSeconds(2)).until(() -> !both.get(1).inL1("rows", 1L));
		assertThat(b.find(1)).isEqualTo(2);
		assertThat(a.find(1)).isEqualTo(2);
	}

	@ParameterizedTest
	@ValueSource(strings = { "h2" })
	void anEvictFromAnAfterCommitCallbackIsApplied(String database) {
		List<CacheInstance> both = start(database);
		RowService a = both.get(0).bean(RowService.class);
		RowService b = both.get(1).bean(RowService.class);
		assertThat(b.find(1)).isEqualTo(1);
		assertThat(a.find(1)).isEqualTo(1);
		TransactionTemplate transaction = both.get(0).bean(TransactionTemplate.class);
		transaction.executeWithoutResult((status) -> {
			this.jdbc.update("UPDATE " + this.table + " SET version = 2 WHERE id = 1");
			// evicts once the commit is done, while the transaction's synchronization
			// is still active
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCommit() {
					a.evict(1);
				}

			});
		});
		assertThat(both.get(0).inL1("rows", 1L)).as("A's L1").isFalse();
		await().atMost(Duration.ofSeconds(2)).until(() -> !both.get(1).inL1("rows", 1L));
		assertThat(a.find(1)).isEqualTo(2);
		assertThat(b.find(1)).isEqualTo(2);
	}

	/**
	 * The table name of one test.
	 *
	 * @param name the table
	 */
	record RowTable(String name) {
	}

	@Configuration(proxyBeanMethods = false)
	static class Rows {

		@Bean
		RowService rowService(JdbcTemplate jdbc, RowTable table) {
			return new RowService(jdbc, table.name());
		}

	}

	/**
	 * A JDBC repository with cached reads, as applications write them.
	 */
	static class RowService {

		private final JdbcTemplate jdbc;

		private final String table;

		RowService(JdbcTemplate jdbc, String table) {
			this.jdbc = jdbc;
			this.table = table;
		}

		@Cacheable("rows")
		public Long find(long id) {
			return this.jdbc.queryForObject("SELECT version FROM " + this.table + " WHERE id = ?", Long.class, id);
		}

		@CachePut(cacheNames = "rows", key = "#id")
		public Long increment(long id) {
			this.jdbc.update("UPDATE " + this.table + " SET version = version + 1 WHERE id = ?", id);
			return this.jdbc.queryForObject("SELECT version FROM " + this.table + " WHERE id = ?", Long.class, id);
		}

		@CacheEvict(cacheNames = "rows", key = "#id")
		public void evict(long id) {
		}

		@CacheEvict(cacheNames = "rows", key = "#id")
		public void updateAndEvict(long id) {
			this.jdbc.update("UPDATE " + this.table + " SET version = version + 1 WHERE id = ?", id);
		}

	}

}
