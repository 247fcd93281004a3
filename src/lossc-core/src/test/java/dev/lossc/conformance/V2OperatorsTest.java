package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossc.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Comparisons, where, clamp, max/min reductions, norm and the softmax family with an axis
 * (docs/language.md, section 5): the corners PyTorch defines, asserted exactly.
 */
class V2OperatorsTest {
    @Test
    void tiedMaximaShareTheAdjointEqually() {
        Compiled c = Compiled.of("param v[5];\nloss max(v) * 6;\n");
        c.setParams(Map.of("v", new double[] {1, 3, 2, 3, 3}));
        assertEquals(18.0, c.lossAndGradient(Map.of()), 0.0);
        assertArrayEquals(new double[] {0, 2, 0, 2, 2}, c.gradient(), 0.0);
    }

    @Test
    void amaxAndAminShareTiesPerRowAndPerColumn() {
        double[] x = {1, 4, 4, 2, 2, 2};
        assertArrayEquals(new double[] {0, 0.5, 0.5, 1.0 / 3, 1.0 / 3, 1.0 / 3},
                Compiled.of("param X[2, 3];\nloss sum(amax(X, 1));\n").gradientAt(Map.of("X", x)), 1e-16);
        assertArrayEquals(new double[] {0, 1, 1, 1, 0, 0},
                Compiled.of("param X[2, 3];\nloss sum(amax(X, 0));\n").gradientAt(Map.of("X", x)), 0.0);
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 1},
                Compiled.of("param X[2, 3];\nloss sum(amin(X, 0));\n").gradientAt(Map.of("X", x)), 0.0);
        assertArrayEquals(new double[] {1, 0, 0, 0, 0, 0},
                Compiled.of("param X[2, 3];\nloss min(X);\n").gradientAt(Map.of("X", x)), 0.0);
    }

    @Test
    void aMaximumOfInfinityIsInfinityWithTheAdjointOnIt() {
        Compiled c = Compiled.of("param v[3];\nloss max(v);\n");
        c.setParams(Map.of("v", new double[] {1, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}));
        assertEquals(Double.POSITIVE_INFINITY, c.lossAndGradient(Map.of()), 0.0);
        assertArrayEquals(new double[] {0, 1, 0}, c.gradient(), 0.0);
    }

    @Test
    void clampPassesTheAdjointAtItsBoundsInclusive() {
        Compiled c = Compiled.of("param v[5];\nloss sum(clamp(v, -1, 1) * 2);\n");
        c.setParams(Map.of("v", new double[] {-2, -1, 0, 1, 2}));
        assertEquals(-2 - 2 + 0 + 2 + 2, c.lossAndGradient(Map.of()), 0.0);
        assertArrayEquals(new double[] {0, 2, 2, 2, 0}, c.gradient(), 0.0);
    }

    @Test
    void whereSendsTheAdjointToTheChosenSideAndBroadcasts() {
        Compiled c = Compiled.of("param c[2, 2];\nparam a[2];\nparam b;\nloss sum(where(c, a, b) * 3);\n");
        c.setParams(Map.of("c", new double[] {1, 0, 0, -2}, "a", new double[] {5, 7}, "b", new double[] {11}));
        assertEquals(3 * (5 + 11 + 11 + 7), c.lossAndGradient(Map.of()), 0.0);
        // c gets nothing; a[0] chosen once, a[1] once; b twice.
        assertArrayEquals(new double[] {0, 0, 0, 0, 3, 3, 6}, c.gradient(), 0.0);
    }

    @Test
    void comparisonsAreMasksWithZeroDerivative() {
        Compiled c = Compiled.of("param a[3];\nparam b[3];\nloss sum((a < b) + (a <= b) * 10 + (a > b) * 100 + (a >= b) * 1000 + (a == b) * 1e4 + (a != b) * 1e5);\n");
        c.setParams(Map.of("a", new double[] {1, 2, 3}, "b", new double[] {2, 2, 2}));
        // a<b: 1,0,0; <=: 1,1,0; >: 0,0,1; >=: 0,1,1; ==: 0,1,0; !=: 1,0,1.
        assertEquals(1 + 20 + 100 + 2000 + 1e4 + 2e5, c.lossAndGradient(Map.of()), 0.0);
        assertArrayEquals(new double[6], c.gradient(), 0.0);
    }

    @Test
    void normHasAZeroGradientAtZero() {
        Compiled c = Compiled.of("param v[3];\nloss norm(v);\n");
        assertArrayEquals(new double[3], c.gradientAt(Map.of("v", new double[3])), 0.0);
        c.setParams(Map.of("v", new double[] {3, 0, 4}));
        assertEquals(5.0, c.lossAndGradient(Map.of()), 0.0);
        assertArrayEquals(new double[] {0.6, 0, 0.8}, c.gradient(), 1e-15);
    }

    @Test
    void softmaxOverColumnsIsSoftmaxOfTheTranspose() {
        Compiled cols = Compiled.of("param X[2, 3];\ninput W[2, 3];\nloss sum(softmax(X, 0) * W) + sum(logsumexp(X, 0)) + sum(log_softmax(X, 1) * W);\n");
        Compiled viaT = Compiled.of("param X[2, 3];\ninput W[2, 3];\nloss sum(transpose(softmax(transpose(X))) * W) + sum(logsumexp(transpose(X))) + sum(log_softmax(X) * W);\n");
        Map<String, double[]> p = Map.of("X", new double[] {0.1, -0.4, 2.0, 0.7, 0.3, -1.0});
        Map<String, double[]> in = Map.of("W", new double[] {1, 2, 3, -1, 0.5, 0.25});
        cols.setParams(p);
        viaT.setParams(p);
        assertEquals(viaT.lossAndGradient(in), cols.lossAndGradient(in), 0.0);
        assertArrayEquals(viaT.gradient(), cols.gradient(), 0.0);
    }

    @Test
    void twoArgumentMaxKeepsItsVersionOneMeaning() {
        // max(X, 0) is the elementwise maximum with 0 (as in version 1), not a reduction over axis 0.
        Compiled c = Compiled.of("param X[2, 2];\nloss sum(max(X, 0));\n");
        c.setParams(Map.of("X", new double[] {-1, 2, 3, -4}));
        assertEquals(5.0, c.lossAndGradient(Map.of()), 0.0);
    }
}
