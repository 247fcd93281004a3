package dev.lossc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Json;
import dev.lossc.testing.Repo;
import dev.lossc.testing.Values;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Classes generated with {@code --simd} (products on the incubating Vector API) compute what the
 * reference evaluator computes: on every example, and on seeded random product networks whose
 * sizes reach every path of {@code gemm} — six, four, two and one rows at a time, columns left over
 * from the vectors, more shared rows than one panel holds, all three product forms, products that
 * add into an adjoint, and a batch that varies per call.
 */
class SimdTest {
    private static final LossCompiler.Options SIMD = LossCompiler.Options.DEFAULT.withSimd(true);

    /** The Vector API's products sum in another order than the reference: agreement to rounding. */
    private static final Agreement.Tolerance CLOSE = Agreement.Tolerance.of(1e-10, 1e-12);

    @TestFactory
    Stream<DynamicTest> examplesAgreeWithTheReference() {
        List<Path> models = Repo.exampleModels();
        List<LossCompiler.Result> results = new ArrayList<>();
        models.forEach(m -> results.add(LossCompiler.compile(m.getFileName().toString(), Repo.read(m), SIMD)));
        List<Compiled> compiled = Compiled.compileAll(results, Compiled.SIMD);
        List<DynamicTest> tests = new ArrayList<>();
        for (int k = 0; k < models.size(); k++) {
            Path model = models.get(k);
            Compiled c = compiled.get(k);
            tests.add(DynamicTest.dynamicTest(model.getFileName().toString(), () -> {
                Map<String, double[]> v = c.withInitialParams(Json.values(Repo.read(Path.of(model.toString().replace(".loss", ".json")))));
                c.setParams(v);
                Agreement.agrees(model.getFileName().toString(), c, Repo.read(model), v, CLOSE);
            }));
        }
        return tests.stream();
    }

    /** The examples with products of at least 16 columns use the kernel; the rest are the default code. */
    @Test
    void largeProductsUseTheKernelAndOthersDoNot() {
        String mnist = LossCompiler.compile("mnist.loss", Repo.read(Repo.examples().resolve("mnist.loss")), SIMD).output().orElseThrow().source();
        assertTrue(mnist.contains("gemm(") && mnist.contains("import jdk.incubator.vector.DoubleVector;"), "mnist's products use gemm");
        assertTrue(mnist.contains("need JDK 17 or later and {@code --add-modules jdk.incubator.vector}"), "the class says what it needs");
        String worked = LossCompiler.compile("w.loss", Repo.read(Repo.examples().resolve("worked_example.loss")), SIMD).output().orElseThrow().source();
        assertFalse(worked.contains("gemm") || worked.contains("jdk.incubator"), "a 2-2-2 network has no product for the kernel");
        assertTrue(worked.contains("Depends on {@code java.base} only."), "and needs nothing more");
        String plain = LossCompiler.compile("mnist.loss", Repo.read(Repo.examples().resolve("mnist.loss")), LossCompiler.Options.DEFAULT)
                .output().orElseThrow().source();
        assertFalse(plain.contains("jdk.incubator"), "the default output stays on java.base");
    }

