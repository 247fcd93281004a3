package dev.lossc.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

/**
 * How the tests compare generated code with the reference evaluator: the loss, every gradient
 * entry and every output, each within a tolerance.
 */
public final class Agreement {
    private Agreement() {}

    /**
     * Entries agree to {@code rel} of the larger of the two, or to {@code abs}; with
     * {@code scaled}, {@code abs} is a fraction of the array's largest entry (at least 1e-3): a
     * float sum keeps about seven digits of its largest terms, so an entry that is zero in exact
     * arithmetic is left with their rounding.
     */
    public record Tolerance(double rel, double abs, boolean scaled) {
        public static Tolerance of(double rel, double abs) {
            return new Tolerance(rel, abs, false);
        }

        public static Tolerance scaled(double rel) {
            return new Tolerance(rel, rel, true);
        }
    }

    /** Every entry of {@code got} is within the tolerance of {@code want}'s. */
    public static void arrays(String what, double[] got, double[] want, Tolerance t) {
        assertEquals(want.length, got.length, what + ": length");
        double scale = 1e-3;
        for (double w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        double abs = t.scaled() ? t.abs() * scale : t.abs();
        for (int i = 0; i < want.length; i++) {
            assertTrue(Values.close(got[i], want[i], t.rel(), abs),
                    what + "[" + i + "] = " + got[i] + " vs reference " + want[i] + (t.scaled() ? " (largest entry " + scale + ")" : ""));
        }
    }

    /**
     * The compiled class agrees with the reference evaluator of {@code source} at {@code values}
     * (params already set): the loss (and {@code loss()} is {@code lossAndGradient()}'s), every
     * gradient entry and every output.
     */
    public static void agrees(String what, Compiled c, String source, Map<String, double[]> values, Tolerance t) {
        RefEval.Result ref = RefEval.evaluate(source, values);
        // With states (batch norm), outputs read the states as given, and the training call moves them.
        boolean states = !c.layout().states().isEmpty();
        Map<String, double[]> given = states ? c.outputs(values) : null;
        double loss = c.lossAndGradient(values);
        arrays(what + ": loss", new double[] {loss}, new double[] {ref.loss()}, t);
        Map<String, double[]> grad = c.gradientByName();
        ref.gradient().forEach((name, g) -> arrays(what + ": d " + name, grad.get(name), g, t));
        if (states) {
            c.driver().statesByName().forEach((name, s) -> arrays(what + ": state " + name, s, ref.states().get(name), t));
        }
        Map<String, double[]> outputs = states ? given : c.outputs(values);
        assertEquals(ref.outputs().keySet(), outputs.keySet(), what + ": outputs");
        ref.outputs().forEach((name, o) -> arrays(what + ": output " + name, outputs.get(name), o, t));
        // The same dropout masks as that call drew (the generator starts at seed 0, as the reference's).
        c.driver().setSeed(0);
        assertEquals(loss, c.loss(values), Math.abs(loss) * 1e-15, what + ": loss() and lossAndGradient() agree");
    }

    /**
     * Every entry of the gradient against central differences of {@code loss} (step 1e-6, within
     * 1e-7 + 1e-6 |numeric|); {@code beforeEachCall} runs before every call of the class (a dropout
     * model's {@code setSeed}, so that every call draws the same masks).
     */
    public static void centralDifferences(String what, Compiled c, Map<String, double[]> values, Runnable beforeEachCall) {
        beforeEachCall.run();
        c.lossAndGradient(values);
        double[] g = c.gradient().clone();
        double[] p = c.parameters();
        double eps = 1e-6;
        for (int i = 0; i < p.length; i++) {
            double saved = p[i];
            p[i] = saved + eps;
            beforeEachCall.run();
            double up = c.loss(values);
            p[i] = saved - eps;
            beforeEachCall.run();
            double down = c.loss(values);
            p[i] = saved;
            double numeric = (up - down) / (2 * eps);
            assertEquals(numeric, g[i], 1e-7 + 1e-6 * Math.abs(numeric), what + ": entry " + i);
        }
    }
}
