package dev.lossc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link NewtonCg} on functions whose Hessians are written out here: a quadratic (full steps) and the Rosenbrock function. */
class NewtonCgTest {
    @Test
    void solvesAQuadraticWithFullSteps() {
        // f = 1/2 p^T A p - b^T p with A = [[4, 1], [1, 3]]: the minimum is A^-1 b.
        double[][] a = {{4, 1}, {1, 3}};
        double[] b = {1, 2};
        double[] p = {5, -7};
        double[] g = new double[2];
        NewtonCg newton = NewtonCg.of(2);
        NewtonCg.Loss f = () -> 0.5 * (p[0] * (a[0][0] * p[0] + a[0][1] * p[1]) + p[1] * (a[1][0] * p[0] + a[1][1] * p[1])) - b[0] * p[0] - b[1] * p[1];
        // The CG residual is only cut to min(0.5, sqrt|g|) |g| per step: a few steps, full ones (until rounding is all that is left).
        for (int k = 0; k < 6; k++) {
            newton.step(p, g, (v, out) -> {
                for (int i = 0; i < 2; i++) {
                    g[i] = a[i][0] * p[0] + a[i][1] * p[1] - b[i];
                    out[i] = a[i][0] * v[0] + a[i][1] * v[1];
                }
                return f.evaluate();
            }, f);
            if (k < 3) {
                assertEquals(1.0, newton.lastStep(), "step " + k);
            }
        }
        assertEquals(1.0 / 11, p[0], 1e-12);
        assertEquals(7.0 / 11, p[1], 1e-12);
    }

    @Test
    void convergesOnRosenbrock() {
        double[] p = {-1.2, 1.0, -0.5, 0.8};
        double[] g = new double[4];
        NewtonCg newton = NewtonCg.of(4);
        NewtonCg.Loss f = () -> LbfgsTest.rosenbrock(p, new double[4]);
        double loss = Double.NaN;
        for (int k = 0; k < 60; k++) {
            loss = newton.step(p, g, (v, out) -> {
                double value = LbfgsTest.rosenbrock(p, g);
                // The Rosenbrock Hessian times v, written out.
                java.util.Arrays.fill(out, 0);
                for (int i = 0; i + 1 < p.length; i++) {
                    double hii = 2 - 400 * (p[i + 1] - p[i] * p[i]) + 800 * p[i] * p[i];
                    double hij = -400 * p[i];
                    out[i] += hii * v[i] + hij * v[i + 1];
                    out[i + 1] += hij * v[i] + 200 * v[i + 1];
                }
                return value;
            }, f);
        }
        assertTrue(loss < 1e-12, "loss " + loss);
        for (double x : p) {
            assertEquals(1.0, x, 1e-6);
        }
    }
}
