package dev.lossc.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The register tile of {@code --simd}'s {@code gemm}, measured to choose it: C[m, 1024] = A[m, 1024]
 * B[1024, 1024] (m = 48, a multiple of every tile height) with B packed into panels of
 * {@code depth} rows by two 8-lane vectors (AVX-512), and tiles of four, six or eight rows of C
 * summed in registers (8, 12 or 16 vector accumulators). The product is 2 × 48 × 1024² = 101 MFLOP.
 * Two variants of the four-by-three tile place it: without packing (B always the same cached
 * panel: what the tile does alone) and with B packed a block of rows at a time. Four rows by four
 * vectors (sixteen accumulators, four loads and four broadcasts per sixteen fused multiply-adds) is
 * what the generator emits; run with {@code -p depth=128,192,256} to compare panel depths.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class SimdForms {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_512;
    static final int M = 48;
    static final int N = 1024;
    static final int K = 1024;

    @Param({"256"})
    int depth;

    double[] a;
    double[] b;
    double[] c;
    double[] panel;
    double[] wide;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        a = rnd.doubles(M * N).toArray();
        b = rnd.doubles(N * K).toArray();
        c = new double[M * K];
        panel = new double[1024 * 24];
        wide = new double[depth * K];
        for (int i = 0; i < panel.length; i++) {
            panel[i] = b[i];
        }
    }

    @Benchmark
    public double[] fourRows() {
        return product(4);
    }

    @Benchmark
    public double[] sixRows() {
        return product(6);
    }

    @Benchmark
    public double[] eightRows() {
        return product(8);
    }

    /** Four rows by three vectors (twelve accumulators, three loads and four broadcasts per step); the last 16 columns by {@code tile4}. */
    @Benchmark
    public double[] fourRowsThreeVectors() {
        java.util.Arrays.fill(c, 0.0);
        for (int s0 = 0; s0 < N; s0 += depth) {
            int d = Math.min(depth, N - s0);
            int j = 0;
            for (; j + 24 <= K; j += 24) {
                for (int s = 0; s < d; s++) {
                    System.arraycopy(b, (s0 + s) * K + j, panel, s * 24, 24);
                }
                for (int i = 0; i < M; i += 4) {
                    tile4x3(d, a, i * N + s0, N, panel, 0, c, i * K + j, K);
                }
            }
            for (; j + 16 <= K; j += 16) {
                for (int s = 0; s < d; s++) {
                    System.arraycopy(b, (s0 + s) * K + j, panel, s * 16, 16);
                }
                for (int i = 0; i < M; i += 4) {
                    tile4(d, a, i * N + s0, N, panel, 0, c, i * K + j, K);
                }
            }
        }
        return c;
    }

    /** Four rows by four vectors (sixteen accumulators): 1024 columns are 32 panels of 32, none left over. */
    @Benchmark
    public double[] fourRowsFourVectors() {
        java.util.Arrays.fill(c, 0.0);
        for (int s0 = 0; s0 < N; s0 += depth) {
            int d = Math.min(depth, N - s0);
            for (int j = 0; j < K; j += 32) {
                for (int s = 0; s < d; s++) {
                    System.arraycopy(b, (s0 + s) * K + j, panel, s * 32, 32);
                }
                for (int i = 0; i < M; i += 4) {
                    tile4x4(d, a, i * N + s0, N, panel, c, i * K + j, K);
                }
            }
        }
        return c;
    }

    /** {@link #fourRowsFourVectors} without packing: every tile over the same cached panel (what the tile does alone). */
    @Benchmark
    public double[] fourRowsFourVectorsNoPacking() {
        java.util.Arrays.fill(c, 0.0);
        for (int s0 = 0; s0 < N; s0 += depth) {
            int d = Math.min(depth, N - s0);
            for (int j = 0; j < K; j += 32) {
                for (int i = 0; i < M; i += 4) {
                    tile4x4(d, a, i * N + s0, N, panel, c, i * K + j, K);
                }
            }
        }
        return c;
    }

    /**
     * {@link #fourRowsThreeVectors} without packing: every tile sums over the same panel (filled
     * once), so the same multiply-adds run with B in the first-level cache. What the tile itself
     * does, against what the product does with B coming from memory.
     */
    @Benchmark
    public double[] fourRowsThreeVectorsNoPacking() {
        java.util.Arrays.fill(c, 0.0);
        for (int s0 = 0; s0 < N; s0 += depth) {
            int d = Math.min(depth, N - s0);
            int j = 0;
            for (; j + 24 <= K; j += 24) {
                for (int i = 0; i < M; i += 4) {
                    tile4x3(d, a, i * N + s0, N, panel, 0, c, i * K + j, K);
                }
            }
            for (; j + 16 <= K; j += 16) {
                for (int i = 0; i < M; i += 4) {
                    tile4(d, a, i * N + s0, N, panel, 0, c, i * K + j, K);
                }
            }
        }
        return c;
    }

    /**
     * {@link #fourRowsThreeVectors} with B packed a block of rows at a time: rows s0 .. s0 + depth
     * of B, read along (each row once, in order), into one panel per 24 columns, then every tile
     * over them (the last 16 columns packed and summed as there).
     */
    @Benchmark
    public double[] fourRowsThreeVectorsPackedByRows() {
        java.util.Arrays.fill(c, 0.0);
        int threes = K / 24;
        for (int s0 = 0; s0 < N; s0 += depth) {
            int d = Math.min(depth, N - s0);
            for (int s = 0; s < d; s++) {
                int row = (s0 + s) * K;
                for (int q = 0; q < threes; q++) {
                    System.arraycopy(b, row + q * 24, wide, q * d * 24 + s * 24, 24);
                }
                System.arraycopy(b, row + threes * 24, wide, threes * d * 24 + s * 16, 16);
            }
            for (int q = 0; q < threes; q++) {
                for (int i = 0; i < M; i += 4) {
                    tile4x3(d, a, i * N + s0, N, wide, q * d * 24, c, i * K + q * 24, K);
                }
            }
            for (int i = 0; i < M; i += 4) {
                tile4(d, a, i * N + s0, N, wide, threes * d * 24, c, i * K + threes * 24, K);
            }
        }
        return c;
    }

    private double[] product(int rows) {
        java.util.Arrays.fill(c, 0.0);
        for (int s0 = 0; s0 < N; s0 += depth) {
            int d = Math.min(depth, N - s0);
            for (int j = 0; j < K; j += 16) {
                for (int s = 0; s < d; s++) {
                    System.arraycopy(b, (s0 + s) * K + j, panel, s * 16, 16);
                }
                for (int i = 0; i < M; i += rows) {
                    int a0 = i * N + s0;
                    int c0 = i * K + j;
                    switch (rows) {
                        case 4 -> tile4(d, a, a0, N, panel, 0, c, c0, K);
                        case 6 -> tile6(d, a, a0, N, panel, 0, c, c0, K);
                        default -> tile8(d, a, a0, N, panel, 0, c, c0, K);
                    }
                }
            }
        }
        return c;
    }

    private static void tile4(int depth, double[] a, int a0, int ais, double[] panel, int p0, double[] c, int c0, int ldc) {
        DoubleVector z = DoubleVector.zero(S);
        DoubleVector c00 = z, c01 = z;
        DoubleVector c10 = z, c11 = z;
        DoubleVector c20 = z, c21 = z;
        DoubleVector c30 = z, c31 = z;
        for (int s = 0, t = p0, x = a0; s < depth; s++, t += 16, x++) {
            DoubleVector b0 = DoubleVector.fromArray(S, panel, t);
            DoubleVector b1 = DoubleVector.fromArray(S, panel, t + 8);
            DoubleVector v;
            v = DoubleVector.broadcast(S, a[x + 0 * ais]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = DoubleVector.broadcast(S, a[x + 1 * ais]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = DoubleVector.broadcast(S, a[x + 2 * ais]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = DoubleVector.broadcast(S, a[x + 3 * ais]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
        }
        DoubleVector.fromArray(S, c, c0 + 0 * ldc).add(c00).intoArray(c, c0 + 0 * ldc);
        DoubleVector.fromArray(S, c, c0 + 0 * ldc + 8).add(c01).intoArray(c, c0 + 0 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc).add(c10).intoArray(c, c0 + 1 * ldc);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc + 8).add(c11).intoArray(c, c0 + 1 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc).add(c20).intoArray(c, c0 + 2 * ldc);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc + 8).add(c21).intoArray(c, c0 + 2 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc).add(c30).intoArray(c, c0 + 3 * ldc);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc + 8).add(c31).intoArray(c, c0 + 3 * ldc + 8);
    }

    private static void tile6(int depth, double[] a, int a0, int ais, double[] panel, int p0, double[] c, int c0, int ldc) {
        DoubleVector z = DoubleVector.zero(S);
        DoubleVector c00 = z, c01 = z;
        DoubleVector c10 = z, c11 = z;
        DoubleVector c20 = z, c21 = z;
        DoubleVector c30 = z, c31 = z;
        DoubleVector c40 = z, c41 = z;
        DoubleVector c50 = z, c51 = z;
        for (int s = 0, t = p0, x = a0; s < depth; s++, t += 16, x++) {
            DoubleVector b0 = DoubleVector.fromArray(S, panel, t);
            DoubleVector b1 = DoubleVector.fromArray(S, panel, t + 8);
            DoubleVector v;
            v = DoubleVector.broadcast(S, a[x + 0 * ais]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = DoubleVector.broadcast(S, a[x + 1 * ais]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = DoubleVector.broadcast(S, a[x + 2 * ais]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = DoubleVector.broadcast(S, a[x + 3 * ais]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = DoubleVector.broadcast(S, a[x + 4 * ais]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = DoubleVector.broadcast(S, a[x + 5 * ais]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
        }
        DoubleVector.fromArray(S, c, c0 + 0 * ldc).add(c00).intoArray(c, c0 + 0 * ldc);
        DoubleVector.fromArray(S, c, c0 + 0 * ldc + 8).add(c01).intoArray(c, c0 + 0 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc).add(c10).intoArray(c, c0 + 1 * ldc);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc + 8).add(c11).intoArray(c, c0 + 1 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc).add(c20).intoArray(c, c0 + 2 * ldc);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc + 8).add(c21).intoArray(c, c0 + 2 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc).add(c30).intoArray(c, c0 + 3 * ldc);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc + 8).add(c31).intoArray(c, c0 + 3 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 4 * ldc).add(c40).intoArray(c, c0 + 4 * ldc);
        DoubleVector.fromArray(S, c, c0 + 4 * ldc + 8).add(c41).intoArray(c, c0 + 4 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 5 * ldc).add(c50).intoArray(c, c0 + 5 * ldc);
        DoubleVector.fromArray(S, c, c0 + 5 * ldc + 8).add(c51).intoArray(c, c0 + 5 * ldc + 8);
    }

    private static void tile8(int depth, double[] a, int a0, int ais, double[] panel, int p0, double[] c, int c0, int ldc) {
        DoubleVector z = DoubleVector.zero(S);
        DoubleVector c00 = z, c01 = z;
        DoubleVector c10 = z, c11 = z;
        DoubleVector c20 = z, c21 = z;
        DoubleVector c30 = z, c31 = z;
        DoubleVector c40 = z, c41 = z;
        DoubleVector c50 = z, c51 = z;
        DoubleVector c60 = z, c61 = z;
        DoubleVector c70 = z, c71 = z;
        for (int s = 0, t = p0, x = a0; s < depth; s++, t += 16, x++) {
            DoubleVector b0 = DoubleVector.fromArray(S, panel, t);
            DoubleVector b1 = DoubleVector.fromArray(S, panel, t + 8);
            DoubleVector v;
            v = DoubleVector.broadcast(S, a[x + 0 * ais]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = DoubleVector.broadcast(S, a[x + 1 * ais]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = DoubleVector.broadcast(S, a[x + 2 * ais]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = DoubleVector.broadcast(S, a[x + 3 * ais]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = DoubleVector.broadcast(S, a[x + 4 * ais]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = DoubleVector.broadcast(S, a[x + 5 * ais]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            v = DoubleVector.broadcast(S, a[x + 6 * ais]);
            c60 = v.fma(b0, c60);
            c61 = v.fma(b1, c61);
            v = DoubleVector.broadcast(S, a[x + 7 * ais]);
            c70 = v.fma(b0, c70);
            c71 = v.fma(b1, c71);
        }
        DoubleVector.fromArray(S, c, c0 + 0 * ldc).add(c00).intoArray(c, c0 + 0 * ldc);
        DoubleVector.fromArray(S, c, c0 + 0 * ldc + 8).add(c01).intoArray(c, c0 + 0 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc).add(c10).intoArray(c, c0 + 1 * ldc);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc + 8).add(c11).intoArray(c, c0 + 1 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc).add(c20).intoArray(c, c0 + 2 * ldc);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc + 8).add(c21).intoArray(c, c0 + 2 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc).add(c30).intoArray(c, c0 + 3 * ldc);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc + 8).add(c31).intoArray(c, c0 + 3 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 4 * ldc).add(c40).intoArray(c, c0 + 4 * ldc);
        DoubleVector.fromArray(S, c, c0 + 4 * ldc + 8).add(c41).intoArray(c, c0 + 4 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 5 * ldc).add(c50).intoArray(c, c0 + 5 * ldc);
        DoubleVector.fromArray(S, c, c0 + 5 * ldc + 8).add(c51).intoArray(c, c0 + 5 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 6 * ldc).add(c60).intoArray(c, c0 + 6 * ldc);
        DoubleVector.fromArray(S, c, c0 + 6 * ldc + 8).add(c61).intoArray(c, c0 + 6 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 7 * ldc).add(c70).intoArray(c, c0 + 7 * ldc);
        DoubleVector.fromArray(S, c, c0 + 7 * ldc + 8).add(c71).intoArray(c, c0 + 7 * ldc + 8);
    }

    private static void tile4x3(int depth, double[] a, int a0, int ais, double[] panel, int p0, double[] c, int c0, int ldc) {
        DoubleVector z = DoubleVector.zero(S);
        DoubleVector c00 = z, c01 = z, c02 = z;
        DoubleVector c10 = z, c11 = z, c12 = z;
        DoubleVector c20 = z, c21 = z, c22 = z;
        DoubleVector c30 = z, c31 = z, c32 = z;
        for (int s = 0, t = p0, x = a0; s < depth; s++, t += 24, x++) {
            DoubleVector b0 = DoubleVector.fromArray(S, panel, t);
            DoubleVector b1 = DoubleVector.fromArray(S, panel, t + 8);
            DoubleVector b2 = DoubleVector.fromArray(S, panel, t + 16);
            DoubleVector v;
            v = DoubleVector.broadcast(S, a[x + 0 * ais]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            c02 = v.fma(b2, c02);
            v = DoubleVector.broadcast(S, a[x + 1 * ais]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            c12 = v.fma(b2, c12);
            v = DoubleVector.broadcast(S, a[x + 2 * ais]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            c22 = v.fma(b2, c22);
            v = DoubleVector.broadcast(S, a[x + 3 * ais]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            c32 = v.fma(b2, c32);
        }
        DoubleVector.fromArray(S, c, c0 + 0 * ldc + 0).add(c00).intoArray(c, c0 + 0 * ldc + 0);
        DoubleVector.fromArray(S, c, c0 + 0 * ldc + 8).add(c01).intoArray(c, c0 + 0 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 0 * ldc + 16).add(c02).intoArray(c, c0 + 0 * ldc + 16);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc + 0).add(c10).intoArray(c, c0 + 1 * ldc + 0);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc + 8).add(c11).intoArray(c, c0 + 1 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc + 16).add(c12).intoArray(c, c0 + 1 * ldc + 16);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc + 0).add(c20).intoArray(c, c0 + 2 * ldc + 0);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc + 8).add(c21).intoArray(c, c0 + 2 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc + 16).add(c22).intoArray(c, c0 + 2 * ldc + 16);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc + 0).add(c30).intoArray(c, c0 + 3 * ldc + 0);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc + 8).add(c31).intoArray(c, c0 + 3 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc + 16).add(c32).intoArray(c, c0 + 3 * ldc + 16);
    }

    private static void tile4x4(int depth, double[] a, int a0, int ais, double[] panel, double[] c, int c0, int ldc) {
        DoubleVector z = DoubleVector.zero(S);
        DoubleVector c00 = z, c01 = z, c02 = z, c03 = z;
        DoubleVector c10 = z, c11 = z, c12 = z, c13 = z;
        DoubleVector c20 = z, c21 = z, c22 = z, c23 = z;
        DoubleVector c30 = z, c31 = z, c32 = z, c33 = z;
        for (int s = 0, t = 0, x = a0; s < depth; s++, t += 32, x++) {
            DoubleVector b0 = DoubleVector.fromArray(S, panel, t);
            DoubleVector b1 = DoubleVector.fromArray(S, panel, t + 8);
            DoubleVector b2 = DoubleVector.fromArray(S, panel, t + 16);
            DoubleVector b3 = DoubleVector.fromArray(S, panel, t + 24);
            DoubleVector v;
            v = DoubleVector.broadcast(S, a[x]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            c02 = v.fma(b2, c02);
            c03 = v.fma(b3, c03);
            v = DoubleVector.broadcast(S, a[x + ais]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            c12 = v.fma(b2, c12);
            c13 = v.fma(b3, c13);
            v = DoubleVector.broadcast(S, a[x + 2 * ais]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            c22 = v.fma(b2, c22);
            c23 = v.fma(b3, c23);
            v = DoubleVector.broadcast(S, a[x + 3 * ais]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            c32 = v.fma(b2, c32);
            c33 = v.fma(b3, c33);
        }
        DoubleVector.fromArray(S, c, c0 + 0 * ldc + 0).add(c00).intoArray(c, c0 + 0 * ldc + 0);
        DoubleVector.fromArray(S, c, c0 + 0 * ldc + 8).add(c01).intoArray(c, c0 + 0 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 0 * ldc + 16).add(c02).intoArray(c, c0 + 0 * ldc + 16);
        DoubleVector.fromArray(S, c, c0 + 0 * ldc + 24).add(c03).intoArray(c, c0 + 0 * ldc + 24);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc + 0).add(c10).intoArray(c, c0 + 1 * ldc + 0);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc + 8).add(c11).intoArray(c, c0 + 1 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc + 16).add(c12).intoArray(c, c0 + 1 * ldc + 16);
        DoubleVector.fromArray(S, c, c0 + 1 * ldc + 24).add(c13).intoArray(c, c0 + 1 * ldc + 24);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc + 0).add(c20).intoArray(c, c0 + 2 * ldc + 0);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc + 8).add(c21).intoArray(c, c0 + 2 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc + 16).add(c22).intoArray(c, c0 + 2 * ldc + 16);
        DoubleVector.fromArray(S, c, c0 + 2 * ldc + 24).add(c23).intoArray(c, c0 + 2 * ldc + 24);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc + 0).add(c30).intoArray(c, c0 + 3 * ldc + 0);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc + 8).add(c31).intoArray(c, c0 + 3 * ldc + 8);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc + 16).add(c32).intoArray(c, c0 + 3 * ldc + 16);
        DoubleVector.fromArray(S, c, c0 + 3 * ldc + 24).add(c33).intoArray(c, c0 + 3 * ldc + 24);
    }
}
