package dev.lossc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.InMemoryJavaCompiler;
import dev.lossc.LossCompiler;
import dev.lossc.testing.ClassFiles;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.ProgramGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large models: loops, never unrolled; no method over HotSpot's 8,000-byte JIT limit; and the hot
 * methods of a 1500x1200 layer really are compiled by the JIT in a fresh JVM.
 */
class LargeModelTest {
    /** HotSpot does not compile methods larger than this (-XX:-DontCompileHugeMethods aside). */
    static final int HUGE_METHOD_LIMIT = 8000;

    static final String LAYER = "model LargeLayer;\ndim D = 1200, H = 1500;\ninput x[D];\ninput y[H];\nparam W[H, D];\nparam b[H];\n"
            + "loss mse(sigmoid(W @ x + b), y);\n";

    /**
     * Every row a product works on is a whole number of 64-byte cache lines with its 16-byte header
     * (double rows of 6 mod 8 elements, float rows of 12 mod 16), at least as long as the product
     * needs, and the constructor allocates all of them one after another (the fields hold only the
     * arrays of rows): so the rows start at the same place in a cache line.
     */
    @Test
    void productRowsFillWholeCacheLinesAndAreAllocatedTogether() {
        String program = "model Rows;\ndim B = 40, D = 130, H = 70, K = 33;\ninput X[B, D];\ninput Y[B, K];\nparam W1[D, H];\n"
                + "param W2[K, H];\nloss mse(tanh(X @ W1) @ transpose(W2), Y);\n";
        for (dev.lossc.types.Precision precision : dev.lossc.types.Precision.values()) {
            String src = LossCompiler.compile("rows.loss", program, LossCompiler.Options.DEFAULT.withPrecision(precision))
                    .output().orElseThrow().source();
            String t = precision == dev.lossc.types.Precision.FLOAT ? "float" : "double";
            int bytes = t.equals("float") ? 4 : 8;
            java.util.regex.Matcher field = java.util.regex.Pattern.compile(
                    "private final " + t + "\\[\\]\\[\\] (scratch_\\w+?)(\\d+)x(\\d+) = new " + t + "\\[(\\d+)\\]\\[\\];").matcher(src);
            int fields = 0;
            int constructor = src.indexOf("public Rows() {");
            int constructorEnd = src.indexOf("\n    }\n", constructor);
            int previous = constructor;
            while (field.find()) {
                fields++;
                String name = field.group(1) + field.group(2) + "x" + field.group(3);
                int cols = Integer.parseInt(field.group(3));
                java.util.regex.Matcher rows = java.util.regex.Pattern.compile(
                        "for \\(int i = 0; i < " + field.group(4) + "; i\\+\\+\\) \\{\\s+" + name + "\\[i\\] = new " + t + "\\[(\\d+)\\];").matcher(src);
                assertTrue(rows.find(constructor) && rows.start() < constructorEnd, name + "'s rows are allocated in the constructor");
                assertTrue(rows.start() > previous, name + "'s rows come after the rows of the fields before it");
                previous = rows.start();
                int length = Integer.parseInt(rows.group(1));
                assertTrue(length >= cols && length < cols + 64 / bytes, name + ": rows of " + length + " for " + cols + " columns");
                assertEquals(0, (16 + length * bytes) % 64, name + ": a row of " + length + " " + t + "s is not whole cache lines");
            }
            assertTrue(fields >= 3, "the program's products use rows: " + fields + " fields in " + precision);
        }
    }

