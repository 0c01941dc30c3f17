package io.github.multilevelcache.sample;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Fills an empty catalogue with demo products at start-up.
 */
@Component
class CatalogueSeeder implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(CatalogueSeeder.class);

	private final ProductRepository repository;

	private final CatalogueProperties properties;

	CatalogueSeeder(ProductRepository repository, CatalogueProperties properties) {
		this.repository = repository;
		this.properties = properties;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (this.repository.count() == 0) {
			this.repository.seed(this.properties.seedProducts());
			logger.info("Seeded the catalogue with " + this.properties.seedProducts() + " products");
		}
	}

}
