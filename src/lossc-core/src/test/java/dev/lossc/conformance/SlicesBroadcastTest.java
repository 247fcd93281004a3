package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.diag.Reporter;
import dev.lossc.parser.SourceParser;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.RefEval;
import dev.lossc.testing.Values;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Slices, concat (docs/language.md, "Slices and concatenation") and NumPy broadcasting with
 * {@code [m, 1]}, {@code [1, n]}, {@code row} and {@code column} ("Broadcasting"): exact values
 * and adjoints where they are easy to write down, and the reference evaluator for the forms inside
 * loops and with sizes that vary per call.
 */
class SlicesBroadcastTest {
    /**
     * A row of a var broadcast in the var's own update, beside the whole var: the copy the loop
     * reads must stay (fused away, the row was read from an array nothing wrote). The expected
     * loss is NumPy's: {@code v = outer(p, p); 4 × v = tanh(0.5 v + v[0] - v); 0.5 Σ|v|}.
     */
    @Test
    void aRowOfAVarBroadcastInItsOwnUpdateReadsThatIterationsRow() {
        String source = "dim D0 = 3;\nparam p0[D0];\nvar v = outer(p0, p0);\nfor t in 0..4 {\n  v = tanh(v * 0.5 + v[0] - v * 1);\n}\nloss 0.5 * l1(v);\n";
        Compiled c = Compiled.of(source);
        Map<String, double[]> v = Map.of("p0", new double[] {0.3, -0.5, 0.8});
        c.setParams(v);
        assertEquals(0.07737013379978953, c.lossAndGradient(v), 1e-15);
        assertArrayEquals(RefEval.evaluate(source, v).gradient().get("p0"), c.gradient(), 1e-14);
    }

    @Test
    void aVectorSliceIsItsElementsAndTheAdjointGoesBackToThem() {
        Compiled c = Compiled.of("param v[5];\nloss sum(v[1..4] * v[1..4]) + v[3..5][1] * 10;\n");
        c.setParams(Map.of("v", new double[] {1, 2, 3, 4, 5}));
        assertEquals(4 + 9 + 16 + 50, c.lossAndGradient(Map.of()), 0.0);
        assertArrayEquals(new double[] {0, 4, 6, 8, 10}, c.gradient(), 0.0);
    }

    @Test
    void matrixSlicesPickRowsColumnsPartsAndBlocks() {
        // A = [[0 1 2 3], [4 5 6 7], [8 9 10 11]]
        double[] a = new double[12];
        for (int i = 0; i < 12; i++) {
            a[i] = i;
        }
        String decl = "param A[3, 4];\n";
        Map<String, double[]> p = Map.of("A", a);
        assertEquals(1 + 5 + 9, value(decl + "loss sum(A[.., 1]);\n", p), 0.0);
        assertEquals(4 + 5 + 6 + 7 + 8 + 9 + 10 + 11, value(decl + "loss sum(A[1..3]);\n", p), 0.0);
        assertEquals(6 + 7, value(decl + "loss sum(A[1, 2..4]);\n", p), 0.0);
        assertEquals(6 + 10, value(decl + "loss sum(A[1..3, 2]);\n", p), 0.0);
        assertEquals(5 + 6 + 9 + 10, value(decl + "loss sum(A[1..3, 1..3]);\n", p), 0.0);
        assertEquals(66, value(decl + "loss sum(A[.., ..]);\n", p), 0.0);
        // Of a block, a column then an element: A[1..3, 1..3][.., 1][0] is A[1, 2].
        assertEquals(6, value(decl + "loss A[1..3, 1..3][.., 1][0];\n", p), 0.0);
        // The adjoint lands at the block's place, strided like the slice.
        Compiled c = Compiled.of(decl + "loss sum(A[1..3, 1..3] * 2) + sum(A[.., 3]);\n");
        c.setParams(p);
        c.lossAndGradient(Map.of());
        assertArrayEquals(new double[] {0, 0, 0, 1, 0, 2, 2, 1, 0, 2, 2, 1}, c.gradient(), 0.0);
    }

    @Test
    void overlappingSlicesAddTheirAdjoints() {
        Compiled c = Compiled.of("param v[4];\nloss sum(v[0..3]) + sum(v[1..4]) * 10 + sum(v[1..3]) * 100;\n");
        c.setParams(Map.of("v", new double[] {0, 0, 0, 0}));
        c.lossAndGradient(Map.of());
        assertArrayEquals(new double[] {1, 111, 111, 10}, c.gradient(), 0.0);
    }

