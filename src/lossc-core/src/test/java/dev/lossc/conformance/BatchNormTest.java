package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.RefEval;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code state} and {@code batch_norm} (docs/language.md, "States and batch norm", version 3):
 * training calls normalize with the batch's statistics and update the states, output methods
 * read the states; against the reference evaluator (loss, gradient, outputs and the states a call
 * leaves) and central differences. PyTorch's {@code BatchNorm1d} is checked by tools/pytorch_check.py.
 */
class BatchNormTest {
    static final String NET = """
            dim B <= 7, D = 3, H = 4, K = 2;
            input X[B, D];
            input Y[B, K];
            param W[H, D];
            param g[H];
            param be[H];
            param V[K, H];
            state mean1[H];
            state var1[H] init ones;
            state mean2[K] as "bn2.running_mean";
            state var2[K] init ones as "bn2.running_var";
            let h = batch_norm(X @ transpose(W), g, be, mean1, var1, eps = 0.01, momentum = 0.25);
            let z = batch_norm(tanh(h) @ transpose(V), 1.5, 0, mean2, var2);
            output hidden = h;
            output scores = z;
            loss mse(z, Y) + 0.1 * sum(h * h);
            """;

    private static Map<String, double[]> values(SplittableRandom rnd, int b) {
        Map<String, double[]> v = new LinkedHashMap<>();
        v.put("X", rnd.doubles(b * 3L, -1, 1).toArray());
        v.put("Y", rnd.doubles(b * 2L, -1, 1).toArray());
        v.put("W", rnd.doubles(12, -1, 1).toArray());
        v.put("g", rnd.doubles(4, 0.5, 1.5).toArray());
        v.put("be", rnd.doubles(4, -0.3, 0.3).toArray());
        v.put("V", rnd.doubles(8, -1, 1).toArray());
        return v;
    }

    private static Map<String, double[]> params(Map<String, double[]> v) {
        Map<String, double[]> p = new LinkedHashMap<>();
        for (String k : new String[] {"W", "g", "be", "V"}) {
            p.put(k, v.get(k));
        }
        return p;
    }

    private static Map<String, double[]> states(Compiled c) {
        return c.driver().statesByName();
    }

    @Test
    void aTrainingCallAgreesWithTheReferenceAndLeavesItsStates() {
        Compiled c = Compiled.of(NET);
        SplittableRandom rnd = new SplittableRandom(17);
        for (int b : new int[] {2, 5, 7}) {
            for (boolean given : new boolean[] {false, true}) {
                Map<String, double[]> v = values(rnd, b);
                c.driver().initParameters(0);
                c.setParams(params(v));
                if (given) {
                    // States as a values file gives them; var2 left out starts from its init.
                    v.put("mean1", rnd.doubles(4, -0.5, 0.5).toArray());
                    v.put("var1", rnd.doubles(4, 0.2, 2).toArray());
                    v.put("mean2", rnd.doubles(2, -0.5, 0.5).toArray());
                    c.setParams(Map.of("mean1", v.get("mean1"), "var1", v.get("var1"), "mean2", v.get("mean2")));
                }
                RefEval.Result ref = RefEval.evaluate(NET, v, 0);
                String what = "batch " + b + (given ? ", states given" : "");
                Map<String, double[]> outputs = c.outputs(v);
                double loss = c.lossAndGradient(v);
                Agreement.arrays(what + ": loss", new double[] {loss}, new double[] {ref.loss()}, Agreement.Tolerance.of(1e-12, 1e-14));
                Map<String, double[]> grad = c.gradientByName();
                ref.gradient().forEach((name, g) -> Agreement.arrays(what + ": d " + name, grad.get(name), g, Agreement.Tolerance.of(1e-10, 1e-12)));
                ref.outputs().forEach((name, o) -> Agreement.arrays(what + ": output " + name, outputs.get(name), o, Agreement.Tolerance.of(1e-12, 1e-14)));
                Map<String, double[]> after = states(c);
                assertEquals(ref.states().keySet(), after.keySet());
                ref.states().forEach((name, s) -> Agreement.arrays(what + ": state " + name, after.get(name), s, Agreement.Tolerance.of(1e-13, 1e-15)));
            }
        }
    }

    /** One state pair given to two calls, and a call in a loop: each call updates the states in turn, as a PyTorch module called again does. */
    @Test
    void everyCallOfAStateUpdatesItInTheOrderOfTheProgram() {
        String shared = """
                dim B = 5, C = 3;
                input X[B, C];
                param W[C, C];
                state m[C];
                state v[C] init ones;
                let a = batch_norm(X @ W, 1, 0, m, v);
                let b = batch_norm(tanh(a) * 2, 0.5, 0.1, m, v, momentum = 0.4);
                var h = b;
                for t in 0..3 {
                  h = batch_norm(h @ W + h, 1, 0, m, v, eps = 0.01);
                }
                output o = h;
                loss sum(h * X) + sum(a * b);
                """;
        Compiled c = Compiled.of(shared);
        SplittableRandom rnd = new SplittableRandom(23);
        Map<String, double[]> v = new LinkedHashMap<>();
        v.put("X", rnd.doubles(15, -1, 1).toArray());
        v.put("W", rnd.doubles(9, -1, 1).toArray());
        c.setParams(Map.of("W", v.get("W")));
        for (int call = 0; call < 3; call++) {
            Map<String, double[]> statesBefore = states(c);
            Map<String, double[]> given = new LinkedHashMap<>(v);
            given.putAll(statesBefore);
            RefEval.Result ref = RefEval.evaluate(shared, given, 0);
            Map<String, double[]> outputs = c.outputs(v);
            double loss = c.lossAndGradient(v);
            String what = "call " + call;
            Agreement.arrays(what + ": loss", new double[] {loss}, new double[] {ref.loss()}, Agreement.Tolerance.of(1e-12, 1e-14));
            Agreement.arrays(what + ": d W", c.gradientByName().get("W"), ref.gradient().get("W"), Agreement.Tolerance.of(1e-10, 1e-12));
            Agreement.arrays(what + ": output o", outputs.get("o"), ref.outputs().get("o"), Agreement.Tolerance.of(1e-12, 1e-14));
            Map<String, double[]> after = states(c);
            ref.states().forEach((name, st) -> Agreement.arrays(what + ": state " + name, after.get(name), st, Agreement.Tolerance.of(1e-13, 1e-15)));
        }
    }

