package io.github.multilevelcache.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the demo itself.
 *
 * @param databaseDelay artificial latency added to every database read, so the effect of
 * each cache level is visible
 * @param seedProducts how many products to create in an empty database
 */
@ConfigurationProperties("catalogue")
public record CatalogueProperties(Duration databaseDelay, int seedProducts) {

	public CatalogueProperties {
		databaseDelay = (databaseDelay != null) ? databaseDelay : Duration.ofMillis(50);
		seedProducts = (seedProducts > 0) ? seedProducts : 1_000;
	}

}
