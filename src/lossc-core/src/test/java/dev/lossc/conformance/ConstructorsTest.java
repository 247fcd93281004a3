package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The constructors of version 3 (docs/language.md, "Constructors"): {@code zeros}, {@code ones}
 * and {@code full} give a constant tensor of the shape their sizes declare (dims, literals, a dim
 * that varies per call), nothing flows back through them, and a declaration of the same name
 * hides them. Their errors are in {@link DiagnosticsTest}.
 */
class ConstructorsTest {
    @Test
    void eachGivesItsValueAtEveryElementOfItsShape() {
        Compiled c = Compiled.of("param w[2, 3];\nloss sum((w + ones(2, 3)) * full(2.5, 2, 3)) + sum(zeros(3)) + sum(full(-1, 3)) + sum(ones(4));\n");
        double[] w = {1, 2, 3, 4, 5, 6};
        c.setParams(Map.of("w", w));
        assertEquals(2.5 * (21 + 6) + 0 - 3 + 4, c.lossAndGradient(Map.of()), 1e-12);
        assertArrayEquals(new double[] {2.5, 2.5, 2.5, 2.5, 2.5, 2.5}, c.gradient(), 0.0);
    }

    @Test
    void aConstantValueAndSizesFromDimsAndConsts() {
        Compiled c = Compiled.of("const k = 2;\ndim N = 3;\nparam w[N];\nloss sum(full(k * N - 0.5, N) * w) + sum(zeros(1, N) @ transpose(zeros(k, N)));\n");
        assertArrayEquals(new double[] {5.5, 5.5, 5.5}, c.gradientAt(Map.of("w", new double[] {1, 1, 1})), 0.0);
        assertEquals(16.5, c.lossAndGradient(Map.of()), 0.0);
    }

    @Test
    void nothingFlowsBackThroughAConstructor() {
        // zeros as a var's first value: the gradient reaches w only through the assignments.
        Compiled c = Compiled.of("param w[2];\nvar h = zeros(2);\nfor t in 0..3 {\n  h = h * w + 1;\n}\nloss sum(h);\n");
        // h1 = 1, h2 = w + 1, h3 = w^2 + w + 1: d/dw = 2w + 1.
        assertArrayEquals(new double[] {5, 7}, c.gradientAt(Map.of("w", new double[] {2, 3})), 0.0);
    }

    /** An RNN's first state at every batch size: {@code zeros(B, H)} with B varying per call, against the reference evaluator. */
    @Test
    void aVaryingDimSizesTheStateOfEachCall() {
        String source = """
                dim B <= 5, D = 3, H = 4;
                input X[B, D];
                param W[D, H];
                param U[H, H];
                var h = zeros(B, H);
                for t in 0..3 {
                  h = tanh(X @ W + h @ U + ones(B, 1) * 0.1);
                }
                output state = h;
                loss sum(h * h) / 2;
                """;
        Compiled c = Compiled.of(source);
        SplittableRandom rnd = new SplittableRandom(11);
        for (int b : new int[] {1, 3, 5}) {
            Map<String, double[]> v = new LinkedHashMap<>();
            v.put("X", rnd.doubles(b * 3L, -1, 1).toArray());
            v.put("W", rnd.doubles(12, -1, 1).toArray());
            v.put("U", rnd.doubles(16, -1, 1).toArray());
            c.setParams(Map.of("W", v.get("W"), "U", v.get("U")));
            Agreement.agrees("batch " + b, c, source, v, Agreement.Tolerance.of(1e-12, 1e-14));
        }
    }

    @Test
    void aDefBodyMayConstructAndSoMayAnOutput() {
        Compiled c = Compiled.of("dim N = 2;\nparam w[N];\ndef start(x) {\n  var s = zeros(N);\n  s = s + x * 3;\n  return s + ones(N);\n}\n"
                + "output first = start(w) + full(0.5, N);\nloss sum(start(w));\n");
        assertArrayEquals(new double[] {3, 3}, c.gradientAt(Map.of("w", new double[] {1, 2})), 0.0);
        assertArrayEquals(new double[] {4.5, 7.5}, c.outputs(Map.of()).get("first"), 0.0);
    }

    @Test
    void aDeclarationOfTheSameNameHidesTheConstructor() {
        Compiled def = Compiled.of("def zeros(x) = x * 2;\nparam w[2];\nloss sum(zeros(w));\n");
        assertArrayEquals(new double[] {2, 2}, def.gradientAt(Map.of("w", new double[] {1, 1})), 0.0);
        Compiled let = Compiled.of("param w;\nlet ones = w * 3;\nloss ones + sum(full(1, 2));\n");
        let.setParams(Map.of("w", new double[] {2}));
        assertEquals(8, let.lossAndGradient(Map.of()), 0.0);
    }
}
