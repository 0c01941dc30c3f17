package io.github.multilevelcache;

import java.util.Collection;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The outcome of {@link MultiLevelCache#warm(Collection, Function, BooleanSupplier)} for
 * one batch.
 *
 * @param fromRedis keys whose value Redis held
 * @param loaded keys this call's loader (or another instance holding the lease) provided
 * @param failed keys whose loader threw
 */
public record WarmedBatch(int fromRedis, int loaded, int failed) {

}
