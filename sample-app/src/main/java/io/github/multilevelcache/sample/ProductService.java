package io.github.multilevelcache.sample;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * Cache-aside over the catalogue: reads through the {@code products} cache (one loader
 * per key across the JVM with {@code sync = true}), writes update the database and then
 * the cache, which tells the other instances to drop their copy.
 */
@Service
public class ProductService {

	private final ProductRepository repository;

	ProductService(ProductRepository repository) {
		this.repository = repository;
	}

	/**
	 * A product, or {@code null} (cached too, for a short while) when there is none.
	 */
	@Cacheable(cacheNames = "products", sync = true)
	public Product find(long id) {
		return this.repository.findById(id).orElse(null);
	}

	@CachePut(cacheNames = "products", key = "#product.id")
	public Product save(Product product) {
		return this.repository.save(product);
	}

	@CacheEvict(cacheNames = "products")
	public boolean delete(long id) {
		return this.repository.deleteById(id);
	}

}
