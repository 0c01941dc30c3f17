package io.github.multilevelcache.sample;

import java.math.BigDecimal;

/**
 * A product of the catalogue, as stored in the database and in the cache.
 *
 * @param id the id
 * @param name the name
 * @param price the price
 */
public record Product(long id, String name, BigDecimal price) {
}
