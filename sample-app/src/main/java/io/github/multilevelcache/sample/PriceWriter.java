package io.github.multilevelcache.sample;

import java.math.BigDecimal;

import io.github.multilevelcache.write.CacheWriter;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The database side of the write-through {@code prices} cache
 * ({@code multilevel-cache.caches.prices.writer=priceWriter}).
 */
@Component("priceWriter")
class PriceWriter implements CacheWriter<Long, BigDecimal> {

	private final JdbcClient jdbc;

	PriceWriter(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public void write(Long id, BigDecimal price) {
		int updated = this.jdbc.sql("UPDATE catalogue_product SET price = :price WHERE id = :id")
			.param("price", price)
			.param("id", id)
			.update();
		if (updated == 0) {
			throw new IllegalArgumentException("No product " + id);
		}
	}

	@Override
	public void delete(Long id) {
		// prices are not deleted on their own: evicting a price only drops it from the
		// cache
	}

}
