package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.diag.Reporter;
import dev.lossc.parser.SourceParser;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.RefEval;
import dev.lossc.testing.Values;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Statements of version 2 (docs/language.md, section 2): var inside for, block-bodied defs with var, for and assignments. */
class StatementsV2Test {
    private static Map<String, double[]> w(double w) {
        return Map.of("w", new double[] {w});
    }

    /** A var in a for body is a fresh variable each iteration: sum over t of (w t + 1)^2. */
    @Test
    void aVarInALoopIsFreshEachIteration() {
        Compiled c = Compiled.compile("t.loss", """
                param w;
                var s = 0;
                for t in 0..4 {
                  var a = w * t;
                  a = a + 1;
                  s = s + a * a;
                }
                loss s;
                """);
        double w = 0.7;
        c.setParams(w(w));
        double loss = c.lossAndGradient(w(w));
        double want = 0;
        double grad = 0;
        for (int t = 0; t < 4; t++) {
            want += (w * t + 1) * (w * t + 1);
            grad += 2 * (w * t + 1) * t;
        }
        assertEquals(want, loss, 1e-14);
        assertEquals(grad, c.gradient()[0], 1e-13);
    }

    /** A def with a var, a for and assignments: Horner's rule for 1 + x + x^2 + x^3, one var per call. */
    @Test
    void aDefHoldsVarsLoopsAndAssignments() {
        Compiled c = Compiled.compile("t.loss", """
                param w;
                param v;
                def poly(x) {
                  var acc = 1;
                  for k in 0..3 {
                    acc = acc * x + 1;
                  }
                  return acc;
                }
                loss poly(w) * poly(v);
                """);
        double w = 0.3;
        double v = -1.4;
        Map<String, double[]> values = Map.of("w", new double[] {w}, "v", new double[] {v});
        c.setParams(values);
        double loss = c.lossAndGradient(values);
        double pw = 1 + w + w * w + w * w * w;
        double pv = 1 + v + v * v + v * v * v;
        assertEquals(pw * pv, loss, 1e-14);
        assertEquals((1 + 2 * w + 3 * w * w) * pv, c.gradientByName().get("w")[0], 1e-13);
        assertEquals(pw * (1 + 2 * v + 3 * v * v), c.gradientByName().get("v")[0], 1e-13);
    }

    /** Both forms inside each other, on vectors, against the reference evaluator. */
    @Test
    void nestedFormsAgreeWithTheReferenceEvaluator() {
        String source = """
                dim N = 3, T = 4;
                input xs[T, N];
                param W[N, N];
                def step(h, x) {
                  var g = tanh(W @ h + x);
                  for k in 0..2 {
                    var d = g * 0.5;
                    g = g - sigmoid(d) * 0.1;
                  }
                  return g;
                }
                var h = xs[0];
                for t in 1..T {
                  var hn = step(h, xs[t]);
                  h = hn * 0.9 + h * 0.1;
                }
                loss sum(h ^ 2);
                """;
        Compiled c = Compiled.compile("t.loss", source);
        for (long seed = 1; seed <= 10; seed++) {
            Map<String, double[]> v = Values.random(c.model(), new SplittableRandom(seed), 1.0);
            c.setParams(v);
            double loss = c.lossAndGradient(v);
            RefEval.Result ref = RefEval.evaluate(SourceParser.parse("t.loss", source, new Reporter("t.loss")).orElseThrow(), v);
            assertTrue(Values.close(loss, ref.loss(), 1e-13, 1e-14), "seed " + seed + ": " + loss + " vs " + ref.loss());
            double[] g = c.gradientByName().get("W");
            double[] want = ref.gradient().get("W");
            for (int i = 0; i < want.length; i++) {
                assertTrue(Values.close(g[i], want[i], 1e-12, 1e-13), "seed " + seed + " dW[" + i + "]: " + g[i] + " vs " + want[i]);
            }
        }
    }
}
