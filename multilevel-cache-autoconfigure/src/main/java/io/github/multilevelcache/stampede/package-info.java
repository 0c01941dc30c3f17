/**
 * Stampede protection: per-key single-flight in the JVM.
 */
@NullMarked
package io.github.multilevelcache.stampede;

import org.jspecify.annotations.NullMarked;
