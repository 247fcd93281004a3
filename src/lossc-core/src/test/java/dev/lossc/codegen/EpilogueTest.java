package dev.lossc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Values;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * A matrix product's bias and activation (the map that alone reads its result) computed as each
 * element is stored ({@code epilogue-fusion}), in every product form: one row of C at a time, the
 * shared index outermost (serial and split across threads by columns), dot products into a
 * narrow result, the flat axpy and the {@code --simd} kernel (which apply the map in place),
 * with arguments read at the element, by column (a bias), by row (a column {@code [B, 1]}) and
 * once (a scalar), and a batch that varies per call. Each class agrees with the reference
 * evaluator, and the parallel classes give the serial class's bits at every thread count.
 */
class EpilogueTest {
    /** Each program's products and, for each, what its fused statement prints as. */
    static final Map<String, String> PROGRAMS = new LinkedHashMap<>();

    static {
        // One row of C at a time (B small), B read in place and transposed; map args of every kind.
        PROGRAMS.put("OneRow", """
                model OneRow;
                dim B = 9, D = 20, H = 24;
                input X[B, D];
                input S[B, 1];
                input M[B, H];
                param W[D, H];
                param U[H, D];
                param b[H];
                param s;
                let h = tanh(X @ W + b * s + S) * M;
                let g = sigmoid(X @ transpose(U) + M - b);
                output hidden = h;
                loss mean(h @ transpose(W)) + mean(h * h) + mean(g @ U) + mean(g * g);
                """);
        // Shared index outermost (B large), in column blocks; split by columns in a parallel class.
        PROGRAMS.put("SharedOuter", """
                model SharedOuter;
                dim B <= 12, D = 300, H = 520;
                input X[B, D];
                input S[B, 1];
                param W[D, H];
                param b[H];
                let h = relu(X @ W + b) + S;
                loss mean(h @ transpose(W)) + 0.5 * mean(h * h);
                """);
        // Narrow results: dot products (X @ transpose(V)) and the flat axpy (X @ V2), B varying.
        PROGRAMS.put("Narrow", """
                model Narrow;
                dim B <= 7, D = 11, K = 5;
                input X[B, D];
                input Y[B, K];
                param V[K, D];
                param V2[D, K];
                param c[K];
                param s;
                let z = X @ transpose(V) + c;
                let q = tanh(X @ V2 + s) * Y;
                output logits = z;
                loss cross_entropy(z, Y) + mean(q @ V) + sum(q * q);
                """);
    }

    private static final Agreement.Tolerance CLOSE = Agreement.Tolerance.of(1e-10, 1e-12);

    private static LossCompiler.Result compile(String name, LossCompiler.Options o) {
        return LossCompiler.compile(name + ".loss", PROGRAMS.get(name), o);
    }

    /** What each program's fused products print as after the passes (every read kind among their arguments). */
    private static final Map<String, List<String>> FUSED = Map.of(
            "OneRow", List.of("= tanh(matmul(X, W) + %8 + S)", ":g [9, 24] = sigmoid(matmul_nt(X, U) + M - b)"),
            "SharedOuter", List.of("[B, 520] = matmul(X, W) + b"),
            "Narrow", List.of(":z [B, 5] = matmul_nt(X, V) + c", "[B, 5] = tanh(matmul(X, V2) + s)"));

    @Test
    void theProductsAreFusedWithTheirMaps() {
        for (String name : PROGRAMS.keySet()) {
            LossCompiler.Result r = compile(name, new LossCompiler.Options("e", EnumSet.of(LossCompiler.Dump.PASSES)));
            String log = r.dumps().get(LossCompiler.Dump.PASSES);
            String after = log.substring(log.indexOf("== after epilogue-fusion"));
            String forward = after.substring(after.indexOf("forward:"), after.indexOf("backward:"));
            for (String fused : FUSED.get(name)) {
                assertTrue(forward.contains(fused), name + ": no " + fused + "\n" + forward);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFormAgreesWithTheReference() {
        List<DynamicTest> tests = new ArrayList<>();
        Map<String, LossCompiler.Options> options = new LinkedHashMap<>();
        options.put("default", new LossCompiler.Options("d"));
        options.put("simd", new LossCompiler.Options("s").withSimd(true));
        options.put("parallel", new LossCompiler.Options("p").withParallel(true));
        for (Map.Entry<String, LossCompiler.Options> o : options.entrySet()) {
            List<LossCompiler.Result> results = new ArrayList<>();
            PROGRAMS.keySet().forEach(n -> results.add(compile(n, o.getValue())));
            List<Compiled> compiled = Compiled.compileAll(results, o.getKey().equals("simd") ? Compiled.SIMD : Compiled.JAVA8);
            int k = 0;
            for (String name : PROGRAMS.keySet()) {
                Compiled c = compiled.get(k++);
                tests.add(DynamicTest.dynamicTest(name + " " + o.getKey(), () -> {
                    try {
                        for (int seed = 1; seed <= 3; seed++) {
                            Map<String, double[]> v = Values.random(c.model(), new SplittableRandom(seed), 0.5);
                            c.setParams(v);
                            Agreement.agrees(name + " " + o.getKey() + ", seed " + seed, c, PROGRAMS.get(name), v, CLOSE);
                        }
                    } finally {
                        if (o.getKey().equals("parallel")) {
                            c.driver().close();
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void splitEpiloguesGiveTheSerialBitsAtEveryThreadCount() {
        LossCompiler.Result ser = compile("SharedOuter", new LossCompiler.Options("ser"));
        LossCompiler.Result par = compile("SharedOuter", new LossCompiler.Options("par").withParallel(true));
        assertTrue(par.output().orElseThrow().source().contains("runSplit("), "the product splits");
        List<Compiled> c = Compiled.compileAll(List.of(ser, par));
        Compiled s = c.get(0);
        Compiled p = c.get(1);
        try {
            Map<String, double[]> v = Values.random(s.model(), new SplittableRandom(7), 0.5);
            s.setParams(v);
            p.setParams(v);
            double loss = s.lossAndGradient(v);
            double[] gradient = s.gradient().clone();
            for (int threads : new int[] {1, 2, 3}) {
                p.driver().setThreads(threads);
                assertEquals(Double.doubleToRawLongBits(loss), Double.doubleToRawLongBits(p.lossAndGradient(v)), threads + " threads");
                assertArrayEquals(gradient, p.gradient(), 0.0, threads + " threads");
            }
        } finally {
            p.driver().close();
        }
    }
}
