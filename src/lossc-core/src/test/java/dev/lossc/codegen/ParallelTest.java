package dev.lossc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.InMemoryJavaCompiler;
import dev.lossc.LossCompiler;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Repo;
import dev.lossc.testing.Values;
import dev.lossc.types.Precision;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Parallel classes ({@code --parallel}): the same bits as the default class at every thread
 * count, workers that end with {@code close()}, arguments checked, and nothing allocated per call
 * by the caller or the workers.
 */
class ParallelTest {
    /**
     * Programs whose products are large enough to run split, in every form that splits: one row of
     * C at a time (B in the first-level cache), tiles of C's rows (B in the second-level cache) and
     * the shared index outermost (larger B; by columns of C, or by rows when C has few columns), B read in place or
     * transposed (nn.Linear's layout), assigned and accumulated (a param read twice), in the
     * loss, the gradient and an output, and at sizes that vary per call (fewer rows than threads).
     */
    static final Map<String, String> PROGRAMS = new LinkedHashMap<>();

    static {
        PROGRAMS.put("LinearLayout", """
                model LinearLayout;
                dim B = 48, D = 160, H = 144, K = 12;
                input X[B, D];
                input Y[B, K];
                param W1[H, D];
                param b1[H];
                param W2[K, H];
                param b2[K];
                let h = tanh(X @ transpose(W1) + b1);
                output hidden = h;
                loss cross_entropy(h @ transpose(W2) + b2, Y);
                """);
        // The shared index outermost with B read transposed: each part gathers its columns of W's
        // transpose by panels (302 shared indices: a part-panel of six at the end).
        PROGRAMS.put("LinearLarge", """
                model LinearLarge;
                dim B = 24, D = 302, H = 260;
                input X[B, D];
                param W[H, D];
                param b[H];
                let h = tanh(X @ transpose(W) + b);
                output hidden = h;
                loss mean(h * h);
                """);
        PROGRAMS.put("Varying", """
                model Varying;
                dim B <= 40, D = 300, H = 264;
                input X[B, D];
                input Y[B, H];
                param W[D, H];
                let Z = X @ W;
                output scores = Z;
                loss mse(sigmoid(Z), Y) + 0.5 * mean(tanh((X * 0.5) @ W));
                """);
        PROGRAMS.put("Square", """
                model Square;
                dim N = 128;
                input A[N, N];
                param W[N, N];
                loss sum(relu(A @ W) @ transpose(W)) / 1000;
                """);
        // The shared index outermost with few columns (B: 530 x 128, 530 KB): split by rows of C,
        // each part copying every pass's rows of W1 into a panel of its own; up to 20 rows, so
        // three threads take 6, 7 and 7 at most; the bias and relu stored as each row of C is.
        PROGRAMS.put("Narrow", """
                model Narrow;
                dim B <= 20, D = 530, H = 128, K = 10;
                input X[B, D];
                input Y[B, K];
                param W1[D, H];
                param b1[H];
                param W2[H, K];
                let h = relu(X @ W1 + b1);
                output hidden = h;
                loss cross_entropy(h @ W2, Y);
                """);
        // Eight rows of C, as many as a panel has rows of B: split by columns (300 columns) and by
        // rows (128), each part's rows of C and its panel are arrays of their own.
        PROGRAMS.put("EightRows", """
                model EightRows;
                dim B = 8, D = 1100, H = 300, G = 128;
                input X[B, D];
                param W[D, H];
                param V[D, G];
                loss mean(tanh(X @ W)) + mean(tanh(X @ V));
                """);
        // Inputs named as the split kernels' locals: q0 (the gathered panel's first row, in scope
        // where A is read), ct (a part's tile: dV = ctᵀ dZ runs in tiles), rowsEnd and claim.
        PROGRAMS.put("Locals", """
                model Locals;
                dim B = 24, D = 302, H = 260, N = 300, E = 64;
                input q0[B, D];
                input ct[N, E];
                input rowsEnd[N, E];
                input claim[E];
                param W[H, D];
                param V[E, E];
                loss mean(tanh(q0 @ transpose(W))) + mean(tanh(ct @ V + claim) * rowsEnd);
                """);
        // Split by columns with column blocks inside a part: at two threads each part has 552
        // columns, a block of 512 and one of 40, the second part starting at column 552.
        PROGRAMS.put("Wide", """
                model Wide;
                dim B = 6, D = 200, H = 1100;
                input X[B, D];
                param W[D, H];
                loss mean(tanh(X @ W));
                """);
        // One row of C at a time (W: 64 × 64), forward and dA = dZ Wᵀ; dW = Aᵀ dZ in tiles (300 rows of dZ).
        PROGRAMS.put("Tall", """
                model Tall;
                dim N = 300, D = 64, H = 64;
                input A[N, D];
                param W[D, H];
                loss mean(tanh(A @ W));
                """);
    }

