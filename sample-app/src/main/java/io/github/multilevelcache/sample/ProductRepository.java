package io.github.multilevelcache.sample;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The catalogue table, with an artificial delay on reads and a count of them, so that
 * what the cache saves is visible.
 */
@Repository
public class ProductRepository {

	private final JdbcClient jdbc;

	private final CatalogueProperties properties;

	private final AtomicLong reads = new AtomicLong();

	ProductRepository(JdbcClient jdbc, CatalogueProperties properties) {
		this.jdbc = jdbc;
		this.properties = properties;
	}

	public Optional<Product> findById(long id) {
		this.reads.incrementAndGet();
		simulateLatency();
		return this.jdbc.sql("SELECT id, name, price FROM catalogue_product WHERE id = :id")
			.param("id", id)
			.query(Product.class)
			.optional();
	}

	@Transactional
	public Product save(Product product) {
		int updated = this.jdbc.sql("UPDATE catalogue_product SET name = :name, price = :price WHERE id = :id")
			.param("name", product.name())
			.param("price", product.price())
			.param("id", product.id())
			.update();
		if (updated == 0) {
			this.jdbc.sql("INSERT INTO catalogue_product (id, name, price) VALUES (:id, :name, :price)")
				.param("id", product.id())
				.param("name", product.name())
				.param("price", product.price())
				.update();
		}
		return product;
	}

	public boolean deleteById(long id) {
		return this.jdbc.sql("DELETE FROM catalogue_product WHERE id = :id").param("id", id).update() > 0;
	}

	public long count() {
		return this.jdbc.sql("SELECT COUNT(*) FROM catalogue_product").query(Long.class).single();
	}

	@Transactional
	public void seed(int products) {
		for (long id = 1; id <= products; id++) {
			this.jdbc.sql("INSERT INTO catalogue_product (id, name, price) VALUES (:id, :name, :price)")
				.param("id", id)
				.param("name", "Product " + id)
				.param("price", BigDecimal.valueOf(100 + id % 900, 2))
				.update();
		}
	}

	/**
	 * How many reads reached the database since start-up.
	 * @return the count
	 */
	public long reads() {
		return this.reads.get();
	}

	private void simulateLatency() {
		long millis = this.properties.databaseDelay().toMillis();
		if (millis > 0) {
			try {
				Thread.sleep(millis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
