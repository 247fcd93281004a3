package dev.lossc.secondorder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.testing.Compiled;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Forward mode and the Hessian-vector product at the corners, where a derivative is a convention:
 * the tangent is the adjoint rule's derivative (relu'(0) = 0, abs'(0) = 0, a tie of max splits in
 * half, clamp passes at its bounds, where follows its condition), which is also PyTorch's forward
 * mode (its jvp formulas for relu, abs, maximum, clamp and where). The expected values are worked by
 * hand from those conventions.
 */
class CornersSecondOrderTest {
    private static ModelDriver model(String source) throws Exception {
        LossCompiler.Result r = LossCompiler.compile("corner.loss", source, LossCompiler.Options.DEFAULT.withDerivatives(
                EnumSet.of(LossCompiler.Derivative.HVP, LossCompiler.Derivative.JVP)));
        if (!r.ok()) {
            throw new AssertionError(r.render());
        }
        return ModelDriver.load(List.of(r), Compiled.JAVA8).get(0);
    }

    private static ModelDriver at(String source, double... params) throws Exception {
        ModelDriver m = model(source);
        m.restore(params);
        return m;
    }

    @Test
    void reluAndAbsAtZeroCarryNoTangent() throws Exception {
        // d/dt relu(t v) at 0 is relu'(0) v = 0; so is abs's; the loss's Hessian there is 2 relu'(0)^2 = 0.
        ModelDriver m = at("param a[3];\nloss sum(relu(a) * relu(a)) + sum(abs(a));\n", 0, 2, -2);
        double[] v = {1, 1, 1};
        assertEquals(0 + (2 * 2 + 1) + (-1), m.jvp(Map.of(), v), 0);
        assertArrayEquals(new double[] {0, 2, 0}, m.hvp(Map.of(), v));
    }

    @Test
    void aTieOfMaxMovesWithTheMeanOfTheTangents() throws Exception {
        // max(a, b)^2 at a = b = 1: gradient 2 m (1/2, 1/2) = (1, 1); along v, m moves by (va + vb) / 2.
        ModelDriver m = at("param a;\nparam b;\nloss max(a, b) ^ 2;\n", 1, 1);
        double[] v = {3, 1};
        assertEquals(2 * 1 * (3 + 1) / 2.0, m.jvp(Map.of(), v), 0);
        // d/dt of (m, m) = (m', m') with m' = (3 + 1) / 2 = 2.
        assertArrayEquals(new double[] {2, 2}, m.hvp(Map.of(), v));
        assertArrayEquals(new double[] {1, 1}, m.gradient());
    }

    @Test
    void clampPassesItsBoundsAndWhereFollowsItsCondition() throws Exception {
        // clamp(x, 0, 1)^2 at the upper bound: gradient 2 * 1 * 1, Hessian 2.
        ModelDriver c = at("param x;\nloss clamp(x, 0, 1) ^ 2;\n", 1);
        assertEquals(2 * 0.5, c.jvp(Map.of(), new double[] {0.5}), 0);
        assertArrayEquals(new double[] {2 * 0.5}, c.hvp(Map.of(), new double[] {0.5}));
        // where(x > 0, x * x, 3 * x) at 0 takes the linear branch: jvp 3 v, Hessian 0.
        ModelDriver w = at("param x;\nloss where(x > 0, x * x, 3 * x);\n", 0);
        assertEquals(3 * 0.25, w.jvp(Map.of(), new double[] {0.25}), 0);
        assertArrayEquals(new double[] {0}, w.hvp(Map.of(), new double[] {0.25}));
    }

    @Test
    void aLossLinearInAParamHasAZeroProductThere() throws Exception {
        ModelDriver m = at("param a;\nparam b;\nloss 3 * a + b * b;\n", 5, 7);
        assertArrayEquals(new double[] {0, 2 * 4}, m.hvp(Map.of(), new double[] {2, 4}));
        assertArrayEquals(new double[] {3, 14}, m.gradient());
    }
}
