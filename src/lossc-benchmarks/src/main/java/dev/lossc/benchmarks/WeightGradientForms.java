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
 * The weight gradient's product, C[n, k] = A[m, n]ᵀ @ B[m, k] (dW = Aᵀ dY, m the batch), into a
 * flat destination, in the forms C2 vectorizes ({@link MatmulForms} has the forward product's):
 * {@code tn}, one row of C at a time over all of B's rows, four per pass; {@code tnBlocked}, the
 * same in column blocks of {@code jb}; {@code tnEight}, eight rows of B per pass; {@code tnTiled},
 * C in tiles of {@code tb} rows (and column blocks of {@code jb}), eight of B's rows per pass over
 * every row of the tile, the form the generator writes when B is past the first-level cache. Every
 * form adds over p in order. Defaults: the 1024² MLP's {@code dW} at batch 64; 784-128-10's
 * {@code dW1} at batch 32 is {@code -p m=32 -p n=128 -p k=784} (nn.Linear's layout) or
 * {@code -p m=32 -p n=784 -p k=128}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class WeightGradientForms {
    @Param({"64"})
    int m;

    @Param({"1024"})
    int n;

    @Param({"1024"})
    int k;

    /** Columns per block in {@link #tnBlocked} and {@link #tnTiled}. */
    @Param({"512"})
    int jb;

    /** Rows of C a {@link #tnTiled} tile holds. */
    @Param({"32"})
    int tb;

    double[] aFlat;
    double[][] bRows;
    double[] cBig;
    double[] rowBuf;
    double[][] cTile;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        aFlat = new double[m * n];
        for (int i = 0; i < aFlat.length; i++) {
            aFlat[i] = rnd.nextDouble();
        }
        bRows = new double[m][k];
        for (double[] row : bRows) {
            for (int j = 0; j < k; j++) {
                row[j] = rnd.nextDouble();
            }
        }
        cBig = new double[n * k];
        rowBuf = new double[k];
        cTile = new double[tb][k];
    }

    @Benchmark
    public double[] tn() {
        return tnBlocked(k);
    }

    @Benchmark
    public double[] tnBlocked() {
        return tnBlocked(jb);
    }

    private double[] tnBlocked(int block) {
        for (int j0 = 0; j0 < k; j0 += block) {
            int j1 = Math.min(k, j0 + block);
            for (int i = 0; i < n; i++) {
                double[] c = rowBuf;
                java.util.Arrays.fill(c, j0, j1, 0.0);
                for (int p = 0; p + 3 < m; p += 4) {
                    double[] b0 = bRows[p];
                    double[] b1 = bRows[p + 1];
                    double[] b2 = bRows[p + 2];
                    double[] b3 = bRows[p + 3];
                    double a0 = aFlat[p * n + i];
                    double a1 = aFlat[(p + 1) * n + i];
                    double a2 = aFlat[(p + 2) * n + i];
                    double a3 = aFlat[(p + 3) * n + i];
                    for (int j = j0; j < j1; j++) {
                        c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                    }
                }
                System.arraycopy(c, j0, cBig, i * k + j0, j1 - j0);
            }
        }
        return cBig;
    }

    /** As {@link #tn}, eight of B's rows per pass over C's row, each sum still in the order of p. */
    @Benchmark
    public double[] tnEight() {
        for (int i = 0; i < n; i++) {
            double[] c = rowBuf;
            java.util.Arrays.fill(c, 0.0);
            for (int p = 0; p + 7 < m; p += 8) {
                double[] b0 = bRows[p];
                double[] b1 = bRows[p + 1];
                double[] b2 = bRows[p + 2];
                double[] b3 = bRows[p + 3];
                double[] b4 = bRows[p + 4];
                double[] b5 = bRows[p + 5];
                double[] b6 = bRows[p + 6];
                double[] b7 = bRows[p + 7];
                double a0 = aFlat[p * n + i];
                double a1 = aFlat[(p + 1) * n + i];
                double a2 = aFlat[(p + 2) * n + i];
                double a3 = aFlat[(p + 3) * n + i];
                double a4 = aFlat[(p + 4) * n + i];
                double a5 = aFlat[(p + 5) * n + i];
                double a6 = aFlat[(p + 6) * n + i];
                double a7 = aFlat[(p + 7) * n + i];
                for (int j = 0; j < k; j++) {
                    c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
                            + a4 * b4[j] + a5 * b5[j] + a6 * b6[j] + a7 * b7[j];
                }
            }
            System.arraycopy(c, 0, cBig, i * k, k);
        }
        return cBig;
    }

    /**
     * As {@link #tn}, C in tiles of {@code tb} rows by {@code jb} columns: eight of B's rows per pass
     * over every row of the tile (the shared-index-outer form of the forward product), so each
     * pass's rows of B are read from the first-level cache {@code tb} times, not once, and all of B
     * is read once per tile, not once per row of C. Each sum still adds over p in order.
     */
    @Benchmark
    public double[] tnTiled() {
        double[][] t = cTile;
        for (int i0 = 0; i0 < n; i0 += tb) {
            int i1 = Math.min(n, i0 + tb);
            for (int j0 = 0; j0 < k; j0 += jb) {
                int j1 = Math.min(k, j0 + jb);
                for (int i = i0; i < i1; i++) {
                    java.util.Arrays.fill(t[i - i0], j0, j1, 0.0);
                }
                int p = 0;
                for (; p + 7 < m; p += 8) {
                    double[] b0 = bRows[p];
                    double[] b1 = bRows[p + 1];
                    double[] b2 = bRows[p + 2];
                    double[] b3 = bRows[p + 3];
                    double[] b4 = bRows[p + 4];
                    double[] b5 = bRows[p + 5];
                    double[] b6 = bRows[p + 6];
                    double[] b7 = bRows[p + 7];
                    for (int i = i0; i < i1; i++) {
                        double[] c = t[i - i0];
                        double a0 = aFlat[p * n + i];
                        double a1 = aFlat[(p + 1) * n + i];
                        double a2 = aFlat[(p + 2) * n + i];
                        double a3 = aFlat[(p + 3) * n + i];
                        double a4 = aFlat[(p + 4) * n + i];
                        double a5 = aFlat[(p + 5) * n + i];
                        double a6 = aFlat[(p + 6) * n + i];
                        double a7 = aFlat[(p + 7) * n + i];
                        for (int j = j0; j < j1; j++) {
                            c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
                                    + a4 * b4[j] + a5 * b5[j] + a6 * b6[j] + a7 * b7[j];
                        }
                    }
                }
                for (int i = i0; i < i1; i++) {
                    System.arraycopy(t[i - i0], j0, cBig, i * k + j0, j1 - j0);
                }
            }
        }
        return cBig;
    }
}
