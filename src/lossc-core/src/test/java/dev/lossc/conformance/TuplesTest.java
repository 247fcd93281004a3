package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Functions with several results (docs/language.md, "Several results", version 3): a block def
 * returns a tuple, {@code let (a, b) = f(…);} unpacks it into new lets and {@code (a, b) = f(…);}
 * into vars, every result computed before any var changes. Against the reference evaluator and
 * exact values; the errors are in {@link DiagnosticsTest}.
 */
class TuplesTest {
    /** An LSTM cell returning (h, c), PyTorch's gate order (i, f, g, o), run over a sequence batch. */
    static final String LSTM = """
            model Lstm;
            dim B <= 4, T = 3, D = 3, H = 5;
            input X[B, T * D];
            input Y[B, H];
            param Wi[D, 4 * H];
            param Wh[H, 4 * H];
            param b[4 * H];
            def cell(x, h, c) {
              let z = x @ Wi + h @ Wh + b;
              let i = sigmoid(z[.., 0..H]);
              let f = sigmoid(z[.., H..2 * H]);
              let g = tanh(z[.., 2 * H..3 * H]);
              let o = sigmoid(z[.., 3 * H..4 * H]);
              let c2 = f * c + i * g;
              return (o * tanh(c2), c2);
            }
            let (h1, c1) = cell(X[.., 0..D], zeros(B, H), zeros(B, H));
            var h = h1;
            var c = c1;
            for t in 1..T {
              (h, c) = cell(X[.., t * D..t * D + D], h, c);
            }
            output state = h;
            loss mse(h, Y) + 0.1 * mean(c * c);
            """;

    @Test
    void anLstmCellReturningItsTwoStatesAgreesWithTheReference() {
        Compiled c = Compiled.of(LSTM);
        SplittableRandom rnd = new SplittableRandom(5);
        for (int batch : new int[] {1, 4}) {
            Map<String, double[]> v = new LinkedHashMap<>();
            v.put("X", rnd.doubles(batch * 9L, -1, 1).toArray());
            v.put("Y", rnd.doubles(batch * 5L, -1, 1).toArray());
            v.put("Wi", rnd.doubles(60, -0.5, 0.5).toArray());
            v.put("Wh", rnd.doubles(100, -0.5, 0.5).toArray());
            v.put("b", rnd.doubles(20, -0.5, 0.5).toArray());
            c.setParams(Map.of("Wi", v.get("Wi"), "Wh", v.get("Wh"), "b", v.get("b")));
            Agreement.agrees("batch " + batch, c, LSTM, v, Agreement.Tolerance.of(1e-12, 1e-14));
        }
    }

    @Test
    void everyResultIsComputedBeforeAnyVarIsAssigned() {
        // (a, b) = swap(a * 2, b) gives (b, 2a), both from the values before the statement.
        Compiled c = Compiled.of("def swap(x, y) {\n  return (y, x);\n}\nparam w;\nparam v;\nvar a = w;\nvar b = v;\n"
                + "for t in 0..3 {\n  (a, b) = swap(a * 2, b);\n}\nloss a + 10 * b;\n");
        // (a, b): (w, v) → (v, 2w) → (2w, 2v) → (2v, 4w); loss = 2v + 40w.
        c.setParams(Map.of("w", new double[] {1}, "v", new double[] {3}));
        assertEquals(2 * 3 + 40 * 1, c.lossAndGradient(Map.of()), 0.0);
        assertArrayEquals(new double[] {40, 2}, c.gradient(), 0.0);
    }

    @Test
    void aDefMayUnpackAnotherDefsResultsAndReturnItsOwn() {
        String source = "param w[2];\ndef pair(x) {\n  return (x, x * 2);\n}\ndef quad(x) {\n  let (a, b) = pair(x);\n  var s = a;\n  var u = b;\n"
                + "  (s, u) = pair(s + u);\n  return (s, u * u);\n}\nlet (p, q) = quad(w);\noutput first = p;\nloss sum(p) + sum(q);\n";
        Compiled c = Compiled.of(source);
        // pair(w) = (w, 2w); pair(3w) = (3w, 6w); quad = (3w, 36w²); loss = Σ 3w + 36w², d = 3 + 72w.
        double[] w = {0.5, -1};
        assertArrayEquals(new double[] {3 + 36, 3 - 72}, c.gradientAt(Map.of("w", w)), 1e-12);
        assertArrayEquals(new double[] {1.5, -3}, c.outputs(Map.of()).get("first"), 0.0);
        Agreement.agrees("quad", c, source, Map.of("w", w), Agreement.Tolerance.of(1e-14, 0));
    }

    @Test
    void theLstmClassIsJava8AndItsSourceCitesTheUnpackingLines() {
        String java = LossCompiler.compile("lstm.loss", LSTM, LossCompiler.Options.DEFAULT).output().orElseThrow().source();
        assertTrue(java.contains("// line 17: let (h1, c1) = cell(X[.., 0..D], zeros(B, H), zeros(B, H));"), java);
        assertTrue(java.contains("// line 21: (h, c) = cell(X[.., t * D..t * D + D], h, c);"), java);
    }
}