    @Test
    void centralDifferencesAgreeWithTheGradientThroughTheBatchStatistics() {
        Compiled c = Compiled.of(NET);
        Map<String, double[]> v = values(new SplittableRandom(5), 6);
        c.setParams(params(v));
        Agreement.centralDifferences("batch of 6", c, v, () -> { });
    }

    @Test
    void trainingCallsMoveTheStatesAndOutputMethodsOnlyReadThem() {
        Compiled c = Compiled.of(NET);
        Map<String, double[]> v = values(new SplittableRandom(8), 4);
        c.setParams(params(v));
        double[] fresh = c.driver().states().clone();
        double[] mean = new double[4];
        double[] ones = {1, 1, 1, 1};
        assertArrayEquals(mean, Arrays.copyOfRange(fresh, 0, 4), 0.0, "mean1 starts at its init (zeros)");
        assertArrayEquals(ones, Arrays.copyOfRange(fresh, 4, 8), 0.0, "var1 starts at its init (ones)");
        Map<String, double[]> before = c.outputs(v);
        assertArrayEquals(fresh, c.driver().states(), 0.0, "an output method leaves the states");
        c.loss(v);
        double[] once = c.driver().states().clone();
        assertFalse(Arrays.equals(fresh, once), "a loss call is a training call: it moves the states");
        c.lossAndGradient(v);
        double[] twice = c.driver().states().clone();
        assertFalse(Arrays.equals(once, twice), "every training call moves them again");
        // The outputs read the states: after training calls, the same inputs give other outputs.
        assertNotEquals(before.get("scores")[0], c.outputs(v).get("scores")[0]);
        // The training loss reads the batch's statistics only: the states do not change it.
        double loss = c.loss(v);
        c.driver().initParameters(0);
        c.setParams(params(v));
        assertEquals(loss, c.loss(v), 0.0);
        // initParameters puts the states back to their init, and no state is a parameter.
        c.driver().initParameters(3);
        assertArrayEquals(fresh, c.driver().states(), 0.0);
        assertEquals(4 * 3 + 4 + 4 + 2 * 4, c.parameters().length);
    }

    /** One row: a training call is refused (PyTorch raises too), the states untouched; an output method takes it. */
    @Test
    void aTrainingCallOfOneRowIsRefusedAndAnOutputTakesIt() {
        Compiled c = Compiled.of(NET);
        Map<String, double[]> v = values(new SplittableRandom(2), 1);
        c.setParams(params(v));
        double[] before = c.driver().states().clone();
        Throwable t = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> c.loss(v));
        while (!(t instanceof IllegalArgumentException) && t.getCause() != null) {
            t = t.getCause();
        }
        assertEquals("dim B is 1, but batch_norm (line 12) needs more than one row per channel in a training call", t.getMessage());
        assertArrayEquals(before, c.driver().states(), 0.0);
        RefEval.Result ref = RefEval.evaluate(NET, v, 0);
        Agreement.arrays("one row: output scores", c.outputs(v).get("scores"), ref.outputs().get("scores"), Agreement.Tolerance.of(1e-12, 1e-14));
    }

    @Test
    void theClassPublishesItsStatesBesideItsParameters() throws Exception {
        Compiled c = Compiled.of(NET);
        Object[][] rows = (Object[][]) c.type().getMethod("stateLayout").invoke(null);
        assertEquals(4, rows.length);
        assertEquals("mean1", rows[0][0]);
        assertEquals("bn2.running_var", rows[3][1]);
        assertArrayEquals(new int[] {2}, (int[]) rows[3][2]);
        assertEquals(10, rows[3][3]);
        assertEquals(12, c.type().getField("STATE_COUNT").get(null));
        // A model without states has none of this.
        Compiled plain = Compiled.of("param w[2];\nloss sum(w * w);\n");
        assertTrue(Arrays.stream(plain.type().getMethods()).noneMatch(m -> m.getName().equals("states") || m.getName().equals("stateLayout")));
    }

    @Test
    void anOutputMayBeNamedStatesInAModelWithoutStates() {
        Compiled c = Compiled.of("param w[2];\noutput states = w * 2;\nloss sum(w * w);\n");
        assertArrayEquals(new double[] {0, 0}, c.outputs(Map.of()).get("states"), 0.0);
    }
}
