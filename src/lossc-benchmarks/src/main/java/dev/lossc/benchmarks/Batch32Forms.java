package dev.lossc.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two products the 784-128-10 network spends its batch-32 step in, in the forms C2
 * vectorizes: the forward {@code X @ W1} (32 × 784 × 128, W1 read from the flat parameter array)
 * and the weight gradient {@code dW1 = transpose(X) @ dZ} (784 × 32 × 128, written into the flat
 * gradient). Every form adds over the shared index in the same order as the generated code, so
 * each gives the generated code's bits ({@code Batch32FormsTest}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class Batch32Forms {
    static final int M = 32;
    static final int N = 784;
    static final int K = 128;

    double[] x = new double[M * N];
    double[] w = new double[N * K];
    double[] dz = new double[M * K];
    double[] grad = new double[N * K];
    final double[][] bRows = new double[N][K];
    final double[][] cRows = new double[M][K];
    final double[][] panel = new double[8][K];
    final double[][] panel16 = new double[16][K];
    final double[][] dzRows = new double[M][K];
    final double[][] cRow = new double[1][K];
    final double[][] cTile = new double[32][K];

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (double[] a : new double[][] {x, w, dz}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextDouble() - 0.5;
            }
        }
    }

    /** The generated forward: all of W1's rows copied into row arrays, then four rows of it per pass. */
    @Benchmark
    public double[][] forwardWholeCopy() {
        double[] params = w;
        double[] X = x;
        for (int p = 0; p < N; p++) {
            System.arraycopy(params, p * K, bRows[p], 0, K);
        }
        for (int i = 0; i < M; i++) {
            Arrays.fill(cRows[i], 0.0);
        }
        for (int p = 0; p + 3 < N; p += 4) {
            double[] b0 = bRows[p];
            double[] b1 = bRows[p + 1];
            double[] b2 = bRows[p + 2];
            double[] b3 = bRows[p + 3];
            for (int i = 0; i < M; i++) {
                double[] c = cRows[i];
                double a0 = X[i * N + p];
                double a1 = X[i * N + p + 1];
                double a2 = X[i * N + p + 2];
                double a3 = X[i * N + p + 3];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                }
            }
        }
        return cRows;
    }

    /** Four rows of W1 copied into four scratch rows just before they are used. */
    @Benchmark
    public double[][] forwardPanel() {
        double[] params = w;
        double[] X = x;
        double[] b0 = panel[0];
        double[] b1 = panel[1];
        double[] b2 = panel[2];
        double[] b3 = panel[3];
        for (int i = 0; i < M; i++) {
            Arrays.fill(cRows[i], 0.0);
        }
        for (int p = 0; p + 3 < N; p += 4) {
            System.arraycopy(params, p * K, b0, 0, K);
            System.arraycopy(params, (p + 1) * K, b1, 0, K);
            System.arraycopy(params, (p + 2) * K, b2, 0, K);
            System.arraycopy(params, (p + 3) * K, b3, 0, K);
            for (int i = 0; i < M; i++) {
                double[] c = cRows[i];
                double a0 = X[i * N + p];
                double a1 = X[i * N + p + 1];
                double a2 = X[i * N + p + 2];
                double a3 = X[i * N + p + 3];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                }
            }
        }
        return cRows;
    }

    /** Eight rows of W1 per pass, copied into eight scratch rows just before they are used. */
    @Benchmark
    public double[][] forwardPanelEight() {
        double[] params = w;
        double[] X = x;
        double[] b0 = panel[0];
        double[] b1 = panel[1];
        double[] b2 = panel[2];
        double[] b3 = panel[3];
        double[] b4 = panel[4];
        double[] b5 = panel[5];
        double[] b6 = panel[6];
        double[] b7 = panel[7];
        for (int i = 0; i < M; i++) {
            Arrays.fill(cRows[i], 0.0);
        }
        for (int p = 0; p + 7 < N; p += 8) {
            System.arraycopy(params, p * K, b0, 0, K);
            System.arraycopy(params, (p + 1) * K, b1, 0, K);
            System.arraycopy(params, (p + 2) * K, b2, 0, K);
            System.arraycopy(params, (p + 3) * K, b3, 0, K);
            System.arraycopy(params, (p + 4) * K, b4, 0, K);
            System.arraycopy(params, (p + 5) * K, b5, 0, K);
            System.arraycopy(params, (p + 6) * K, b6, 0, K);
            System.arraycopy(params, (p + 7) * K, b7, 0, K);
            for (int i = 0; i < M; i++) {
                double[] c = cRows[i];
                int o = i * N + p;
                double a0 = X[o];
                double a1 = X[o + 1];
                double a2 = X[o + 2];
                double a3 = X[o + 3];
                double a4 = X[o + 4];
                double a5 = X[o + 5];
                double a6 = X[o + 6];
                double a7 = X[o + 7];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
                            + a4 * b4[j] + a5 * b5[j] + a6 * b6[j] + a7 * b7[j];
                }
            }
        }
        return cRows;
    }

    /** The generated weight gradient: dZ's rows copied, one row of dW1 at a time in a scratch row. */
    @Benchmark
    public double[] tnFour() {
        double[] X = x;
        for (int p = 0; p < M; p++) {
            System.arraycopy(dz, p * K, dzRows[p], 0, K);
        }
        for (int i = 0; i < N; i++) {
            double[] c = cRow[0];
            Arrays.fill(c, 0.0);
            for (int p = 0; p + 3 < M; p += 4) {
                double[] b0 = dzRows[p];
                double[] b1 = dzRows[p + 1];
                double[] b2 = dzRows[p + 2];
                double[] b3 = dzRows[p + 3];
                double a0 = X[p * N + i];
                double a1 = X[(p + 1) * N + i];
                double a2 = X[(p + 2) * N + i];
                double a3 = X[(p + 3) * N + i];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                }
            }
            System.arraycopy(c, 0, grad, i * K, K);
        }
        return grad;
    }

    /** The same with eight rows of dZ per pass. */
    @Benchmark
    public double[] tnEight() {
        double[] X = x;
        for (int p = 0; p < M; p++) {
            System.arraycopy(dz, p * K, dzRows[p], 0, K);
        }
        for (int i = 0; i < N; i++) {
            double[] c = cRow[0];
            Arrays.fill(c, 0.0);
            for (int p = 0; p + 7 < M; p += 8) {
                double[] b0 = dzRows[p];
                double[] b1 = dzRows[p + 1];
                double[] b2 = dzRows[p + 2];
                double[] b3 = dzRows[p + 3];
                double[] b4 = dzRows[p + 4];
                double[] b5 = dzRows[p + 5];
                double[] b6 = dzRows[p + 6];
                double[] b7 = dzRows[p + 7];
                double a0 = X[p * N + i];
                double a1 = X[(p + 1) * N + i];
                double a2 = X[(p + 2) * N + i];
                double a3 = X[(p + 3) * N + i];
                double a4 = X[(p + 4) * N + i];
                double a5 = X[(p + 5) * N + i];
                double a6 = X[(p + 6) * N + i];
                double a7 = X[(p + 7) * N + i];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
                            + a4 * b4[j] + a5 * b5[j] + a6 * b6[j] + a7 * b7[j];
                }
            }
            System.arraycopy(c, 0, grad, i * K, K);
        }
        return grad;
    }

    /**
     * {@code tnEight} in tiles of {@code rows} rows of dW1 (the generated form since 2026-12-07,
     * in tiles of 16): eight rows of dZ per pass over every row of the tile, so all of dZ is read
     * once per tile rather than once per row of dW1. The same sums in the same order.
     */
    double[] tnTiles(int rows) {
        double[] X = x;
        for (int p = 0; p < M; p++) {
            System.arraycopy(dz, p * K, dzRows[p], 0, K);
        }
        for (int i0 = 0; i0 < N; i0 += rows) {
            int i1 = Math.min(N, i0 + rows);
            for (int i = i0; i < i1; i++) {
                Arrays.fill(cTile[i - i0], 0.0);
            }
            for (int p = 0; p + 7 < M; p += 8) {
                double[] b0 = dzRows[p];
                double[] b1 = dzRows[p + 1];
                double[] b2 = dzRows[p + 2];
                double[] b3 = dzRows[p + 3];
                double[] b4 = dzRows[p + 4];
                double[] b5 = dzRows[p + 5];
                double[] b6 = dzRows[p + 6];
                double[] b7 = dzRows[p + 7];
                for (int i = i0; i < i1; i++) {
                    double[] c = cTile[i - i0];
                    double a0 = X[p * N + i];
                    double a1 = X[(p + 1) * N + i];
                    double a2 = X[(p + 2) * N + i];
                    double a3 = X[(p + 3) * N + i];
                    double a4 = X[(p + 4) * N + i];
                    double a5 = X[(p + 5) * N + i];
                    double a6 = X[(p + 6) * N + i];
                    double a7 = X[(p + 7) * N + i];
                    for (int j = 0; j < K; j++) {
                        c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
                                + a4 * b4[j] + a5 * b5[j] + a6 * b6[j] + a7 * b7[j];
                    }
                }
            }
            for (int i = i0; i < i1; i++) {
                System.arraycopy(cTile[i - i0], 0, grad, i * K, K);
            }
        }
        return grad;
    }

    /** {@code tnEight} in tiles of 16 rows of dW1 (the generated form). */
    @Benchmark
    public double[] tnEightTiles16() {
        return tnTiles(16);
    }

    /** {@code tnEight} in tiles of 32 rows of dW1 (the tile of wider rows). */
    @Benchmark
    public double[] tnEightTiles32() {
        return tnTiles(32);
    }

    /** {@code tnEight} in tiles of 8 rows of dW1. */
    @Benchmark
    public double[] tnEightTiles8() {
        return tnTiles(8);
    }

    /** Sixteen rows of W1 per pass, copied into sixteen scratch rows just before they are used. */
    @Benchmark
    public double[][] forwardPanelSixteen() {
        double[] params = w;
        double[] X = x;
        double[][] q = panel16;
        for (int i = 0; i < M; i++) {
            Arrays.fill(cRows[i], 0.0);
        }
        for (int p = 0; p + 15 < N; p += 16) {
            for (int r = 0; r < 16; r++) {
                System.arraycopy(params, (p + r) * K, q[r], 0, K);
            }
            double[] b0 = q[0], b1 = q[1], b2 = q[2], b3 = q[3], b4 = q[4], b5 = q[5], b6 = q[6], b7 = q[7];
            double[] b8 = q[8], b9 = q[9], b10 = q[10], b11 = q[11], b12 = q[12], b13 = q[13], b14 = q[14], b15 = q[15];
            for (int i = 0; i < M; i++) {
                double[] c = cRows[i];
                int o = i * N + p;
                double a0 = X[o], a1 = X[o + 1], a2 = X[o + 2], a3 = X[o + 3];
                double a4 = X[o + 4], a5 = X[o + 5], a6 = X[o + 6], a7 = X[o + 7];
                double a8 = X[o + 8], a9 = X[o + 9], a10 = X[o + 10], a11 = X[o + 11];
                double a12 = X[o + 12], a13 = X[o + 13], a14 = X[o + 14], a15 = X[o + 15];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
                            + a4 * b4[j] + a5 * b5[j] + a6 * b6[j] + a7 * b7[j]
                            + a8 * b8[j] + a9 * b9[j] + a10 * b10[j] + a11 * b11[j]
                            + a12 * b12[j] + a13 * b13[j] + a14 * b14[j] + a15 * b15[j];
                }
            }
        }
        return cRows;
    }

    /** The whole copy of the generated forward with eight rows of W1 per pass. */
    @Benchmark
    public double[][] forwardWholeCopyEight() {
        double[] params = w;
        double[] X = x;
        for (int p = 0; p < N; p++) {
            System.arraycopy(params, p * K, bRows[p], 0, K);
        }
        for (int i = 0; i < M; i++) {
            Arrays.fill(cRows[i], 0.0);
        }
        for (int p = 0; p + 7 < N; p += 8) {
            double[] b0 = bRows[p], b1 = bRows[p + 1], b2 = bRows[p + 2], b3 = bRows[p + 3];
            double[] b4 = bRows[p + 4], b5 = bRows[p + 5], b6 = bRows[p + 6], b7 = bRows[p + 7];
            for (int i = 0; i < M; i++) {
                double[] c = cRows[i];
                int o = i * N + p;
                double a0 = X[o], a1 = X[o + 1], a2 = X[o + 2], a3 = X[o + 3];
                double a4 = X[o + 4], a5 = X[o + 5], a6 = X[o + 6], a7 = X[o + 7];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
                            + a4 * b4[j] + a5 * b5[j] + a6 * b6[j] + a7 * b7[j];
                }
            }
        }
        return cRows;
    }

    /** The weight gradient with sixteen rows of dZ per pass. */
    @Benchmark
    public double[] tnSixteen() {
        double[] X = x;
        for (int p = 0; p < M; p++) {
            System.arraycopy(dz, p * K, dzRows[p], 0, K);
        }
        for (int i = 0; i < N; i++) {
            double[] c = cRow[0];
            Arrays.fill(c, 0.0);
            for (int p = 0; p + 15 < M; p += 16) {
                double[][] q = dzRows;
                double[] b0 = q[p], b1 = q[p + 1], b2 = q[p + 2], b3 = q[p + 3], b4 = q[p + 4], b5 = q[p + 5], b6 = q[p + 6], b7 = q[p + 7];
                double[] b8 = q[p + 8], b9 = q[p + 9], b10 = q[p + 10], b11 = q[p + 11], b12 = q[p + 12], b13 = q[p + 13], b14 = q[p + 14], b15 = q[p + 15];
                double a0 = X[p * N + i], a1 = X[(p + 1) * N + i], a2 = X[(p + 2) * N + i], a3 = X[(p + 3) * N + i];
                double a4 = X[(p + 4) * N + i], a5 = X[(p + 5) * N + i], a6 = X[(p + 6) * N + i], a7 = X[(p + 7) * N + i];
                double a8 = X[(p + 8) * N + i], a9 = X[(p + 9) * N + i], a10 = X[(p + 10) * N + i], a11 = X[(p + 11) * N + i];
                double a12 = X[(p + 12) * N + i], a13 = X[(p + 13) * N + i], a14 = X[(p + 14) * N + i], a15 = X[(p + 15) * N + i];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]
                            + a4 * b4[j] + a5 * b5[j] + a6 * b6[j] + a7 * b7[j]
                            + a8 * b8[j] + a9 * b9[j] + a10 * b10[j] + a11 * b11[j]
                            + a12 * b12[j] + a13 * b13[j] + a14 * b14[j] + a15 * b15[j];
                }
            }
            System.arraycopy(c, 0, grad, i * K, K);
        }
        return grad;
    }

    /** {@code forwardPanel} with its products added as a balanced tree before they join C. */
    @Benchmark
    public double[][] forwardPanelTree() {
        double[] params = w;
        double[] X = x;
        double[] b0 = panel[0];
        double[] b1 = panel[1];
        double[] b2 = panel[2];
        double[] b3 = panel[3];
        for (int i = 0; i < M; i++) {
            Arrays.fill(cRows[i], 0.0);
        }
        for (int p = 0; p + 3 < N; p += 4) {
            System.arraycopy(params, p * K, b0, 0, K);
            System.arraycopy(params, (p + 1) * K, b1, 0, K);
            System.arraycopy(params, (p + 2) * K, b2, 0, K);
            System.arraycopy(params, (p + 3) * K, b3, 0, K);
            for (int i = 0; i < M; i++) {
                double[] c = cRows[i];
                double a0 = X[i * N + p];
                double a1 = X[i * N + p + 1];
                double a2 = X[i * N + p + 2];
                double a3 = X[i * N + p + 3];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + ((a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]));
                }
            }
        }
        return cRows;
    }

    /** {@code forwardPanelEight} with its products added as a balanced tree before they join C. */
    @Benchmark
    public double[][] forwardPanelEightTree() {
        double[] params = w;
        double[] X = x;
        double[] b0 = panel[0];
        double[] b1 = panel[1];
        double[] b2 = panel[2];
        double[] b3 = panel[3];
        double[] b4 = panel[4];
        double[] b5 = panel[5];
        double[] b6 = panel[6];
        double[] b7 = panel[7];
        for (int i = 0; i < M; i++) {
            Arrays.fill(cRows[i], 0.0);
        }
        for (int p = 0; p + 7 < N; p += 8) {
            System.arraycopy(params, p * K, b0, 0, K);
            System.arraycopy(params, (p + 1) * K, b1, 0, K);
            System.arraycopy(params, (p + 2) * K, b2, 0, K);
            System.arraycopy(params, (p + 3) * K, b3, 0, K);
            System.arraycopy(params, (p + 4) * K, b4, 0, K);
            System.arraycopy(params, (p + 5) * K, b5, 0, K);
            System.arraycopy(params, (p + 6) * K, b6, 0, K);
            System.arraycopy(params, (p + 7) * K, b7, 0, K);
            for (int i = 0; i < M; i++) {
                double[] c = cRows[i];
                int o = i * N + p;
                double a0 = X[o];
                double a1 = X[o + 1];
                double a2 = X[o + 2];
                double a3 = X[o + 3];
                double a4 = X[o + 4];
                double a5 = X[o + 5];
                double a6 = X[o + 6];
                double a7 = X[o + 7];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + (((a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]))
                            + ((a4 * b4[j] + a5 * b5[j]) + (a6 * b6[j] + a7 * b7[j])));
                }
            }
        }
        return cRows;
    }

    /** {@code tnFour} with its products added as a balanced tree before they join C. */
    @Benchmark
    public double[] tnFourTree() {
        double[] X = x;
        for (int p = 0; p < M; p++) {
            System.arraycopy(dz, p * K, dzRows[p], 0, K);
        }
        for (int i = 0; i < N; i++) {
            double[] c = cRow[0];
            Arrays.fill(c, 0.0);
            for (int p = 0; p + 3 < M; p += 4) {
                double[] b0 = dzRows[p];
                double[] b1 = dzRows[p + 1];
                double[] b2 = dzRows[p + 2];
                double[] b3 = dzRows[p + 3];
                double a0 = X[p * N + i];
                double a1 = X[(p + 1) * N + i];
                double a2 = X[(p + 2) * N + i];
                double a3 = X[(p + 3) * N + i];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + ((a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]));
                }
            }
            System.arraycopy(c, 0, grad, i * K, K);
        }
        return grad;
    }

    /** {@code tnEight} with its products added as a balanced tree before they join C. */
    @Benchmark
    public double[] tnEightTree() {
        double[] X = x;
        for (int p = 0; p < M; p++) {
            System.arraycopy(dz, p * K, dzRows[p], 0, K);
        }
        for (int i = 0; i < N; i++) {
            double[] c = cRow[0];
            Arrays.fill(c, 0.0);
            for (int p = 0; p + 7 < M; p += 8) {
                double[] b0 = dzRows[p];
                double[] b1 = dzRows[p + 1];
                double[] b2 = dzRows[p + 2];
                double[] b3 = dzRows[p + 3];
                double[] b4 = dzRows[p + 4];
                double[] b5 = dzRows[p + 5];
                double[] b6 = dzRows[p + 6];
                double[] b7 = dzRows[p + 7];
                double a0 = X[p * N + i];
                double a1 = X[(p + 1) * N + i];
                double a2 = X[(p + 2) * N + i];
                double a3 = X[(p + 3) * N + i];
                double a4 = X[(p + 4) * N + i];
                double a5 = X[(p + 5) * N + i];
                double a6 = X[(p + 6) * N + i];
                double a7 = X[(p + 7) * N + i];
                for (int j = 0; j < K; j++) {
                    c[j] = c[j] + (((a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]))
                            + ((a4 * b4[j] + a5 * b5[j]) + (a6 * b6[j] + a7 * b7[j])));
                }
            }
            System.arraycopy(c, 0, grad, i * K, K);
        }
        return grad;
    }
}
