package dev.lossc.benchmarks;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One core's fused multiply-add peak, as Java reaches it: eight independent accumulators (two FMA
 * units of latency four need eight chains in flight), each updated by one vector {@code fma} per
 * step from registers, no memory traffic; with their six operands they take fourteen vector
 * registers, so they fit AVX2's sixteen as well as AVX-512's thirty-two (twelve accumulators, as
 * this benchmark had until 2026-12-07, spill on AVX2 and reported 17 GFLOP/s on a Zen 3 core that
 * does 44). {@value #STEPS} steps of eight FMAs on the widest vectors: {@code 2 × lanes × 8 × STEPS}
 * flop per call, so GFLOP/s is that over the time (scripts/tables.py divides by it for "share of
 * peak"). Every accumulator has its own pair
 * of operands, so no compiler can merge two chains into one (a peak kernel where it can reports
 * several times the truth). {@code scripts/peak.c} is the same kernel in C with AVX-512
 * (or AVX2) intrinsics, for the figure without the JVM.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class Peak {
    static final int STEPS = 10_000_000;
    /** Independent chains of FMAs per step. */
    static final int ACCUMULATORS = 8;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Operands from a field, so nothing is a compile-time constant. */
    double seed = 1e-9;

    /** Flop per call of {@link #fmaDouble()} on this CPU (16 per FMA with AVX-512, 8 with AVX2). */
    public static long doubleFlop() {
        return 2L * D.length() * ACCUMULATORS * STEPS;
    }

    public static long floatFlop() {
        return 2L * F.length() * ACCUMULATORS * STEPS;
    }

    @Benchmark
    public double fmaDouble() {
        DoubleVector b0 = DoubleVector.broadcast(D, seed);
        DoubleVector b1 = DoubleVector.broadcast(D, 2 * seed);
        DoubleVector b2 = DoubleVector.broadcast(D, 3 * seed);
        DoubleVector b3 = DoubleVector.broadcast(D, 4 * seed);
        DoubleVector v0 = DoubleVector.broadcast(D, 0.5);
        DoubleVector v1 = DoubleVector.broadcast(D, 0.25);
        DoubleVector z = DoubleVector.zero(D);
        DoubleVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        for (int s = 0; s < STEPS; s++) {
            c00 = v0.fma(b0, c00);
            c01 = v0.fma(b1, c01);
            c02 = v0.fma(b2, c02);
            c03 = v0.fma(b3, c03);
            c10 = v1.fma(b0, c10);
            c11 = v1.fma(b1, c11);
            c12 = v1.fma(b2, c12);
            c13 = v1.fma(b3, c13);
        }
        return c00.add(c01).add(c02).add(c03).add(c10).add(c11).add(c12).add(c13).reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    public float fmaFloat() {
        float f = (float) seed;
        FloatVector b0 = FloatVector.broadcast(F, f);
        FloatVector b1 = FloatVector.broadcast(F, 2 * f);
        FloatVector b2 = FloatVector.broadcast(F, 3 * f);
        FloatVector b3 = FloatVector.broadcast(F, 4 * f);
        FloatVector v0 = FloatVector.broadcast(F, 0.5f);
        FloatVector v1 = FloatVector.broadcast(F, 0.25f);
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        for (int s = 0; s < STEPS; s++) {
            c00 = v0.fma(b0, c00);
            c01 = v0.fma(b1, c01);
            c02 = v0.fma(b2, c02);
            c03 = v0.fma(b3, c03);
            c10 = v1.fma(b0, c10);
            c11 = v1.fma(b1, c11);
            c12 = v1.fma(b2, c12);
            c13 = v1.fma(b3, c13);
        }
        return c00.add(c01).add(c02).add(c03).add(c10).add(c11).add(c12).add(c13).reduceLanes(VectorOperators.ADD);
    }
}
