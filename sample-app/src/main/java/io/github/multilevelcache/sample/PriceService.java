package io.github.multilevelcache.sample;

import java.math.BigDecimal;

import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * Prices through a write-through cache: {@code setPrice} only returns the new price; the
 * cache's {@link PriceWriter} writes it to the database before either cache level
 * changes, so a database failure leaves the cached price as it was.
 */
@Service
public class PriceService {

	private final ProductRepository repository;

	PriceService(ProductRepository repository) {
		this.repository = repository;
	}

	@Cacheable(cacheNames = "prices", sync = true)
	public BigDecimal price(long id) {
		return this.repository.findById(id).map(Product::price).orElse(null);
	}

	@CachePut(cacheNames = "prices", key = "#id")
	public BigDecimal setPrice(long id, BigDecimal price) {
		return price;
	}

}
