package dev.lossc.property;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.testing.Compiled;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/language.md section 6: derivatives at the corners, as PyTorch defines them, and stability. */
class CornerCaseTest {
    private static double[] gradientAt(String expr, double... a) {
        return Compiled.compile("corner.loss", "param a[" + a.length + "];\nloss sum(" + expr + ");\n").gradientAt(Map.of("a", a));
    }

    @Test
    void reluAbsAndLeakyReluAtZero() {
        assertArrayEquals(new double[] {0, 1, 0}, gradientAt("relu(a)", 0, 2, -2));
        assertArrayEquals(new double[] {0, 1, -1}, gradientAt("abs(a)", 0, 2, -2));
        assertArrayEquals(new double[] {0.2, 1, 0.2}, gradientAt("leaky_relu(a, 0.2)", 0, 2, -2));
        assertArrayEquals(new double[] {0.01}, gradientAt("leaky_relu(a)", 0));
    }

    @Test
    void tiesOfMaxAndMinSplitTheAdjoint() {
        Compiled c = Compiled.compile("tie.loss", "param a;\nparam b;\nloss max(a, b) + 3 * min(a, b);\n");
        c.setParams(Map.of("a", new double[] {1.5}, "b", new double[] {1.5}));
        c.lossAndGradient(Map.of());
        assertArrayEquals(new double[] {2.0, 2.0}, c.gradient());
        c.setParams(Map.of("a", new double[] {2}, "b", new double[] {1}));
        c.lossAndGradient(Map.of());
        assertArrayEquals(new double[] {1.0, 3.0}, c.gradient());
    }

    @Test
    void noSilentClamping() {
        assertEquals(Double.POSITIVE_INFINITY, gradientAt("sqrt(a)", 0)[0]);
        Compiled c = Compiled.compile("log0.loss", "param a;\nloss log(a);\n");
        c.setParams(Map.of("a", new double[] {0}));
        assertEquals(Double.NEGATIVE_INFINITY, c.lossAndGradient(Map.of()));
        assertEquals(Double.POSITIVE_INFINITY, c.gradient()[0]);
    }

    @Test
    void stableFunctionsStayFiniteAtThousand() {
        double[] big = {1000, -1000};
        for (String expr : new String[] {"sigmoid(a)", "softplus(a)", "softmax(a)", "log_softmax(a)", "logsumexp(a)",
                "cross_entropy(a, softmax(a))", "bce_logits(a, sigmoid(a))"}) {
            Compiled c = Compiled.compile("stable.loss", "param a[2];\nloss sum(" + expr + ");\n");
            c.setParams(Map.of("a", big));
            double loss = c.lossAndGradient(Map.of());
            assertTrue(Double.isFinite(loss), expr + " = " + loss);
            for (double g : c.gradient()) {
                assertTrue(Double.isFinite(g), expr + " gradient " + g);
            }
        }
        // Exact limits: sigmoid saturates with a zero gradient, softplus is linear, log_softmax is exact.
        assertArrayEquals(new double[] {0, 0}, gradientAt("sigmoid(a)", 1000, -1000));
        assertArrayEquals(new double[] {1, 0}, gradientAt("softplus(a)", 1000, -1000));
        Compiled ls = Compiled.compile("ls.loss", "param a[2];\ninput t[2];\nloss cross_entropy(a, t);\n");
        ls.setParams(Map.of("a", big));
        assertEquals(2000.0, ls.lossAndGradient(Map.of("t", new double[] {0, 1})));
        assertArrayEquals(new double[] {1, -1}, ls.gradient());
    }

    @Test
    void aParameterUsedTwiceGetsTheSumOfItsAdjoints() {
        // d/dw (w*x + w*w) = x + 2w
        Compiled c = Compiled.compile("reuse.loss", "param w;\ninput x;\nloss w * x + w * w;\n");
        c.setParams(Map.of("w", new double[] {3}));
        c.lossAndGradient(Map.of("x", new double[] {5}));
        assertEquals(11.0, c.gradient()[0]);
    }

    @Test
    void aParameterInALoopGetsTheSumOverIterations() {
        // h_t = w * h_{t-1} with h_0 = x: h_T = w^T x, d/dw = T w^(T-1) x
        Compiled c = Compiled.compile("bptt.loss", "dim T = 4;\nparam w;\ninput x;\nvar h = x;\nfor t in 0..T {\n  h = w * h;\n}\nloss h;\n");
        c.setParams(Map.of("w", new double[] {1.5}));
        double loss = c.lossAndGradient(Map.of("x", new double[] {2}));
        assertEquals(2 * Math.pow(1.5, 4), loss, 1e-12);
        assertEquals(4 * Math.pow(1.5, 3) * 2, c.gradient()[0], 1e-12);
    }

    @Test
    void aLossThatIgnoresTheParamsHasAZeroGradient() {
        Compiled c = Compiled.compile("const.loss", "param w[3];\ninput x[3];\nloss sum(x * x);\n");
        c.setParams(Map.of("w", new double[] {1, 2, 3}));
        c.parameters();
        c.gradient()[1] = 42; // stale values from an earlier call must be overwritten
        assertEquals(14.0, c.lossAndGradient(Map.of("x", new double[] {1, 2, 3})));
        assertArrayEquals(new double[] {0, 0, 0}, c.gradient());
    }
}
