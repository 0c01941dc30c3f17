/**
 * Spring Boot auto-configuration, configuration properties and failure analysis.
 */
@NullMarked
package io.github.multilevelcache.autoconfigure;

import org.jspecify.annotations.NullMarked;