    @Test
    void concatJoinsVectorsRowsAndColumnsAndSplitsTheAdjoint() {
        Compiled v = Compiled.of("param a[2];\nparam b[3];\nlet c = concat(a, b);\nloss c[0] + c[1] * 2 + c[2] * 3 + c[3] * 4 + c[4] * 5;\n");
        v.setParams(Map.of("a", new double[] {1, 2}, "b", new double[] {3, 4, 5}));
        assertEquals(1 + 4 + 9 + 16 + 25, v.lossAndGradient(Map.of()), 0.0);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5}, v.gradient(), 0.0);

        // concat(A[2, 2], B[2, 1], 1) = [[a0 a1 b0], [a2 a3 b1]]; weights 1..6 in row order.
        Compiled cols = Compiled.of("param A[2, 2];\nparam B[2, 1];\ninput W[2, 3];\nloss sum(concat(A, B, 1) * W);\n");
        cols.setParams(Map.of("A", new double[] {1, 1, 1, 1}, "B", new double[] {1, 1}));
        cols.lossAndGradient(Map.of("W", new double[] {1, 2, 3, 4, 5, 6}));
        assertArrayEquals(new double[] {1, 2, 4, 5, 3, 6}, cols.gradient(), 0.0);

        // concat(A[1, 2], B[2, 2], 0) = [[a0 a1], [b0 b1], [b2 b3]].
        Compiled rows = Compiled.of("param A[1, 2];\nparam B[2, 2];\ninput W[3, 2];\nloss sum(concat(A, B, 0) * W);\n");
        rows.setParams(Map.of("A", new double[] {1, 1}, "B", new double[] {1, 1, 1, 1}));
        rows.lossAndGradient(Map.of("W", new double[] {1, 2, 3, 4, 5, 6}));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, rows.gradient(), 0.0);
    }

    @Test
    void aColumnAgainstARowBroadcastsToTheirOuterShape() {
        // column(u)[3, 1] + row(v)[1, 2] = [3, 2]; u[i] meets every v[j]: its adjoint sums a row of
        // weights, v[j]'s a column.
        Compiled c = Compiled.of("param u[3];\nparam v[2];\ninput W[3, 2];\nloss sum((column(u) + row(v)) * W);\n");
        c.setParams(Map.of("u", new double[] {1, 2, 3}, "v", new double[] {10, 20}));
        double[] w = {1, 2, 3, 4, 5, 6};
        double want = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                want += (i + 1 + 10 * (j + 1)) * w[i * 2 + j];
            }
        }
        assertEquals(want, c.lossAndGradient(Map.of("W", w)), 0.0);
        assertArrayEquals(new double[] {1 + 2, 3 + 4, 5 + 6, 1 + 3 + 5, 2 + 4 + 6}, c.gradient(), 0.0);
        // The same with declared [m, 1] and [1, n] params, and the other operand order.
        Compiled d = Compiled.of("param U[3, 1];\nparam V[1, 2];\ninput W[3, 2];\nloss sum((V * U) * W);\n");
        d.setParams(Map.of("U", new double[] {1, 2, 3}, "V", new double[] {10, 20}));
        d.lossAndGradient(Map.of("W", w));
        assertArrayEquals(new double[] {10 + 40, 30 + 80, 50 + 120, 1 + 6 + 15, 2 + 8 + 18}, d.gradient(), 0.0);
    }

    @Test
    void centringRowsNeedsNoTranspose() {
        Compiled c = Compiled.of("param X[2, 3];\nloss sum((X - column(mean(X, 1))) ^ 2);\n");
        double[] x = {1, 2, 6, 0, 0, 3};
        c.setParams(Map.of("X", x));
        // Rows centred: (-2, -1, 3) and (-1, -1, 2): squares sum to 14 + 6; gradient 2 (x - mean).
        assertEquals(20, c.lossAndGradient(Map.of()), 1e-14);
        assertArrayEquals(new double[] {-4, -2, 6, -2, -2, 4}, c.gradient(), 1e-14);
    }

    private static final String LOOPS = """
            dim T = 6, D = 3, H = 4;
            input X[D, T];
            input s[T];
            param W[4 * H, D];
            param U[4 * H, H];
            param b[4 * H];
            param Wo[H, 2 * H];
            var h = s[0..H];
            var cell = s[2..H + 2];
            var total = 0;
            for t in 0..T {
              let g = W @ X[.., t] + U @ h + b;          // the four gates, one product each
              let i = sigmoid(g[0..H]);
              let f = sigmoid(g[H..2 * H]);
              let o = sigmoid(g[2 * H..3 * H]);
              let n = tanh(g[3 * H..4 * H]);
              cell = f * cell + i * n;
              h = o * tanh(cell);
              total = total + sum(tanh(Wo @ concat(h, cell)) * s[t]);
            }
            for t in 0..T - 2 {
              total = total + sum(s[t..t + 3] * X[1, t..t + 3]) + sum(X[0..2, t + 1]) * h[1];
            }
            loss total;
            """;

    private static final String BATCH = """
            dim B <= 9, D = 4, K = 3;
            input X[B, D];
            input Y[B, K];
            param W[D, K];
            param g[K];
            param beta[K];
            let Z = X @ W;
            let mu = column(mean(Z, 1));
            let var_ = column(mean((Z - mu) ^ 2, 1));
            let N = (Z - mu) / sqrt(var_ + 1e-5) * row(g) + beta;
            let both = concat(N, X[.., 1..3], 1);
            output firstTwo = both[.., 0..2];
            loss mse(both[.., 0..K], Y) + mean(both[.., K..K + 2] * column(N[.., 2])) + sum(column(X[.., 0]) * row(g));
            """;

    @ParameterizedTest
    @ValueSource(strings = {"loops", "batch"})
    void slicesConcatAndBroadcastingAgreeWithTheReferenceEvaluator(String which) {
        String source = which.equals("loops") ? LOOPS : BATCH;
        Compiled c = Compiled.of(source);
        var program = SourceParser.parse("t.loss", source, new Reporter("t.loss")).orElseThrow();
        // One instance for every size: the largest first, then smaller ones (the batch model).
        for (long seed = 1; seed <= 6; seed++) {
            Map<String, double[]> v = Values.random(c.model(), new SplittableRandom(seed), 1.0);
            c.setParams(v);
            double loss = c.lossAndGradient(v);
            RefEval.Result ref = RefEval.evaluate(program, v);
            assertTrue(Values.close(loss, ref.loss(), 1e-12, 1e-13), which + " seed " + seed + ": " + loss + " vs " + ref.loss());
            Map<String, double[]> grad = c.gradientByName();
            for (var e : ref.gradient().entrySet()) {
                double[] g = grad.get(e.getKey());
                for (int i = 0; i < g.length; i++) {
                    assertTrue(Values.close(g[i], e.getValue()[i], 1e-11, 1e-12),
                            which + " seed " + seed + " d" + e.getKey() + "[" + i + "]: " + g[i] + " vs " + e.getValue()[i]);
                }
            }
            for (var e : ref.outputs().entrySet()) {
                double[] out = c.outputs(v).get(e.getKey());
                for (int i = 0; i < e.getValue().length; i++) {
                    assertTrue(Values.close(out[i], e.getValue()[i], 1e-12, 1e-13), which + " output " + e.getKey() + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void batchSlicesAtEverySizeMatchAFixedSizeClassBitForBit() {
        Compiled varying = Compiled.of(BATCH);
        for (int b : List.of(9, 1, 7)) {
            Compiled fixed = Compiled.of(BATCH.replace("dim B <= 9", "dim B = " + b));
            Map<String, double[]> v = new LinkedHashMap<>(Values.random(fixed.model(), new SplittableRandom(b), 1.0));
            fixed.setParams(v);
            varying.setParams(v);
            assertEquals(fixed.lossAndGradient(v), varying.lossAndGradient(v), 0.0, "B = " + b);
            assertArrayEquals(fixed.gradient(), varying.gradient(), 0.0, "B = " + b);
            double[] want = fixed.outputs(v).get("firstTwo");
            assertArrayEquals(want, java.util.Arrays.copyOf(varying.outputs(v).get("firstTwo"), want.length), 0.0, "B = " + b);
        }
    }

    /** Version 2's function names are not reserved: a declaration hides the built-in in its scope. */
    @Test
    void aDeclaredNameHidesAVersionTwoBuiltin() {
        Map<String, double[]> p = Map.of("v", new double[] {3, -4});
        assertEquals(-1 * 2, value("param v[2];\ndef norm(x) = sum(x);\nlet column = 2;\nloss norm(v) * column;\n", p), 0.0);
        assertEquals(5, value("param v[2];\nloss norm(v);\n", p), 0.0);
    }

    private static double value(String source, Map<String, double[]> params) {
        Compiled c = Compiled.of(source);
        c.setParams(params);
        return c.loss(Map.of());
    }
}
