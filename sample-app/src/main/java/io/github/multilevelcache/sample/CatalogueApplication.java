package io.github.multilevelcache.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cache.annotation.EnableCaching;

/**
 * A product catalogue that shows multilevel-cache at work: run it, then watch the
 * {@code X-Cache-Source} header of {@code GET /products/{id}} move from {@code database}
 * to {@code L1}, and start a second instance to see invalidation between them.
 */
@SpringBootApplication
@EnableCaching
@EnableConfigurationProperties(CatalogueProperties.class)
public class CatalogueApplication {

	public static void main(String[] args) {
		SpringApplication.run(CatalogueApplication.class, args);
	}

}