    private static List<LossCompiler.Result> compile(boolean parallel) {
        return compile(parallel, Precision.DOUBLE);
    }

    private static List<LossCompiler.Result> compile(boolean parallel, Precision precision) {
        List<LossCompiler.Result> out = new ArrayList<>();
        for (Map.Entry<String, String> e : PROGRAMS.entrySet()) {
            LossCompiler.Options o = new LossCompiler.Options(parallel ? "par" : "ser").withParallel(parallel).withPrecision(precision);
            out.add(LossCompiler.compile(e.getKey() + ".loss", e.getValue(), o));
        }
        return out;
    }

    private static void setThreads(Compiled c, int n) {
        c.driver().setThreads(n);
    }

    private static long[] bits(double[] a) {
        long[] b = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Double.doubleToRawLongBits(a[i]);
        }
        return b;
    }

    @Test
    void everyProgramHasSplitKernelsAndTheDefaultClassHasNone() {
        StringBuilder all = new StringBuilder();
        for (LossCompiler.Result r : compile(true)) {
            String java = r.output().orElseThrow().source();
            all.append(java);
            assertTrue(java.contains("runSplit("), r.output().get().className() + " runs no kernel split");
            assertTrue(java.contains("implements AutoCloseable"), java.substring(0, 2000));
            if (r.output().get().className().equals("LinearLarge")) {
                assertTrue(java.contains("double[][] pp = ") && java.contains("q7[j] = "), "the split nn.Linear product gathers by panels");
            }
        }
        assertTrue(all.indexOf("double[] c = scratch_part") >= 0, "a product split one row of C at a time");
        assertTrue(all.indexOf("double[][] ct = tile" + ProductPlan.TILE_ROWS + "x") >= 0, "a product split in tiles of rows");
        assertTrue(all.indexOf("double[][] bp = bpanel") >= 0,
                "a part split by rows copies all of B into rows of its own first");
        assertTrue(all.indexOf("double[][] cp = panel") >= 0, "a product split by columns");
        assertTrue(all.indexOf("double[][] cp = tile") >= 0 && all.indexOf("double[][] pp = bpanel" + RowPasses.SOURCES + "x128[part]") >= 0,
                "a product split by rows over panels of its own");
        for (LossCompiler.Result r : compile(false)) {
            assertTrue(!r.output().orElseThrow().source().contains("runSplit("));
        }
    }

    @Test
    void theSameBitsAtEveryThreadCount() {
        sameBitsAtEveryThreadCount(Precision.DOUBLE);
    }

    /** In float too, where a part's eight-term loop over one column block runs in two halves. */
    @Test
    void theSameBitsAtEveryThreadCountInFloat() {
        long halves = compile(true, Precision.FLOAT).stream()
                .filter(r -> r.output().orElseThrow().source().contains("c[j] = c[j] + a4 * b4[j]")).count();
        assertTrue(halves > 0, "no float program splits an eight-term loop in halves");
        sameBitsAtEveryThreadCount(Precision.FLOAT);
    }

    private static void sameBitsAtEveryThreadCount(Precision precision) {
        List<Compiled> serial = Compiled.compileAll(compile(false, precision));
        List<Compiled> parallel = Compiled.compileAll(compile(true, precision));
        long seed = 20261204L;
        for (int k = 0; k < serial.size(); k++) {
            Compiled s = serial.get(k);
            Compiled p = parallel.get(k);
            try {
                for (int round = 0; round < 4; round++) {
                    long roundSeed = seed + 31L * k + round;
                    Map<String, double[]> values = Values.random(s.model(), new SplittableRandom(roundSeed), 1.0);
                    s.setParams(values);
                    double loss = s.lossAndGradient(values);
                    long[] gradient = bits(s.gradient());
                    Map<String, double[]> outputs = s.outputs(values);
                    p.setParams(values);
                    for (int threads : new int[] {1, 2, 3, 4, 1}) {
                        setThreads(p, threads);
                        String where = p.type().getSimpleName() + " at " + threads + " threads, seed " + roundSeed;
                        assertEquals(Double.doubleToRawLongBits(loss), Double.doubleToRawLongBits(p.lossAndGradient(values)), where);
                        assertArrayEquals(gradient, bits(p.gradient()), where);
                        assertEquals(Double.doubleToRawLongBits(loss), Double.doubleToRawLongBits(p.loss(values)), where);
                        Map<String, double[]> pOut = p.outputs(values);
                        for (Map.Entry<String, double[]> o : outputs.entrySet()) {
                            assertArrayEquals(bits(o.getValue()), bits(pOut.get(o.getKey())), where + ", output " + o.getKey());
                        }
                    }
                }
            } finally {
                p.driver().close();
            }
        }
    }

    /**
     * With {@code --simd} too, the products whose columns split into whole chunks run split, and
     * the bits are the serial {@code --simd} class's at every thread count.
     */
    @Test
    void simdProductsSplitToTheSameBits() {
        List<LossCompiler.Result> ser = new ArrayList<>();
        List<LossCompiler.Result> par = new ArrayList<>();
        String big = """
                model Big;
                dim B <= 128, N = 256;
                input X[B, N];
                param W[N, N];
                param V[N, N];
                loss mean(tanh(X @ W @ transpose(V)) * X);
                """;
        // Every product of both is at least 2^23 multiply-adds at the largest sizes: the split of --simd.
        for (String source : List.of(big, PROGRAMS.get("Square").replace("dim N = 128", "dim N = 256"))) {
            ser.add(LossCompiler.compile("s.loss", source, new LossCompiler.Options("simdser").withSimd(true)));
            par.add(LossCompiler.compile("s.loss", source, new LossCompiler.Options("simdpar").withSimd(true).withParallel(true)));
        }
        for (LossCompiler.Result r : par) {
            assertTrue(r.output().orElseThrow().source().contains("simd_panels[part]"), r.output().get().className() + " splits no gemm");
        }
        List<Compiled> s = Compiled.compileAll(ser, Compiled.SIMD);
        List<Compiled> p = Compiled.compileAll(par, Compiled.SIMD);
        for (int k = 0; k < s.size(); k++) {
            try {
                for (int round = 0; round < 3; round++) {
                    Map<String, double[]> values = Values.random(s.get(k).model(), new SplittableRandom(100 + round), 1.0);
                    s.get(k).setParams(values);
                    double loss = s.get(k).lossAndGradient(values);
                    p.get(k).setParams(values);
                    for (int threads : new int[] {1, 2, 3}) {
                        setThreads(p.get(k), threads);
                        String where = p.get(k).type().getSimpleName() + " --simd at " + threads + " threads, round " + round;
                        assertEquals(Double.doubleToRawLongBits(loss), Double.doubleToRawLongBits(p.get(k).lossAndGradient(values)), where);
                        assertArrayEquals(bits(s.get(k).gradient()), bits(p.get(k).gradient()), where);
                    }
                }
            } finally {
                p.get(k).driver().close();
            }
        }
    }

    /** Every example, generated parallel, is Java 8 and computes the default class's bits at 1 and 2 threads. */
    @Test
    void everyExampleGivesTheSameBitsAtOneAndTwoThreads() {
        List<LossCompiler.Result> ser = new ArrayList<>();
        List<LossCompiler.Result> par = new ArrayList<>();
        for (Path model : Repo.exampleModels()) {
            String src = Repo.read(model);
            ser.add(LossCompiler.compile(model.getFileName().toString(), src, new LossCompiler.Options("ser")));
            par.add(LossCompiler.compile(model.getFileName().toString(), src, new LossCompiler.Options("par").withParallel(true)));
        }
        List<Compiled> s = Compiled.compileAll(ser);
        List<Compiled> p = Compiled.compileAll(par);
        for (int k = 0; k < s.size(); k++) {
            Map<String, double[]> values = Values.random(s.get(k).model(), new SplittableRandom(k), 0.5);
            s.get(k).setParams(values);
            double loss = s.get(k).lossAndGradient(values);
            p.get(k).setParams(values);
            for (int threads : new int[] {1, 2}) {
                setThreads(p.get(k), threads);
                // Every call draws the masks of seed 0 (a dropout model's; others have no generator).
                p.get(k).driver().setSeed(0);
                assertEquals(Double.doubleToRawLongBits(loss), Double.doubleToRawLongBits(p.get(k).lossAndGradient(values)),
                        p.get(k).type().getSimpleName() + " at " + threads);
                assertArrayEquals(bits(s.get(k).gradient()), bits(p.get(k).gradient()));
            }
            p.get(k).driver().close();
        }
    }

    @Test
    void closeEndsTheWorkersAndTheInstanceGoesOnAlone() throws Exception {
        Compiled p = Compiled.compileAll(List.of(compile(true).get(0))).get(0);
        Map<String, double[]> values = Values.random(p.model(), new SplittableRandom(7), 1.0);
        p.setParams(values);
        double alone = p.lossAndGradient(values);
        Object model = p.instance();
        model.getClass().getMethod("setThreads", int.class).invoke(model, 3);
        assertEquals(3, model.getClass().getMethod("threads").invoke(model));
        assertEquals(2, workers("LinearLayout-worker-"));
        assertEquals(alone, p.lossAndGradient(values));
        // Setting the count again replaces the workers; it never adds to them.
        model.getClass().getMethod("setThreads", int.class).invoke(model, 2);
        assertEquals(1, workers("LinearLayout-worker-"));
        ((AutoCloseable) model).close();
        assertEquals(0, workers("LinearLayout-worker-"));
        assertEquals(1, model.getClass().getMethod("threads").invoke(model));
        assertEquals(alone, p.lossAndGradient(values));
        ((AutoCloseable) model).close();
        for (int bad : new int[] {0, -1, 257}) {
            InvocationTargetException e = assertThrows(InvocationTargetException.class,
                    () -> model.getClass().getMethod("setThreads", int.class).invoke(model, bad));
            assertEquals(IllegalArgumentException.class, e.getCause().getClass());
            assertTrue(e.getCause().getMessage().contains("threads must be between 1 and 256"), e.getCause().getMessage());
        }
    }

    /** Live threads whose name starts with {@code prefix}. */
    private static int workers(String prefix) {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isAlive()) {
                assertTrue(t.isDaemon(), t.getName() + " is a daemon");
                n++;
            }
        }
        return n;
    }

    /** A class with no product large enough still has the API; its thread count starts no thread. */
    @Test
    void aSmallNetworkStartsNoThread() throws Exception {
        LossCompiler.Result r = LossCompiler.compile("small.loss", """
                model Small;
                input x[3];
                param W[4, 3];
                loss sum(tanh(W @ x));
                """, new LossCompiler.Options("small").withParallel(true));
        assertTrue(!r.output().orElseThrow().source().contains("runSplit("));
        Compiled c = Compiled.compileAll(List.of(r)).get(0);
        Object model = c.instance();
        model.getClass().getMethod("setThreads", int.class).invoke(model, 2);
        assertEquals(2, model.getClass().getMethod("threads").invoke(model));
        assertEquals(0, workers("Small-worker-"));
        ((AutoCloseable) model).close();
    }

    /** At two threads, warmed-up calls allocate nothing: on the calling thread and on the worker. */
    @Test
    void warmedUpParallelCallsAllocateNothing() throws Exception {
        Map<String, String> sources = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (LossCompiler.Result r : compile(true)) {
            LossCompiler.GeneratedClass g = r.output().orElseThrow();
            String harness = dev.lossc.examples.AllocationTest.harness(g.className(), r.checked().orElseThrow(), r.layout().orElseThrow())
                    .replace("package lossc.examples;", "package par;")
                    .replace("public Harness" + g.className() + "() {\n", "public Harness" + g.className() + "() {\n        model.setThreads(2);\n")
                    .replace("    public void run() {", "    public void closeModel() { model.close(); }\n    public void run() {");
            sources.put(g.qualifiedName(), g.source());
            sources.put("par.Harness" + g.className(), harness);
            names.add(g.className());
        }
        ClassLoader loader = InMemoryJavaCompiler.compile(sources, Compiled.JAVA8);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (String name : names) {
            Runnable run = (Runnable) loader.loadClass("par.Harness" + name).getConstructor().newInstance();
            for (int i = 0; i < 300; i++) {
                run.run();
            }
            List<Long> ids = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith(name + "-worker-")) {
                    ids.add(t.getId());
                }
            }
            assertEquals(1, ids.size(), name + "'s workers");
            long worker = ids.get(0);
            long best = Long.MAX_VALUE;
            long bestWorker = Long.MAX_VALUE;
            for (int attempt = 0; attempt < 3; attempt++) {
                long w0 = mx.getThreadAllocatedBytes(worker);
                long caller = dev.lossc.examples.AllocationTest.allocatedBy(run, 100);
                long w1 = mx.getThreadAllocatedBytes(worker);
                best = Math.min(best, caller);
                bestWorker = Math.min(bestWorker, w1 - w0);
            }
            run.getClass().getMethod("closeModel").invoke(run);
            assertEquals(0, best, name + ": bytes allocated by the caller");
            assertEquals(0, bestWorker, name + ": bytes allocated by the worker");
        }
    }
}
