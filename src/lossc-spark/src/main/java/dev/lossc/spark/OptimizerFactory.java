package dev.lossc.spark;

import dev.lossc.runtime.Optimizer;

/**
 * Makes an optimizer of lossc-runtime for a parameter count ({@code n -> Adam.of(n, 1e-3)}).
 * Serializable, so that with {@link SparkTrainer#averageEvery} each partition makes its own.
 */
@FunctionalInterface
public interface OptimizerFactory extends java.util.function.IntFunction<Optimizer>, java.io.Serializable {}
