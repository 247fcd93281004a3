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
 *   <li>{@code panels32}, {@code panels64}: deeper panels (four or eight cache lines of each row);
 *   <li>{@code wholeTransposeByColumn}, {@code wholeTransposeTiled}: the first packings, one column
 *       of W at a time or in 32 × 32 tiles;
 *   <li>{@code plainEight}, {@code panelsEight}, {@code panelsEightDeep}, {@code panelsEightDeepByGroup}:
 *       the generator's eight-term passes (2026-12-07): B's rows copied eight at a time (the
 *       {@code X @ W} form); a panel of one cache line of each of W's rows; a panel of {@code deep}
 *       shared indices gathered row of W by row of W; the same gathered a line of each row at a time
 *       (what the generator writes since, with 32). Their loops over a block whose bounds are not
 *       constants here are left scalar by JDK 17's C2 at its default {@code LoopUnrollLimit} (26 ms
 *       a product; the generated classes' loops vectorize), so these four fork with a higher limit;
 *   <li>{@code transposedResult}: Cᵀ = W Aᵀ over Aᵀ's rows, then C copied back from it (its sums
 *       group the terms by rows of W, so its bits differ).
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

    /** Shared indices of a deep panel ({@link #panelsEightDeep}): 32 is four cache lines of each of W's rows. */
    @Param({"32"})
    int deep;

    /** Columns of C per block under a deep panel. */
    @Param({"512"})
    int deepBlock;

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
    /** Aᵀ and Cᵀ, for {@link #transposedResult}. */
    double[][] aT;
    double[][] cT;

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
        aT = new double[n][m];
        cT = new double[k][m];
    }

    /** C's rows set to zero, before a form adds into them. */
    private void clearC() {
        for (double[] row : cRows) {
            java.util.Arrays.fill(row, 0.0);
        }
    }

    /** The kernel over B's rows in place: {@code c[j] = c[j] + a0 * b0[j] + … + a3 * b3[j]}. */
    private double[][] kernel() {
        clearC();
        for (int j0 = 0; j0 < k; j0 += BLOCK) {
            int j1 = Math.min(k, j0 + BLOCK);
            for (int p = 0; p + 3 < n; p += 4) {
                fourRows(bRows, p, p, j0, j1);
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

    /** Rows {@code h} to {@code h + 3} of {@code rows}, shared indices {@code q} on, over columns j0 to j1 of every row of C. */
    private void fourRows(double[][] rows, int h, int q, int j0, int j1) {
        double[] b0 = rows[h];
        double[] b1 = rows[h + 1];
        double[] b2 = rows[h + 2];
        double[] b3 = rows[h + 3];
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

    /**
     * Panel rows {@code h .. h + 8}, columns {@code j0 .. j1}: W's elements (j, q .. q + 8), a cache
     * line of each of W's rows, one statement per panel row (the generator's gather; C2 inlines it).
     */
    private void gatherLine(int h, int q, int j0, int j1) {
        double[] q0 = panel[h];
        double[] q1 = panel[h + 1];
        double[] q2 = panel[h + 2];
        double[] q3 = panel[h + 3];
        double[] q4 = panel[h + 4];
        double[] q5 = panel[h + 5];
        double[] q6 = panel[h + 6];
        double[] q7 = panel[h + 7];
        for (int j = j0; j < j1; j++) {
            int o = j * n + q;
            q0[j] = w[o];
            q1[j] = w[o + 1];
            q2[j] = w[o + 2];
            q3[j] = w[o + 3];
            q4[j] = w[o + 4];
            q5[j] = w[o + 5];
            q6[j] = w[o + 6];
            q7[j] = w[o + 7];
        }
    }

    /** Eight rows of a panel from row {@code h} times A's columns {@code q .. q + 8}, added to C in order (the generator's sum). */
    private void eightRows(double[][] rows, int h, int q, int j0, int j1) {
        double[] b0 = rows[h];
        double[] b1 = rows[h + 1];
        double[] b2 = rows[h + 2];
        double[] b3 = rows[h + 3];
        double[] b4 = rows[h + 4];
        double[] b5 = rows[h + 5];
        double[] b6 = rows[h + 6];
        double[] b7 = rows[h + 7];
        for (int i = 0; i < m; i++) {
            double a0 = a[i * n + q];
            double a1 = a[i * n + q + 1];
            double a2 = a[i * n + q + 2];
            double a3 = a[i * n + q + 3];
            double a4 = a[i * n + q + 4];
            double a5 = a[i * n + q + 5];
            double a6 = a[i * n + q + 6];
            double a7 = a[i * n + q + 7];
            double[] c = cRows[i];
            for (int j = j0; j < j1; j++) {
                c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j] + a4 * b4[j] + a5 * b5[j] + a6 * b6[j] + a7 * b7[j];
            }
        }
    }

    /** The generator's {@code X @ W} form: eight of B's rows copied into the panel, then the eight-term pass. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-XX:LoopUnrollLimit=100")
    public double[][] plainEight() {
        clearC();
        for (int j0 = 0; j0 < k; j0 += BLOCK) {
            int j1 = Math.min(k, j0 + BLOCK);
            for (int p = 0; p + 7 < n; p += 8) {
                for (int h = 0; h < 8; h++) {
                    System.arraycopy(bRows[p + h], j0, panel[h], j0, j1 - j0);
                }
                eightRows(panel, 0, p, j0, j1);
            }
        }
        return cRows;
    }

    /** The generator's {@code X @ transpose(W)} form: a panel of eight gathered from a cache line of each of W's rows, then the eight-term pass. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-XX:LoopUnrollLimit=100")
    public double[][] panelsEight() {
        clearC();
        for (int j0 = 0; j0 < k; j0 += BLOCK) {
            int j1 = Math.min(k, j0 + BLOCK);
            for (int p = 0; p + 7 < n; p += 8) {
                gatherLine(0, p, j0, j1);
                eightRows(panel, 0, p, j0, j1);
            }
        }
        return cRows;
    }

    /**
     * A panel of {@code deep} shared indices gathered at once, row of W by row of W ({@code deep / 8}
     * cache lines of each, in order), in groups of eight statements; then its eight-term passes.
     */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-XX:LoopUnrollLimit=100")
    public double[][] panelsEightDeep() {
        clearC();
        for (int j0 = 0; j0 < k; j0 += deepBlock) {
            int j1 = Math.min(k, j0 + deepBlock);
            for (int p = 0; p + deep - 1 < n; p += deep) {
                for (int j = j0; j < j1; j++) {
                    for (int g = 0; g < deep; g += 8) {
                        int o = j * n + p + g;
                        panel[g][j] = w[o];
                        panel[g + 1][j] = w[o + 1];
                        panel[g + 2][j] = w[o + 2];
                        panel[g + 3][j] = w[o + 3];
                        panel[g + 4][j] = w[o + 4];
                        panel[g + 5][j] = w[o + 5];
                        panel[g + 6][j] = w[o + 6];
                        panel[g + 7][j] = w[o + 7];
                    }
                }
                for (int g = 0; g < deep; g += 8) {
                    eightRows(panel, g, p + g, j0, j1);
                }
            }
        }
        return cRows;
    }

    /** As {@link #panelsEightDeep}, the panel gathered a group of eight shared indices at a time over every row of the block. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-XX:LoopUnrollLimit=100")
    public double[][] panelsEightDeepByGroup() {
        clearC();
        for (int j0 = 0; j0 < k; j0 += deepBlock) {
            int j1 = Math.min(k, j0 + deepBlock);
            for (int p = 0; p + deep - 1 < n; p += deep) {
                for (int g = 0; g < deep; g += 8) {
                    gatherLine(g, p + g, j0, j1);
                }
                for (int g = 0; g < deep; g += 8) {
                    eightRows(panel, g, p + g, j0, j1);
                }
            }
        }
        return cRows;
    }

    @Benchmark
    public double[][] panels8() {
        clearC();
        for (int j0 = 0; j0 < k; j0 += BLOCK) {
            int j1 = Math.min(k, j0 + BLOCK);
            for (int p = 0; p + 7 < n; p += 8) {
                gatherLine(0, p, j0, j1);
                fourRows(panel, 0, p, j0, j1);
                fourRows(panel, 4, p + 4, j0, j1);
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
        clearC();
        for (int j0 = 0; j0 < k; j0 += BLOCK) {
            int j1 = Math.min(k, j0 + BLOCK);
            for (int p = 0; p + depth - 1 < n; p += depth) {
                for (int j = j0; j < j1; j++) {
                    for (int h = 0; h < depth; h++) {
                        panel[h][j] = w[j * n + p + h];
                    }
                }
                for (int h = 0; h < depth; h += 4) {
                    fourRows(panel, h, p + h, j0, j1);
                }
            }
        }
        return cRows;
    }
    /** W's transpose copied into row arrays one column of W at a time (the first packing), then the kernel. */
    @Benchmark
    public double[][] wholeTransposeByColumn() {
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                bRows[j][p] = w[p * n + j];
            }
        }
        return kernel();
    }

    /** W's transpose copied in 32 × 32 tiles, then the kernel. */
    @Benchmark
    public double[][] wholeTransposeTiled() {
        for (int p0 = 0; p0 < k; p0 += 32) {
            for (int j0 = 0; j0 < n; j0 += 32) {
                for (int p = p0; p < Math.min(k, p0 + 32); p++) {
                    for (int j = j0; j < Math.min(n, j0 + 32); j++) {
                        bRows[j][p] = w[p * n + j];
                    }
                }
            }
        }
        return kernel();
    }

    /**
     * The transpose of the result instead: Cᵀ[j] = Σ_q W[j, q] Aᵀ[q], rows of m elements; only A
     * (m × n) and C (m × k) are transposed, not W (k × n). Its sums group the terms otherwise, so
     * its bits are not the others'.
     */
    @Benchmark
    public double[][] transposedResult() {
        for (int i = 0; i < m; i++) {
            for (int q = 0; q < n; q++) {
                aT[q][i] = a[i * n + q];
            }
        }
        for (int j = 0; j < k; j++) {
            double[] c = cT[j];
            java.util.Arrays.fill(c, 0.0);
            int bo = j * n;
            for (int q = 0; q + 3 < n; q += 4) {
                double b0 = w[bo + q];
                double b1 = w[bo + q + 1];
                double b2 = w[bo + q + 2];
                double b3 = w[bo + q + 3];
                double[] a0 = aT[q];
                double[] a1 = aT[q + 1];
                double[] a2 = aT[q + 2];
                double[] a3 = aT[q + 3];
                for (int i = 0; i < m; i++) {
                    c[i] = c[i] + b0 * a0[i] + b1 * a1[i] + b2 * a2[i] + b3 * a3[i];
                }
            }
        }
        for (int i = 0; i < m; i++) {
            double[] c = cRows[i];
            for (int j = 0; j < k; j++) {
                c[j] = cT[j][i];
            }
        }
        return cRows;
    }
}
