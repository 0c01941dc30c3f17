/**
 * The product catalogue sample: a Boot application on an embedded H2 database whose
 * services use the plain Spring cache annotations over multilevel-cache.
 */
package io.github.multilevelcache.sample;