    /**
     * A parallel class's rows, the threads' own and the shared ones, fill whole cache lines at every
     * thread count (the threads' share of a product's columns changes with it), and setThreads
     * allocates them again, each row once.
     */
    @Test
    void parallelRowsFillWholeCacheLinesAtEveryThreadCount() throws Exception {
        String program = "model Wide;\ndim B = 64, D = 512, H = 520, K = 256;\ninput X[B, D];\ninput Y[B, K];\nparam W1[D, H];\n"
                + "param W2[K, H];\nloss mse(tanh(X @ W1) @ transpose(W2), Y);\n";
        Compiled c = Compiled.compileAll(List.of(LossCompiler.compile("wide.loss", program, LossCompiler.Options.DEFAULT.withParallel(true)))).get(0);
        Object model = c.instance();
        java.lang.reflect.Method setThreads = c.type().getMethod("setThreads", int.class);
        try {
            for (int n : new int[] {1, 2, 3, 1}) {
                setThreads.invoke(model, n);
                java.util.Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                int rows = 0;
                for (java.lang.reflect.Field f : c.type().getDeclaredFields()) {
                    if (f.getType() != double[][].class && f.getType() != double[][][].class || f.getName().startsWith("simd")) {
                        continue;
                    }
                    f.setAccessible(true);
                    List<double[]> all = new ArrayList<>();
                    if (f.getType() == double[][][].class) {
                        double[][][] parts = (double[][][]) f.get(model);
                        assertEquals(n, parts.length, f.getName() + " has a part per thread");
                        for (double[][] part : parts) {
                            all.addAll(List.of(part));
                        }
                    } else {
                        all.addAll(List.of((double[][]) f.get(model)));
                    }
                    for (double[] row : all) {
                        assertEquals(0, (16 + 8 * row.length) % 64, f.getName() + ": a row of " + row.length + " doubles at " + n + " threads");
                        assertTrue(seen.add(row), f.getName() + ": a row shared with another");
                        rows++;
                    }
                }
                assertTrue(rows > 64 * n, "the class has the threads' rows: " + rows + " at " + n + " threads");
            }
        } finally {
            ((AutoCloseable) model).close();
        }
    }

    @Test
    void largeLayerCompilesToSmallMethods() throws Exception {
        LossCompiler.GeneratedClass g = LossCompiler.compile("large.loss", LAYER, LossCompiler.Options.DEFAULT).output().orElseThrow();
        assertTrue(g.source().length() < 40_000, "the layer is emitted as loops: " + g.source().length() + " chars");
        Map<String, byte[]> classes = InMemoryJavaCompiler.compileToBytes(Map.of("LargeLayer", g.source()), Compiled.JAVA8);
        Map<String, Integer> sizes = ClassFiles.codeLengths(classes.get("LargeLayer"));
        sizes.forEach((m, n) -> assertTrue(n < HUGE_METHOD_LIMIT, m + " has " + n + " bytecode bytes"));
    }

