package io.github.multilevelcache.sample;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.multilevelcache.CacheLevel;
import io.github.multilevelcache.CacheStatistics;
import io.github.multilevelcache.MultiLevelCache;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST endpoints of the catalogue. Every product read says in the {@code X-Cache-Source}
 * header where the value came from: {@code L1} (this JVM), {@code L2} (Redis) or
 * {@code database}.
 */
@RestController
class ProductController {

	static final String SOURCE_HEADER = "X-Cache-Source";

	private final ProductService products;

	private final ProductRepository repository;

	private final CacheManager cacheManager;

	private final PriceService prices;

	private final ViewCounter views;

	private final ViewsWriter viewsWriter;

	ProductController(ProductService products, ProductRepository repository, CacheManager cacheManager,
			PriceService prices, ViewCounter views, ViewsWriter viewsWriter) {
		this.products = products;
		this.repository = repository;
		this.cacheManager = cacheManager;
		this.prices = prices;
		this.views = views;
		this.viewsWriter = viewsWriter;
	}

	@GetMapping("/products/{id}")
	ResponseEntity<Product> get(@PathVariable long id) {
		String source = source(id);
		Product product = this.products.find(id);
		if (product == null) {
			return ResponseEntity.status(404).header(SOURCE_HEADER, source).build();
		}
		long viewCount = this.views.view(id);
		return ResponseEntity.ok()
			.header(SOURCE_HEADER, source)
			.header("X-Views", Long.toString(viewCount))
			.body(product);
	}

	@GetMapping("/products/{id}/price")
	ResponseEntity<BigDecimal> price(@PathVariable long id) {
		BigDecimal price = this.prices.price(id);
		return (price != null) ? ResponseEntity.ok(price) : ResponseEntity.notFound().build();
	}

	/**
	 * Write-through: the new price is in the database before the cache holds it.
	 */
	@PutMapping("/products/{id}/price")
	BigDecimal setPrice(@PathVariable long id, @RequestBody BigDecimal price) {
		return this.prices.setPrice(id, price);
	}

	/**
	 * Write-behind: view counts as the cache has them, and as the database has them
	 * (behind by at most one flush interval).
	 */
	@GetMapping("/products/{id}/views")
	Map<String, Object> views(@PathVariable long id) {
		Cache.ValueWrapper cached = this.cacheManager.getCache("views").get(id);
		Map<String, Object> views = new LinkedHashMap<>();
		views.put("cache", (cached != null) ? cached.get() : null);
		views.put("database", this.viewsWriter.stored(id));
		views.put("databaseBatches", this.viewsWriter.batches());
		return views;
	}

	@PutMapping("/products/{id}")
	Product put(@PathVariable long id, @RequestBody ProductChange change) {
		return this.products.save(new Product(id, change.name(), change.price()));
	}

	@DeleteMapping("/products/{id}")
	ResponseEntity<Void> delete(@PathVariable long id) {
		return this.products.delete(id) ? ResponseEntity.noContent().build() : ResponseEntity.notFound().build();
	}

	@GetMapping("/cache/stats")
	Map<String, Object> stats() {
		MultiLevelCache cache = productsCache();
		CacheStatistics statistics = cache.getStatistics();
		Map<String, Object> stats = new LinkedHashMap<>();
		stats.put("l1Hits", statistics.l1Hits());
		stats.put("l1Size", statistics.l1Size());
		stats.put("l2Hits", statistics.l2Hits());
		stats.put("l2Misses", statistics.l2Misses());
		stats.put("loads", statistics.loads());
		stats.put("databaseReads", this.repository.reads());
		stats.put("l2Errors", statistics.l2Errors());
		return stats;
	}

	private String source(long id) {
		CacheLevel level = productsCache().locate(id);
		return (level != null) ? level.name() : "database";
	}

	private MultiLevelCache productsCache() {
		return (MultiLevelCache) this.cacheManager.getCache("products");
	}

	/**
	 * The body of {@code PUT /products/{id}}.
	 *
	 * @param name the new name
	 * @param price the new price
	 */
	record ProductChange(String name, BigDecimal price) {
	}

}
