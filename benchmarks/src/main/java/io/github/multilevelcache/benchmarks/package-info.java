/**
 * Benchmarks of multilevel-cache against Spring's stock cache managers: JMH
 * micro-benchmarks for the hit paths and a multi-instance harness for everything that
 * needs several application instances on one Redis. Run
 * {@link io.github.multilevelcache.benchmarks.BenchmarkMain} (README, "Benchmarks").
 */
@NullMarked
package io.github.multilevelcache.benchmarks;

import org.jspecify.annotations.NullMarked;
