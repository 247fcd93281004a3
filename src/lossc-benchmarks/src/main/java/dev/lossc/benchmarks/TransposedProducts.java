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
 * C[m, k] = A[m, n] @ W[k, n]ᵀ, the product of PyTorch's {@code nn.Linear} layout, in the forms
 * the generator chose between, against the same product with W already laid out as its
 * transpose's rows ({@code plain}: {@link MatmulForms}'s {@code blockedFourSourcesInOrder}, the
 * kernel every form below runs once B's rows are in place). Every form sums over the shared index
 * in the same order, four at a time, in column blocks of 512.
 * <ul>
 *   <li>{@code wholeTranspose}: the previous code: W's transpose copied into row arrays first,
 *       eight of W's rows at a time (each write fills a cache line of a row);
 *   <li>{@code panels8}: what the generator writes: for each block of columns and each eight
 *       shared indices, a panel of eight rows gathered from a cache line of each of W's rows, one
 *       statement per panel row, then the rows of C pass over it;
 *   <li>{@code panelsLoop}: the same panel gathered by a loop over its rows;
 *   <li>{@code panels32}, {@code panels64}: deeper panels (four or eight cache lines of each row).
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class TransposedProducts {
    static final int BLOCK = 512;

    @Param({"64"})
    int m;

    @Param({"1024"})
    int n;

    @Param({"1024"})
    int k;

    double[] a;
    /** W [k, n], flat, as the class's parameters hold it. */
    double[] w;
    /** Wᵀ's rows: n rows of k. */
    double[][] bRows;
    double[][] cRows;
    double[][] panel;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        a = rnd.doubles((long) m * n).toArray();
        w = rnd.doubles((long) k * n).toArray();
        bRows = new double[n][k];
        for (int j = 0; j < k; j++) {
            for (int p = 0; p < n; p++) {
                bRows[p][j] = w[j * n + p];
            }
        }
        cRows = new double[m][k];
        panel = new double[64][k];
    }

    /** The kernel over B's rows in place: {@code c[j] = c[j] + a0 * b0[j] + … + a3 * b3[j]}. */
    private double[][] kernel() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        for (int j0 = 0; j0 < k; j0 += BLOCK) {
            int j1 = Math.min(k, j0 + BLOCK);
            for (int p = 0; p + 3 < n; p += 4) {
                double[] b0 = bRows[p];
                double[] b1 = bRows[p + 1];
                double[] b2 = bRows[p + 2];
                double[] b3 = bRows[p + 3];
                for (int i = 0; i < m; i++) {
                    double a0 = a[i * n + p];
                    double a1 = a[i * n + p + 1];
                    double a2 = a[i * n + p + 2];
                    double a3 = a[i * n + p + 3];
                    double[] c = cRows[i];
                    for (int j = j0; j < j1; j++) {
                        c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                    }
                }
            }
        }
        return cRows;
    }

    @Benchmark
    public double[][] plain() {
        return kernel();
    }

    @Benchmark
    public double[][] wholeTranspose() {
        for (int p0 = 0; p0 < k; p0 += 8) {
            int p1 = Math.min(k, p0 + 8);
            for (int j = 0; j < n; j++) {
                double[] row = bRows[j];
                for (int p = p0; p < p1; p++) {
                    row[p] = w[p * n + j];
                }
            }
        }
        return kernel();
    }

    /** Rows {@code h} to {@code h + 3} of the panel, shared indices {@code q} on, over every row of C. */
    private void fourRows(int h, int q, int j0, int j1) {
        double[] b0 = panel[h];
        double[] b1 = panel[h + 1];
        double[] b2 = panel[h + 2];
        double[] b3 = panel[h + 3];
        for (int i = 0; i < m; i++) {
            double a0 = a[i * n + q];
            double a1 = a[i * n + q + 1];
            double a2 = a[i * n + q + 2];
            double a3 = a[i * n + q + 3];
            double[] c = cRows[i];
            for (int j = j0; j < j1; j++) {
                c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
            }
        }
    }

    @Benchmark
    public double[][] panels8() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        double[] q0 = panel[0];
        double[] q1 = panel[1];
        double[] q2 = panel[2];
        double[] q3 = panel[3];
        double[] q4 = panel[4];
        double[] q5 = panel[5];
        double[] q6 = panel[6];
        double[] q7 = panel[7];
        for (int j0 = 0; j0 < k; j0 += BLOCK) {
            int j1 = Math.min(k, j0 + BLOCK);
            for (int p = 0; p + 7 < n; p += 8) {
                for (int j = j0; j < j1; j++) {
                    int o = j * n + p;
                    q0[j] = w[o];
                    q1[j] = w[o + 1];
                    q2[j] = w[o + 2];
                    q3[j] = w[o + 3];
                    q4[j] = w[o + 4];
                    q5[j] = w[o + 5];
                    q6[j] = w[o + 6];
                    q7[j] = w[o + 7];
                }
                fourRows(0, p, j0, j1);
                fourRows(4, p + 4, j0, j1);
            }
        }
        return cRows;
    }

    @Benchmark
    public double[][] panelsLoop() {
        return panels(8);
    }

    @Benchmark
    public double[][] panels32() {
        return panels(32);
    }

    @Benchmark
    public double[][] panels64() {
        return panels(64);
    }

    private double[][] panels(int depth) {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
        for (int j0 = 0; j0 < k; j0 += BLOCK) {
            int j1 = Math.min(k, j0 + BLOCK);
            for (int p = 0; p + depth - 1 < n; p += depth) {
                for (int j = j0; j < j1; j++) {
                    for (int h = 0; h < depth; h++) {
                        panel[h][j] = w[j * n + p + h];
                    }
                }
                for (int h = 0; h < depth; h += 4) {
                    fourRows(h, p + h, j0, j1);
                }
            }
        }
        return cRows;
    }
}
