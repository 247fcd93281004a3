package dev.lossc.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Which Java loop forms HotSpot's C2 turns into vector code, for the product the large networks
 * spend their time in: C[m, k] = A[m, n] @ B[n, k], p-outer axpy order, as the code generator
 * emits it. Measured to choose the generator's layout, not guessed:
 * <ul>
 *   <li>{@code flat}: what lossc emits today, every matrix in one flat array at an offset
 *       ({@code c[i * k + j] += a * b[p * k + j]});
 *   <li>{@code flatHoisted}: the same with row offsets hoisted into locals;
 *   <li>{@code rowArrays}: each row its own {@code double[]}, the inner loop
 *       {@code c[j] += a * b[j]} with a bare index;
 *   <li>{@code rowArraysFromFlat}: row arrays for C and B, B's rows copied in from a flat array
 *       on every call (what a generator keeping the flat {@code parameters()} contract would pay).
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class MatmulForms {
    @Param({"64"})
    int m;

    @Param({"1024"})
    int n;

    @Param({"1024"})
    int k;

    double[] aFlat;
    double[] bFlat;
    double[] cFlat;
    double[][] aRows;
    double[][] bRows;
    double[][] cRows;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        aFlat = new double[m * n];
        bFlat = new double[n * k];
        cFlat = new double[m * k];
        for (int i = 0; i < aFlat.length; i++) {
            aFlat[i] = rnd.nextDouble();
        }
        for (int i = 0; i < bFlat.length; i++) {
            bFlat[i] = rnd.nextDouble();
        }
        aRows = new double[m][n];
        bRows = new double[n][k];
        cRows = new double[m][k];
        for (int i = 0; i < m; i++) {
            System.arraycopy(aFlat, i * n, aRows[i], 0, n);
        }
        for (int p = 0; p < n; p++) {
            System.arraycopy(bFlat, p * k, bRows[p], 0, k);
        }
    }

    @Benchmark
    public double[] flat() {
        double[] a = aFlat;
        double[] b = bFlat;
        double[] c = cFlat;
        for (int i = 0; i < m * k; i++) {
            c[i] = 0.0;
        }
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < m; i++) {
                double x = a[i * n + p];
                for (int j = 0; j < k; j++) {
                    c[i * k + j] += x * b[p * k + j];
                }
            }
        }
        return c;
    }

    @Benchmark
    public double[] flatHoisted() {
        double[] a = aFlat;
        double[] b = bFlat;
        double[] c = cFlat;
        java.util.Arrays.fill(c, 0.0);
        for (int p = 0; p < n; p++) {
            int bo = p * k;
            for (int i = 0; i < m; i++) {
                double x = a[i * n + p];
                int co = i * k;
                for (int j = 0; j < k; j++) {
                    c[co + j] += x * b[bo + j];
                }
            }
        }
        return c;
    }

    @Benchmark
    public double[][] rowArrays() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        for (int p = 0; p < n; p++) {
            double[] b = bRows[p];
            for (int i = 0; i < m; i++) {
                double x = aRows[i][p];
                double[] c = cRows[i];
                for (int j = 0; j < k; j++) {
                    c[j] += x * b[j];
                }
            }
        }
        return cRows;
    }

    /** Row arrays, four rows of C per pass over a row of B: each b[j] loaded once for four updates. */
    @Benchmark
    public double[][] rowArraysFourRows() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        for (int p = 0; p < n; p++) {
            double[] b = bRows[p];
            int i = 0;
            for (; i + 3 < m; i += 4) {
                double a0 = aRows[i][p];
                double a1 = aRows[i + 1][p];
                double a2 = aRows[i + 2][p];
                double a3 = aRows[i + 3][p];
                double[] c0 = cRows[i];
                double[] c1 = cRows[i + 1];
                double[] c2 = cRows[i + 2];
                double[] c3 = cRows[i + 3];
                for (int j = 0; j < k; j++) {
                    double bj = b[j];
                    c0[j] += a0 * bj;
                    c1[j] += a1 * bj;
                    c2[j] += a2 * bj;
                    c3[j] += a3 * bj;
                }
            }
            for (; i < m; i++) {
                double a = aRows[i][p];
                double[] c = cRows[i];
                for (int j = 0; j < k; j++) {
                    c[j] += a * b[j];
                }
            }
        }
        return cRows;
    }

    /**
     * Row arrays, four rows of B per pass over a row of C: one destination, four sources, so C's
     * rows are read and written a quarter as often (the sum over p is then grouped by fours).
     */
    @Benchmark
    public double[][] rowArraysFourSources() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        int p = 0;
        for (; p + 3 < n; p += 4) {
            double[] b0 = bRows[p];
            double[] b1 = bRows[p + 1];
            double[] b2 = bRows[p + 2];
            double[] b3 = bRows[p + 3];
            for (int i = 0; i < m; i++) {
                double[] ar = aRows[i];
                double a0 = ar[p];
                double a1 = ar[p + 1];
                double a2 = ar[p + 2];
                double a3 = ar[p + 3];
                double[] c = cRows[i];
                for (int j = 0; j < k; j++) {
                    c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                }
            }
        }
        for (; p < n; p++) {
            double[] b = bRows[p];
            for (int i = 0; i < m; i++) {
                double a = aRows[i][p];
                double[] c = cRows[i];
                for (int j = 0; j < k; j++) {
                    c[j] += a * b[j];
                }
            }
        }
        return cRows;
    }

    @Benchmark
    public double[][] rowArraysFromFlat() {
        for (int p = 0; p < n; p++) {
            System.arraycopy(bFlat, p * k, bRows[p], 0, k);
        }
        return rowArrays();
    }

    @Param({"256"})
    int jb;

    /** Four sources, columns in blocks of {@code jb}: C's block stays in cache across p. */
    @Benchmark
    public double[][] blockedFourSources() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        for (int j0 = 0; j0 < k; j0 += jb) {
            int j1 = Math.min(k, j0 + jb);
            int p = 0;
            for (; p + 3 < n; p += 4) {
                double[] b0 = bRows[p];
                double[] b1 = bRows[p + 1];
                double[] b2 = bRows[p + 2];
                double[] b3 = bRows[p + 3];
                for (int i = 0; i < m; i++) {
                    double[] ar = aRows[i];
                    double a0 = ar[p];
                    double a1 = ar[p + 1];
                    double a2 = ar[p + 2];
                    double a3 = ar[p + 3];
                    double[] c = cRows[i];
                    for (int j = j0; j < j1; j++) {
                        c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                    }
                }
            }
            for (; p < n; p++) {
                double[] b = bRows[p];
                for (int i = 0; i < m; i++) {
                    double a = aRows[i][p];
                    double[] c = cRows[i];
                    for (int j = j0; j < j1; j++) {
                        c[j] += a * b[j];
                    }
                }
            }
        }
        return cRows;
    }

    /** As {@link #blockedFourSources}, each sum in the order of p: the same bits as {@link #rowArrays}. */
    @Benchmark
    public double[][] blockedFourSourcesInOrder() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        for (int j0 = 0; j0 < k; j0 += jb) {
            int j1 = Math.min(k, j0 + jb);
            int p = 0;
            for (; p + 3 < n; p += 4) {
                double[] b0 = bRows[p];
                double[] b1 = bRows[p + 1];
                double[] b2 = bRows[p + 2];
                double[] b3 = bRows[p + 3];
                for (int i = 0; i < m; i++) {
                    double[] ar = aRows[i];
                    double a0 = ar[p];
                    double a1 = ar[p + 1];
                    double a2 = ar[p + 2];
                    double a3 = ar[p + 3];
                    double[] c = cRows[i];
                    for (int j = j0; j < j1; j++) {
                        c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                    }
                }
            }
            for (; p < n; p++) {
                double[] b = bRows[p];
                for (int i = 0; i < m; i++) {
                    double a = aRows[i][p];
                    double[] c = cRows[i];
                    for (int j = j0; j < j1; j++) {
                        c[j] += a * b[j];
                    }
                }
            }
        }
        return cRows;
    }

    /** Eight sources, columns in blocks of {@code jb}. */
    @Benchmark
    public double[][] blockedEightSources() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        for (int j0 = 0; j0 < k; j0 += jb) {
            int j1 = Math.min(k, j0 + jb);
            for (int p = 0; p + 7 < n; p += 8) {
                double[] b0 = bRows[p];
                double[] b1 = bRows[p + 1];
                double[] b2 = bRows[p + 2];
                double[] b3 = bRows[p + 3];
                double[] b4 = bRows[p + 4];
                double[] b5 = bRows[p + 5];
                double[] b6 = bRows[p + 6];
                double[] b7 = bRows[p + 7];
                for (int i = 0; i < m; i++) {
                    double[] ar = aRows[i];
                    double a0 = ar[p];
                    double a1 = ar[p + 1];
                    double a2 = ar[p + 2];
                    double a3 = ar[p + 3];
                    double a4 = ar[p + 4];
                    double a5 = ar[p + 5];
                    double a6 = ar[p + 6];
                    double a7 = ar[p + 7];
                    double[] c = cRows[i];
                    for (int j = j0; j < j1; j++) {
                        c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
                                + a4 * b4[j] + a5 * b5[j] + a6 * b6[j] + a7 * b7[j];
                    }
                }
            }
        }
        return cRows;
    }

    /** Eight sources, each sum in the order of p (the same bits as {@link #rowArrays}), columns in blocks of {@code jb}. */
    @Benchmark
    public double[][] blockedEightSourcesInOrder() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        for (int j0 = 0; j0 < k; j0 += jb) {
            int j1 = Math.min(k, j0 + jb);
            for (int p = 0; p + 7 < n; p += 8) {
                double[] b0 = bRows[p];
                double[] b1 = bRows[p + 1];
                double[] b2 = bRows[p + 2];
                double[] b3 = bRows[p + 3];
                double[] b4 = bRows[p + 4];
                double[] b5 = bRows[p + 5];
                double[] b6 = bRows[p + 6];
                double[] b7 = bRows[p + 7];
                for (int i = 0; i < m; i++) {
                    double[] ar = aRows[i];
                    double a0 = ar[p];
                    double a1 = ar[p + 1];
                    double a2 = ar[p + 2];
                    double a3 = ar[p + 3];
                    double a4 = ar[p + 4];
                    double a5 = ar[p + 5];
                    double a6 = ar[p + 6];
                    double a7 = ar[p + 7];
                    double[] c = cRows[i];
                    for (int j = j0; j < j1; j++) {
                        c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
                                + a4 * b4[j] + a5 * b5[j] + a6 * b6[j] + a7 * b7[j];
                    }
                }
            }
        }
        return cRows;
    }

    /** Four sources with Math.fma, columns in blocks of {@code jb}. */
    @Benchmark
    public double[][] blockedFmaFourSources() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        for (int j0 = 0; j0 < k; j0 += jb) {
            int j1 = Math.min(k, j0 + jb);
            for (int p = 0; p + 3 < n; p += 4) {
                double[] b0 = bRows[p];
                double[] b1 = bRows[p + 1];
                double[] b2 = bRows[p + 2];
                double[] b3 = bRows[p + 3];
                for (int i = 0; i < m; i++) {
                    double[] ar = aRows[i];
                    double a0 = ar[p];
                    double a1 = ar[p + 1];
                    double a2 = ar[p + 2];
                    double a3 = ar[p + 3];
                    double[] c = cRows[i];
                    for (int j = j0; j < j1; j++) {
                        c[j] = Math.fma(a3, b3[j], Math.fma(a2, b2[j], Math.fma(a1, b1[j], Math.fma(a0, b0[j], c[j]))));
                    }
                }
            }
        }
        return cRows;
    }

    // The weight gradient's forms, C = Aᵀ B, are in WeightGradientForms.

    @Param({"16"})
    int ib;

    /**
     * As {@link #blockedFourSourcesInOrder} with B left in its flat array (the parameters), read at
     * hoisted row offsets, and only C in row arrays: whether B's rows need copying for C2 to
     * vectorize the loop.
     */
    @Benchmark
    public double[][] blockedFourSourcesFlatB() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        double[] b = bFlat;
        for (int j0 = 0; j0 < k; j0 += jb) {
            int j1 = Math.min(k, j0 + jb);
            int p = 0;
            for (; p + 3 < n; p += 4) {
                int o0 = p * k;
                int o1 = o0 + k;
                int o2 = o1 + k;
                int o3 = o2 + k;
                for (int i = 0; i < m; i++) {
                    double[] ar = aRows[i];
                    double a0 = ar[p];
                    double a1 = ar[p + 1];
                    double a2 = ar[p + 2];
                    double a3 = ar[p + 3];
                    double[] c = cRows[i];
                    for (int j = j0; j < j1; j++) {
                        c[j] = c[j] + a0 * b[o0 + j] + a1 * b[o1 + j] + a2 * b[o2 + j] + a3 * b[o3 + j];
                    }
                }
            }
        }
        return cRows;
    }

    /** As {@link #blockedFourSourcesInOrder}, rows of C in blocks of {@code ib} too: a block of C small enough for L1. */
    @Benchmark
    public double[][] tiledFourSourcesInOrder() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        for (int j0 = 0; j0 < k; j0 += jb) {
            int j1 = Math.min(k, j0 + jb);
            for (int i0 = 0; i0 < m; i0 += ib) {
                int i1 = Math.min(m, i0 + ib);
                for (int p = 0; p + 3 < n; p += 4) {
                    double[] b0 = bRows[p];
                    double[] b1 = bRows[p + 1];
                    double[] b2 = bRows[p + 2];
                    double[] b3 = bRows[p + 3];
                    for (int i = i0; i < i1; i++) {
                        double[] ar = aRows[i];
                        double a0 = ar[p];
                        double a1 = ar[p + 1];
                        double a2 = ar[p + 2];
                        double a3 = ar[p + 3];
                        double[] c = cRows[i];
                        for (int j = j0; j < j1; j++) {
                            c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                        }
                    }
                }
            }
        }
        return cRows;
    }
}