    /**
     * {@code gemm} alone, against the sums written out: without {@code accumulate} it overwrites C
     * (a C full of NaN before the call; the first panel stores its sums without reading C), with
     * it, it adds to C; over three panels of shared rows, with columns in tiles of four, three and
     * two vectors and columns left over, A or B read transposed (B in place, as the first tile of
     * rows reads it while it packs it, or gathered). To the bit, against the sums written out in the
     * order the kernel promises on either of its paths (the four-by-four tiles of 512-bit vectors,
     * or {@code gemmNarrow}'s tiles over a packed A, which this CPU's vectors choose): per panel of
     * 128 shared rows, a chain of fused multiply-adds from zero, added to C, for the columns in
     * vectors; a plain sum for the columns after them.
     */
    @Test
    void gemmOverwritesOrAddsToC() throws Exception {
        Compiled c = Compiled.compileAll(List.of(LossCompiler.compile("mnist.loss", Repo.read(Repo.examples().resolve("mnist.loss")), SIMD)),
                Compiled.SIMD).get(0);
        Method gemm = c.type().getDeclaredMethod("gemm", int.class, int.class, int.class, double[].class, int.class, int.class, int.class,
                double[].class, int.class, int.class, int.class, double[].class, int.class, int.class, boolean.class, double[].class);
        gemm.setAccessible(true);
        java.lang.reflect.Field length = c.type().getDeclaredField("PANEL_LENGTH");
        length.setAccessible(true);
        java.lang.reflect.Field species = c.type().getDeclaredField("SPECIES");
        species.setAccessible(true);
        Object vectorSpecies = species.get(null);
        int lanes = (int) Class.forName("jdk.incubator.vector.VectorSpecies").getMethod("length").invoke(vectorSpecies);
        SplittableRandom rnd = new SplittableRandom(11);
        for (int k : new int[] {40, 37, 72, 128}) {
            for (int form = 0; form < 3; form++) {
                boolean transposedA = form == 1;
                boolean transposedB = form == 2;
                int m = 7;
                int n = 300;
                double[] a = rnd.doubles((long) m * n, -1, 1).toArray();
                double[] b = rnd.doubles((long) n * k, -1, 1).toArray();
                double[] panel = new double[length.getInt(null)];
                int inVectors = k / lanes >= 2 ? k / lanes * lanes : 0;
                int ais = transposedA ? 1 : n;
                int aps = transposedA ? m : 1;
                for (boolean accumulate : new boolean[] {false, true}) {
                    double[] out = new double[3 + m * k];
                    Arrays.fill(out, accumulate ? 1.0 : Double.NaN);
                    gemm.invoke(null, m, n, k, a, 0, ais, aps, b, 0, transposedB ? 1 : k, transposedB ? n : 1, out, 3, k, accumulate, panel);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < k; j++) {
                            double sum = 0;
                            for (int s = 0; s < n; s++) {
                                sum += a[i * ais + s * aps] * b[transposedB ? j * n + s : s * k + j];
                            }
                            double want = (accumulate ? 1.0 : 0.0) + sum;
                            double exact = accumulate ? 1.0 : 0.0;
                            for (int s0 = 0; s0 < n; s0 += 128) {
                                double acc = 0.0;
                                for (int s = s0; s < Math.min(n, s0 + 128); s++) {
                                    double x = a[i * ais + s * aps];
                                    double y = b[transposedB ? j * n + s : s * k + j];
                                    acc = j < inVectors ? Math.fma(x, y, acc) : acc + x * y;
                                }
                                exact = exact + acc;
                            }
                            String what = "k " + k + (transposedA ? ", A transposed" : "") + (transposedB ? ", B transposed" : "") + (accumulate ? ", accumulating" : "") + ": C[" + i
                                    + ", " + j + "]";
                            assertEquals(want, out[3 + i * k + j], 1e-11 * Math.max(1, Math.abs(want)), what);
                            assertEquals(exact, out[3 + i * k + j], 0.0, what + ", to the bit");
                        }
                    }
                    if (!accumulate) {
                        assertTrue(Double.isNaN(out[0]) && Double.isNaN(out[2]), "gemm writes nothing before C's offset");
                    }
                }
            }
        }
    }

    /**
     * {@code gemm}'s two paths, the four-by-four tiles for 512-bit vectors and {@code gemmNarrow}'s
     * four-by-two tiles over a packed A, give the same bits: each class compiled twice, with
     * {@code WIDE_TILES} set to true and to false in its text (so both paths run on any CPU), on
     * mnist and on random product networks (rows of C from 1 to 20: tiles of four, two and one).
     */
    @TestFactory
    Stream<DynamicTest> bothPathsGiveTheSameBits() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int seed = 0; seed <= 8; seed++) {
            int s = seed;
            tests.add(DynamicTest.dynamicTest(seed == 0 ? "mnist" : "seed " + seed, () -> {
                SplittableRandom rnd = new SplittableRandom(100 + s);
                String text;
                if (s == 0) {
                    text = Repo.read(Repo.examples().resolve("mnist.loss"));
                } else {
                    int m = 1 + rnd.nextInt(20);
                    int n = 16 + rnd.nextInt(s % 2 == 0 ? 300 : 60);
                    int k = 16 + rnd.nextInt(60);
                    text = "model B" + s + ";\ndim M = " + m + ", N = " + n + ", K = " + k + ";\n"
                            + "param X[M, N];\ninput R[M, K];\nparam W[N, K];\nparam V[K, K];\n"
                            + "let H = tanh(X @ W);\nlet G = H @ V + H @ transpose(V);\n"
                            + "loss sum(G * R) + 0.1 * sum(H * H);\n";
                }
                LossCompiler.Result r = LossCompiler.compile("b.loss", text, SIMD);
                String source = r.output().orElseThrow().source();
                String choice = "WIDE_TILES = SPECIES.vectorBitSize() >= 512;";
                assertTrue(source.contains(choice), "the class chooses its path from the species");
                Compiled wide = Compiled.compileAll(List.of(withSource(r, source.replace(choice, "WIDE_TILES = true;"))), Compiled.SIMD).get(0);
                Compiled narrow = Compiled.compileAll(List.of(withSource(r, source.replace(choice, "WIDE_TILES = false;"))), Compiled.SIMD).get(0);
                Map<String, double[]> v = new LinkedHashMap<>();
                for (Map.Entry<String, double[]> e : wide.withInitialParams(Map.of()).entrySet()) {
                    v.put(e.getKey(), rnd.doubles(e.getValue().length, -1, 1).toArray());
                }
                for (Object[] in : (Object[][]) wide.type().getMethod("inputLayout").invoke(null)) {
                    int size = Arrays.stream((int[]) in[2]).reduce(1, (x, y) -> x * y);
                    // An int input (mnist's labels) takes class indices; mnist has ten classes.
                    v.put((String) in[0], "int".equals(in[1]) ? rnd.ints(size, 0, 10).asDoubleStream().toArray() : rnd.doubles(size, 0, 1).toArray());
                }
                wide.setParams(v);
                narrow.setParams(v);
                double lw = wide.lossAndGradient(v);
                double ln = narrow.lossAndGradient(v);
                assertEquals(Double.doubleToLongBits(lw), Double.doubleToLongBits(ln), "the loss, to the bit");
                assertTrue(Arrays.equals(wide.gradient(), narrow.gradient()), "the gradient, to the bit");
            }));
        }
        return tests.stream();
    }

    private static LossCompiler.Result withSource(LossCompiler.Result r, String source) {
        LossCompiler.GeneratedClass g = r.output().orElseThrow();
        return new LossCompiler.Result(r.source(), r.diagnostics(), java.util.Optional.of(new LossCompiler.GeneratedClass(g.packageName(),
                g.className(), source)), r.dumps(), r.checked(), r.layout());
    }

    /**
     * {@code X @ W} (forward), {@code H @ V + H @ transpose(V)} (a product with a transposed
     * operand, and two products adding into dH and into dV), with X a param so dX = dZ Wᵀ is
     * computed too; a varying batch on every third seed.
     */
    @TestFactory
    Stream<DynamicTest> randomProductNetworksAgreeWithTheReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int seed = 1; seed <= 24; seed++) {
            int s = seed;
            tests.add(DynamicTest.dynamicTest("seed " + seed, () -> {
                SplittableRandom rnd = new SplittableRandom(s);
                int m = 1 + rnd.nextInt(20);
                int n = 16 + rnd.nextInt(s % 4 == 0 ? 400 : 60);
                int k = 16 + rnd.nextInt(40);
                boolean varying = s % 3 == 0;
                int actual = varying ? 1 + rnd.nextInt(m) : m;
                String text = "model P" + s + ";\ndim " + (varying ? "M <= " : "M = ") + m + ", N = " + n + ", K = " + k + ";\n"
                        + (varying ? "input X[M, N];\n" : "param X[M, N];\n")
                        + "input R[M, K];\nparam W[N, K];\nparam V[K, K];\n"
                        + "let H = tanh(X @ W);\nlet G = H @ V + H @ transpose(V);\n"
                        + "output g = G;\nloss sum(G * R) + 0.1 * sum(H * H);\n";
                LossCompiler.Result r = LossCompiler.compile("p.loss", text, SIMD);
                assertTrue(r.output().orElseThrow().source().contains("gemm("), "the products use the kernel");
                Compiled c = Compiled.compileAll(List.of(r), Compiled.SIMD).get(0);
                Map<String, double[]> v = new LinkedHashMap<>();
                v.put("X", rnd.doubles((long) actual * n, -1, 1).toArray());
                v.put("R", rnd.doubles((long) actual * k, -1, 1).toArray());
                v.put("W", rnd.doubles((long) n * k, -0.2, 0.2).toArray());
                v.put("V", rnd.doubles((long) k * k, -0.5, 0.5).toArray());
                Map<String, double[]> params = new LinkedHashMap<>(v);
                params.remove("R");
                if (varying) {
                    params.remove("X");
                }
                c.setParams(params);
                String what = "seed " + s + " (m " + m + ", actual " + actual + ", n " + n + ", k " + k + ")";
                Agreement.agrees(what, c, text, v, CLOSE);
            }));
        }
        return tests.stream();
    }
}