    /**
     * Products on row arrays run in two orders (C in tiles of rows when B fits in the second-level
     * cache, B's rows outermost when it does not, ProductPlan.ROW_OUTER_MAX_B, in column blocks when
     * C's rows are long and eight rows of B at a time, then a four, then the rest one by one); this
     * network takes every product kind through both, checked against the gradient written out by
     * hand in plain loops.
     */
    @Test
    void productsOnRowsInBothOrdersAgreeWithTheChainRuleByHand() {
        int m = 242, n = 530, k = 21;
        Compiled c = Compiled.compile("orders.loss", "model Orders;\nparam A[" + m + ", " + n + "];\nparam W[" + n + ", " + n
                + "];\nparam V[" + n + ", " + k + "];\nloss sum(tanh(A @ W) @ V);\n");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
        double[] a = rnd.doubles(m * n, -1, 1).toArray();
        double[] w = rnd.doubles(n * n, -0.1, 0.1).toArray();
        double[] v = rnd.doubles(n * k, -1, 1).toArray();
        c.setParams(Map.of("A", a, "W", w, "V", v));
        double loss = c.lossAndGradient(Map.of());
        // By hand: Z = A W, H = tanh Z, L = Σ H V; dV = Hᵀ 1, dH = 1 Vᵀ, dZ = dH (1 - H²), dW = Aᵀ dZ, dA = dZ Wᵀ.
        double[] h = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double z = 0;
                for (int p = 0; p < n; p++) {
                    z += a[i * n + p] * w[p * n + j];
                }
                h[i * n + j] = Math.tanh(z);
            }
        }
        double expectedLoss = 0;
        double[] dv = new double[n * k];
        double[] dz = new double[m * n];
        for (int j = 0; j < n; j++) {
            double rowSum = 0;
            for (int q = 0; q < k; q++) {
                rowSum += v[j * k + q];
            }
            for (int i = 0; i < m; i++) {
                expectedLoss += h[i * n + j] * rowSum;
                dz[i * n + j] = rowSum * (1 - h[i * n + j] * h[i * n + j]);
            }
            double colSum = 0;
            for (int i = 0; i < m; i++) {
                colSum += h[i * n + j];
            }
            for (int q = 0; q < k; q++) {
                dv[j * k + q] = colSum;
            }
        }
        double[] dw = new double[n * n];
        double[] da = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < n; p++) {
                double sa = 0;
                for (int j = 0; j < n; j++) {
                    dw[p * n + j] += a[i * n + p] * dz[i * n + j];
                    sa += dz[i * n + j] * w[p * n + j];
                }
                da[i * n + p] = sa;
            }
        }
        assertTrue(dev.lossc.testing.Values.close(loss, expectedLoss, 1e-10, 1e-10), loss + " vs " + expectedLoss);
        Map<String, double[]> g = c.gradientByName();
        Map<String, double[]> expected = Map.of("A", da, "W", dw, "V", dv);
        expected.forEach((name, e) -> {
            for (int i = 0; i < e.length; i++) {
                assertTrue(dev.lossc.testing.Values.close(g.get(name)[i], e[i], 1e-10, 1e-12),
                        "d loss / d " + name + "[" + i + "] = " + g.get(name)[i] + ", by hand " + e[i]);
            }
        });
        String src = LossCompiler.compile("orders.loss", "model Orders;\nparam A[" + m + ", " + n + "];\nparam W[" + n + ", " + n
                + "];\nparam V[" + n + ", " + k + "];\nloss sum(tanh(A @ W) @ V);\n", LossCompiler.Options.DEFAULT).output().orElseThrow().source();
        assertTrue(src.contains("double[] c = scratch_c" + ProductPlan.TILE_ROWS + "x" + k + "[i - i0]"), "tiles of C's rows are used (short rows over a B past 64 KB: 32)");
        assertTrue(src.contains("double[] b0 = scratch_panel8x") && src.contains("double[] c = scratch_c" + m + "x"), "B's rows outermost is used");
        assertTrue(src.contains("j0 += " + ProductPlan.COLUMN_BLOCK) && src.contains("for (; p < " + m + "; p++)"),
                "column blocks and a shared size that is not a multiple of four are used");
    }

    /**
     * The shared-index-outer form copies eight of B's rows at a time into a panel and passes them
     * over every row of C, then a four, then one at a time (shared sizes 536: eights only; 534:
     * a four and two left; 530: two left), in column blocks: each element of C is the bits of
     * {@code c += a * b} over p in order, the sum one row of B at a time gives, on C's two column
     * blocks.
     */
    @Test
    void panelsOfEightRowsGiveTheBitsOfOneRowAtATime() {
        for (int n : new int[] {536, 534, 530}) {
            int m = 9, k = 600;
            String program = "model Eights;\ndim M = " + m + ", N = " + n + ", K = " + k + ";\nparam A[M, N];\nparam W[N, K];\n"
                    + "output Z = A @ W;\nloss sum(A @ W);\n";
            String src = LossCompiler.compile("eights.loss", program, LossCompiler.Options.DEFAULT).output().orElseThrow().source();
            assertTrue(src.contains("for (; p + 7 < " + n + "; p += 8)") && src.contains("scratch_panel8x" + k + "[7], j0, j1 - j0)"),
                    "eight rows of W per pass, copied into the panel by column blocks");
            assertEquals(n % 8 >= 4, src.contains("for (; p + 3 < " + n + "; p += 4)"), "a four only when four or more are left");
            assertTrue(!src.contains("scratch_b" + n + "x" + k), "no copy of the whole of W");
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(n);
            double[] a = rnd.doubles(m * n, -1, 1).toArray();
            double[] w = rnd.doubles(n * k, -1, 1).toArray();
            Compiled c = Compiled.compile("eights.loss", program);
            c.setParams(Map.of("A", a, "W", w));
            double[] z = c.outputs(Map.of()).get("Z");
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < k; j++) {
                    double e = 0.0;
                    for (int p = 0; p < n; p++) {
                        e += a[i * n + p] * w[p * k + j];
                    }
                    assertEquals(Double.doubleToLongBits(e), Double.doubleToLongBits(z[i * k + j]), "N = " + n + ": Z[" + i + ", " + j + "]");
                }
            }
        }
    }

    /**
     * In floats a column block holds as many bytes as in doubles ({@link ProductPlan#COLUMN_BLOCK_BYTES}):
     * twice the columns. A float product of 1,100 columns over a B past the second-level cache's
     * share runs in blocks of 1,024 and 76, and each element of C is the float bits of
     * {@code c = c + a * b} over p in order, the sum one row of B at a time gives.
     */
    @Test
    void floatColumnBlocksAreTwiceAsWideAndGiveTheBitsOfOneRowAtATime() {
        int m = 5, n = 72, k = 1100;
        String program = "model FloatBlocks;\ndim M = " + m + ", N = " + n + ", K = " + k + ";\nparam A[M, N];\nparam W[N, K];\n"
                + "output Z = A @ W;\nloss sum(A @ W);\n";
        LossCompiler.Result r = LossCompiler.compile("blocks.loss", program,
                LossCompiler.Options.DEFAULT.withPrecision(dev.lossc.types.Precision.FLOAT));
        String src = r.output().orElseThrow().source();
        int block = ProductPlan.COLUMN_BLOCK_BYTES / Float.BYTES;
        assertEquals(2 * ProductPlan.COLUMN_BLOCK, block);
        assertTrue(src.contains("j0 += " + block + ")") && !src.contains("j0 += " + ProductPlan.COLUMN_BLOCK + ")"),
                "float column blocks of " + block);
        String doubles = LossCompiler.compile("blocks.loss", program, LossCompiler.Options.DEFAULT).output().orElseThrow().source();
        assertTrue(doubles.contains("j0 += " + ProductPlan.COLUMN_BLOCK + ")"), "double column blocks of " + ProductPlan.COLUMN_BLOCK);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(k);
        float[] a = new float[m * n];
        float[] w = new float[n * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextDouble(-1, 1);
        }
        Compiled c = Compiled.compileAll(List.of(r), Compiled.JAVA8).get(0);
        c.setParams(Map.of("A", widened(a), "W", widened(w)));
        double[] z = c.outputs(Map.of()).get("Z");
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                float e = 0.0f;
                for (int p = 0; p < n; p++) {
                    e = e + a[i * n + p] * w[p * k + j];
                }
                assertEquals(Float.floatToIntBits(e), Float.floatToIntBits((float) z[i * k + j]), "Z[" + i + ", " + j + "]");
            }
        }
    }

    private static double[] widened(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /**
     * A weight gradient {@code dW = transpose(A) @ G} (G the loss's exact adjoint of A @ W) in each
     * row form: one row of dW at a time (B of 70 × 40 fits in the first-level cache), and tiles of
     * dW's rows (70 × 600: 75 rows, two tiles of 32 and one of 11; two column blocks; eight rows of
     * G per pass, then a four, then two one at a time; and 128 × 32, B of exactly 32 KB, whose rows
     * of 32 go in four tiles of 16 and one of 11); and one row at a time over batches of 3
     * (one row of G per pass), 5 (a four, then one) and 12 (an eight, then a four). Each element is
     * the bits of {@code c += a * g} over the batch in order, from {@code +0.0}: A's first column is
     * zero and G's first column negative, so dW[0, 0] is a sum of {@code -0.0}s, whose sum from
     * {@code +0.0} is {@code +0.0} (a sum started from its first term would be {@code -0.0}).
     */
    @Test
    void weightGradientsInTilesGiveTheBitsOfOneRowAtATime() {
        for (int[] mk : new int[][] {{70, 40}, {70, 600}, {128, 32}, {3, 40}, {5, 40}, {12, 40}}) {
            int m = mk[0], k = mk[1], n = 75;
            String program = "model Tiles;\ndim M = " + m + ", N = " + n + ", K = " + k + ";\ninput G[M, K];\nparam A[M, N];\n"
                    + "param W[N, K];\nloss sum((A @ W) * G);\n";
            String src = LossCompiler.compile("tiles.loss", program, LossCompiler.Options.DEFAULT).output().orElseThrow().source();
            assertEquals(k == 600, src.contains("i0 += " + ProductPlan.TILE_ROWS), "tiles of 32 rows only when G is past the first-level cache");
            assertEquals(k == 32, src.contains("double[] c = scratch_c" + ProductPlan.NARROW_TILE_ROWS + "x" + k + "[i - i0]"),
                    "tiles of 16 of dW's rows when they are short");
            assertEquals(k == 600, src.contains("j0 += " + ProductPlan.COLUMN_BLOCK + ")"), "column blocks in the tiles");
            assertEquals(m >= 8, src.contains("for (; p + 7 < " + m + "; p += 8)"), "eight rows of G per pass over dW when there are eight");
            assertEquals(m % 8 >= 4, src.contains("for (; p + 3 < " + m + "; p += 4)"), "then a four when four or more are left");
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(k + m);
            double[] a = rnd.doubles(m * n, -1, 1).toArray();
            double[] w = rnd.doubles(n * k, -1, 1).toArray();
            double[] g = rnd.doubles(m * k, -1, 1).toArray();
            for (int i = 0; i < m; i++) {
                a[i * n] = 0.0;
                g[i * k] = -Math.abs(g[i * k]) - 0.5;
            }
            Compiled c = Compiled.compile("tiles.loss", program);
            c.setParams(Map.of("A", a, "W", w));
            c.lossAndGradient(Map.of("G", g));
            double[] dw = c.gradientByName().get("W");
            for (int p = 0; p < n; p++) {
                for (int j = 0; j < k; j++) {
                    double e = 0.0;
                    for (int i = 0; i < m; i++) {
                        e += a[i * n + p] * g[i * k + j];
                    }
                    assertEquals(Double.doubleToLongBits(e), Double.doubleToLongBits(dw[p * k + j]), "M = " + m + ", K = " + k + ": dW[" + p + ", " + j + "]");
                }
            }
        }
    }

    /**
     * A large product in PyTorch's {@code nn.Linear} layout, {@code X @ transpose(W)}, gathers W's
     * transpose a panel at a time inside the kernel (no transposed copy of W): its loss and
     * gradients are the bits of the same network written {@code X @ V} with {@code V = Wᵀ}, whose
     * forward product reads V's rows in place, and whose backward {@code dX = dZ Vᵀ} is the
     * panelled form again (against {@code dZ W}, which reads W's rows in place). Shared sizes 536
     * (whole lines, a part-panel of three at the end), 534 (a part-line at the end: a four and two
     * left) and 544 (whole panels of {@link Panels#DEPTH}).
     */
    @Test
    void panelledTransposedProductsGiveTheBitsOfTheOtherLayout() {
        panelled(534);
        panelled(536);
        panelled(544);
    }

    private static void panelled(int d) {
        int b = 9, h = 300;
        String head = "dim B = " + b + ", D = " + d + ", H = " + h + ";\nparam X[B, D];\n";
        String linear = "model Linear;\n" + head + "param W[H, D];\nloss sum(tanh(X @ transpose(W)) ^ 2);\n";
        String plain = "model Plain;\n" + head + "param V[D, H];\nloss sum(tanh(X @ V) ^ 2);\n";
        String src = LossCompiler.compile("linear.loss", linear, LossCompiler.Options.DEFAULT).output().orElseThrow().source();
        assertTrue(src.contains("double[] q7 = scratch_panel" + Panels.DEPTH + "x" + h + "[g + 7]") && src.contains("int o = W_OFFSET + j * " + d + " + p0 + g"),
                "W's transpose is gathered by panels, a cache line of each of W's rows at a time");
        assertEquals(d % Panels.DEPTH == 0, src.contains("for (; g < " + Panels.DEPTH + "; g += 8)"), "whole panels need no test of the panel's size");
        assertEquals(d % 8 != 0, src.contains("if (g < p1 - p0)"), "a part-line is gathered only when the shared size needs one");
        assertTrue(!src.contains("scratch_b" + d + "x" + h), "no transposed copy of W");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        double[] x = rnd.doubles(b * d, -1, 1).toArray();
        double[] w = rnd.doubles(h * d, -0.1, 0.1).toArray();
        double[] v = new double[d * h];
        for (int j = 0; j < h; j++) {
            for (int p = 0; p < d; p++) {
                v[p * h + j] = w[j * d + p];
            }
        }
        Compiled cl = Compiled.compile("linear.loss", linear);
        Compiled cp = Compiled.compile("plain.loss", plain);
        cl.setParams(Map.of("X", x, "W", w));
        cp.setParams(Map.of("X", x, "V", v));
        double lossLinear = cl.lossAndGradient(Map.of());
        double lossPlain = cp.lossAndGradient(Map.of());
        assertEquals(Double.doubleToLongBits(lossPlain), Double.doubleToLongBits(lossLinear), lossLinear + " vs " + lossPlain);
        double[] dw = cl.gradientByName().get("W");
        double[] dv = cp.gradientByName().get("V");
        for (int j = 0; j < h; j++) {
            for (int p = 0; p < d; p++) {
                assertEquals(dv[p * h + j], dw[j * d + p], 0.0, "dW[" + j + ", " + p + "]");
            }
        }
        double[] dxLinear = cl.gradientByName().get("X");
        double[] dxPlain = cp.gradientByName().get("X");
        for (int i = 0; i < dxLinear.length; i++) {
            assertEquals(dxPlain[i], dxLinear[i], 0.0, "dX[" + i + "]");
        }
        String plainSrc = LossCompiler.compile("plain.loss", plain, LossCompiler.Options.DEFAULT).output().orElseThrow().source();
        assertTrue(plainSrc.contains("scratch_panel8x"), "the other layout's backward (dX = dZ Vᵀ) is panelled too");
    }

    /** Long programs are split into methods that all stay under the limit. */
    @Test
    void longProgramsAreSplit() throws Exception {
        StringBuilder src = new StringBuilder("model LongProgram;\ndim N = 3;\ninput x[N];\nparam w[N];\nvar h = x;\n");
        for (int i = 0; i < 400; i++) {
            src.append("h = tanh(w * h + ").append(i % 7).append(") * sigmoid(h - w) + h / (1 + h * h);\n");
        }
        src.append("dim T = 50;\nfor t in 0..T {\n");
        for (int i = 0; i < 200; i++) {
            src.append("  h = softplus(h * w) - h * 0.5 + max(h, w);\n");
        }
        src.append("}\nloss sum(h);\n");
        LossCompiler.Result r = LossCompiler.compile("long.loss", src.toString(), LossCompiler.Options.DEFAULT);
        Map<String, byte[]> classes = InMemoryJavaCompiler.compileToBytes(Map.of("LongProgram", r.output().orElseThrow().source()), Compiled.JAVA8);
        Map<String, Integer> sizes = ClassFiles.codeLengths(classes.get("LongProgram"));
        assertTrue(sizes.size() > 20, "split into " + sizes.size() + " methods");
        int max = sizes.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertTrue(max < HUGE_METHOD_LIMIT, "largest method: " + max + " bytes in " + sizes);
        Compiled c = Compiled.compileAll(List.of(r)).get(0);
        c.lossAndGradient(Map.of("x", new double[] {0.1, 0.2, 0.3}));
    }

    /** Random programs never produce a method over the limit either. */
    @Test
    void generatedProgramsStayUnderTheLimit() throws Exception {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String src = ProgramGenerator.generate(777 + i, "Big" + i);
            LossCompiler.Result r = LossCompiler.compile("big.loss", src, LossCompiler.Options.DEFAULT);
            Map<String, byte[]> classes = InMemoryJavaCompiler.compileToBytes(Map.of("Big" + i, r.output().orElseThrow().source()), Compiled.JAVA8);
            for (Map.Entry<String, Integer> e : ClassFiles.codeLengths(classes.get("Big" + i)).entrySet()) {
                if (e.getValue() >= HUGE_METHOD_LIMIT) {
                    failures.add("Big" + i + "." + e.getKey() + ": " + e.getValue());
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    /** A fresh JVM, -XX:+PrintCompilation: the forward and backward passes are compiled by C2 (tier 4). */
    @Test
    void largeLayerRunsJitCompiled(@TempDir Path dir) throws Exception {
        LossCompiler.GeneratedClass g = LossCompiler.compile("large.loss", LAYER, LossCompiler.Options.DEFAULT).output().orElseThrow();
        String harness = "public final class Driver {\n"
                + "  public static void main(String[] a) {\n"
                + "    LargeLayer m = new LargeLayer();\n"
                + "    double[] x = new double[1200];\n    double[] y = new double[1500];\n"
                + "    for (int i = 0; i < x.length; i++) { x[i] = Math.sin(i); }\n"
                + "    double s = 0;\n"
                + "    for (int i = 0; i < 300; i++) { s += m.lossAndGradient(x, y); }\n"
                + "    System.out.println(\"done \" + s);\n"
                + "  }\n}\n";
        Map<String, byte[]> classes = InMemoryJavaCompiler.compileToBytes(Map.of("LargeLayer", g.source(), "Driver", harness), Compiled.JAVA8);
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            Files.write(dir.resolve(e.getKey() + ".class"), e.getValue());
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-XX:+PrintCompilation", "-cp", dir.toString(), "Driver")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "driver did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("done "), out);
        for (String method : List.of("LargeLayer::forward", "LargeLayer::backward")) {
            boolean tier4 = out.lines().anyMatch(l -> l.contains(method) && l.matches(".*\\s4\\s+LargeLayer::.*"));
            assertTrue(tier4, method + " was not compiled by C2:\n" + grep(out, "LargeLayer"));
        }
    }

    private static String grep(String out, String what) {
        StringBuilder s = new StringBuilder();
        out.lines().filter(l -> l.contains(what)).forEach(l -> s.append(l).append('\n'));
        return s.toString();
    }

}
