/**
 * The {@code multilevelcache} actuator endpoint and the health contribution.
 */
@NullMarked
package io.github.multilevelcache.actuate;

import org.jspecify.annotations.NullMarked;
