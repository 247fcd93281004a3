package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.RefEval;
import dev.lossc.testing.Repo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code dropout(x, p)} (docs/language.md, "Dropout", version 3): masks from the class's own
 * generator, reproducible per seed ({@code setSeed}), the gradient through the mask of its own
 * call, the identity in output methods; against the reference evaluator, which draws the same
 * documented generator's numbers, and against central differences.
 */
class DropoutTest {
    static final String NET = """
            dim B <= 6, D = 5, H = 7, K = 3;
            input X[B, D];
            input Y[B, K];
            param W1[D, H];
            param W2[H, K];
            param u[H];
            var s = zeros(H);
            for t in 0..3 {
              s = tanh(dropout(s + u, 0.4) * 0.5 + u);
            }
            let h = dropout(relu(X @ W1) + s, p = 0.25);
            output scores = h @ W2;
            loss mse(scores, Y) + 0.1 * sum(dropout(u, 0)) + 0.1 * sum(dropout(u, 1)) + mean(dropout(s));
            """;

    private static Map<String, double[]> values(SplittableRandom rnd, int b) {
        Map<String, double[]> v = new LinkedHashMap<>();
        v.put("X", rnd.doubles(b * 5L, -1, 1).toArray());
        v.put("Y", rnd.doubles(b * 3L, -1, 1).toArray());
        v.put("W1", rnd.doubles(35, -1, 1).toArray());
        v.put("W2", rnd.doubles(21, -1, 1).toArray());
        v.put("u", rnd.doubles(7, -1, 1).toArray());
        return v;
    }

    private static void setParams(Compiled c, Map<String, double[]> v) {
        c.setParams(Map.of("W1", v.get("W1"), "W2", v.get("W2"), "u", v.get("u")));
    }

    @Test
    void masksAreTheDocumentedGeneratorsAndTheGradientGoesThroughThem() {
        Compiled c = Compiled.of(NET);
        SplittableRandom rnd = new SplittableRandom(9);
        for (long seed : new long[] {0, 1, -42, 123456789}) {
            for (int b : new int[] {1, 6}) {
                Map<String, double[]> v = values(rnd, b);
                setParams(c, v);
                c.driver().setSeed(seed);
                double loss = c.lossAndGradient(v);
                RefEval.Result ref = RefEval.evaluate(NET, v, seed);
                String what = "seed " + seed + ", batch " + b;
                Agreement.arrays(what + ": loss", new double[] {loss}, new double[] {ref.loss()}, Agreement.Tolerance.of(1e-12, 1e-14));
                Map<String, double[]> grad = c.gradientByName();
                ref.gradient().forEach((name, g) -> Agreement.arrays(what + ": d " + name, grad.get(name), g, Agreement.Tolerance.of(1e-11, 1e-13)));
                Agreement.arrays(what + ": output", c.outputs(v).get("scores"), ref.outputs().get("scores"), Agreement.Tolerance.of(1e-13, 1e-15));
            }
        }
    }

    @Test
    void centralDifferencesWithTheSameMasksAgreeWithTheGradient() {
        Compiled c = Compiled.of(NET);
        Map<String, double[]> v = values(new SplittableRandom(3), 4);
        setParams(c, v);
        Agreement.centralDifferences("masks of seed 77", c, v, () -> c.driver().setSeed(77));
    }

    @Test
    void aSeedGivesTheSameMasksCallAfterCall() {
        Compiled c = Compiled.of(NET);
        Map<String, double[]> v = values(new SplittableRandom(4), 5);
        setParams(c, v);
        c.driver().setSeed(5);
        double first = c.loss(v);
        double second = c.loss(v);
        assertNotEquals(first, second, "each call draws masks of its own");
        c.driver().setSeed(5);
        assertEquals(first, c.loss(v), 0.0);
        assertEquals(second, c.lossAndGradient(v), 0.0);
        // A new instance starts at seed 0.
        Compiled fresh = Compiled.of(NET);
        setParams(fresh, v);
        c.driver().setSeed(0);
        assertEquals(c.loss(v), fresh.loss(v), 0.0);
    }

    @Test
    void aShareOfPIsZeroedAndTheRestScaled() {
        Compiled c = Compiled.of("param w[20000];\nloss sum(dropout(w, 0.3));\n");
        double[] w = new double[20000];
        java.util.Arrays.fill(w, 1.0);
        double[] g = c.gradientAt(Map.of("w", w));
        int zeros = 0;
        for (double x : g) {
            if (x == 0) {
                zeros++;
            } else {
                assertEquals(1 / 0.7, x, 0.0);
            }
        }
        // 6,000 expected; the standard deviation is 65.
        assertTrue(Math.abs(zeros - 6000) < 300, zeros + " of 20000 zeroed");
    }

    @Test
    void outputMethodsAreTheIdentityAndDrawNothing() {
        Compiled with = Compiled.of("param W[3, 2];\ninput x[3];\nlet h = dropout(tanh(x), 0.5);\noutput y = h @ W;\nloss sum(h @ W);\n");
        Compiled without = Compiled.of("param W[3, 2];\ninput x[3];\nlet h = tanh(x);\noutput y = h @ W;\nloss sum(h @ W);\n");
        Map<String, double[]> v = Map.of("W", new double[] {1, 2, 3, 4, 5, 6}, "x", new double[] {0.1, -0.2, 0.3});
        with.setParams(v);
        without.setParams(v);
        with.driver().setSeed(1);
        double before = with.loss(v);
        with.driver().setSeed(1);
        assertArrayEquals(without.outputs(v).get("y"), with.outputs(v).get("y"), 0.0);
        assertEquals(before, with.loss(v), 0.0, "the output method drew nothing");
    }

    @Test
    void aClassWithoutDropoutKeepsItsApi() {
        String java = LossCompiler.compile("mnist.loss", Repo.read(Repo.examples().resolve("mnist.loss")), LossCompiler.Options.DEFAULT)
                .output().orElseThrow().source();
        assertFalse(java.contains("setSeed") || java.contains("nextUniform"), "no generator without dropout");
        String drop = LossCompiler.compile("d.loss", NET, LossCompiler.Options.DEFAULT).output().orElseThrow().source();
        assertTrue(drop.contains("public void setSeed(long seed)") && drop.contains("private double nextUniform()"), drop);
    }
}
