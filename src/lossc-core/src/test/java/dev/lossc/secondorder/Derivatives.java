package dev.lossc.secondorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.ModelDriver;
import dev.lossc.ModelLayout;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checks of a class's derivatives beyond the gradient against central differences of what it
 * already computes: the Hessian-vector product against the gradient's difference along the
 * direction, the loss's and each output's jvp against their differences, and each Jacobian's
 * columns against the jvp along unit directions and its product with a direction against that jvp.
 */
public final class Derivatives {
    private Derivatives() {}

    /** A direction with entries in [-1, 1]. */
    public static double[] direction(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble(-1, 1);
        }
        return v;
    }

    /** {@code max |a - b| / (atol + rtol max(|a|, |b|))}: at most 1 when they agree. */
    public static double worst(double[] a, double[] b, double atol, double rtol) {
        assertEquals(a.length, b.length, "lengths");
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            double scale = atol + rtol * Math.max(Math.abs(a[i]), Math.abs(b[i]));
            double d = Math.abs(a[i] - b[i]) / scale;
            worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
        }
        return worst;
    }

    /** The gradient at {@code p + t v}. */
    private static double[] gradientAlong(ModelDriver m, Map<String, double[]> in, double[] p, double[] v, double t) {
        m.restore(along(p, v, t));
        m.setSeed(1);
        m.lossAndGradient(in);
        double[] g = m.gradient().clone();
        m.restore(p);
        return g;
    }

    /** A snapshot (parameters, then states) with the parameters moved by {@code t v}. */
    static double[] along(double[] snapshot, double[] v, double t) {
        double[] q = snapshot.clone();
        for (int i = 0; i < v.length; i++) {
            q[i] += t * v[i];
        }
        return q;
    }

    /**
     * As {@link #checkHvp}, trying each step in turn until one agrees: a step whose differences
     * straddle a kink (relu at 0, a max changing hands) is off there, and only there.
     */
    public static void checkHvp(ModelDriver m, Map<String, double[]> in, long seed, double[] steps, double tol) {
        AssertionError last = null;
        for (double eps : steps) {
            try {
                checkHvp(m, in, seed, eps, tol);
                return;
            } catch (AssertionError e) {
                last = e;
            }
        }
        throw last;
    }

    /** {@code hvp} against central differences of the gradient, its gradient against {@code lossAndGradient}'s, {@code jvp} against the gradient. */
    public static void checkHvp(ModelDriver m, Map<String, double[]> in, long seed, double eps, double tol) {
        double[] p = m.snapshot();
        double[] v = direction(m.parameters().length, seed);
        m.setSeed(1);
        double lossG = m.lossAndGradient(in);
        double[] g = m.gradient().clone();
        m.setSeed(1);
        double[] hv = m.hvp(in, v);
        double[] gH = m.gradient().clone();
        m.setSeed(1);
        double lossH = m.loss(in);
        assertTrue(worst(gH, g, 1e-12, 1e-9) <= 1, "hvp's gradient differs from lossAndGradient's");
        assertEquals(lossG, lossH, 1e-12 * Math.max(1, Math.abs(lossG)), "loss");
        double[] plus = gradientAlong(m, in, p, v, eps);
        double[] minus = gradientAlong(m, in, p, v, -eps);
        double[] fd = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            fd[i] = (plus[i] - minus[i]) / (2 * eps);
        }
        double w = worst(hv, fd, tol, tol);
        assertTrue(w <= 1, () -> "hvp differs from differences of the gradient by " + w + "x the tolerance\nhvp " + java.util.Arrays.toString(head(hv))
                + "\nfd  " + java.util.Arrays.toString(head(fd)));
    }

    /** The loss's jvp against the gradient dotted with the direction. */
    public static void checkJvp(ModelDriver m, Map<String, double[]> in, long seed, double tol) {
        double[] v = direction(m.parameters().length, seed);
        m.setSeed(1);
        m.lossAndGradient(in);
        double dot = 0;
        double scale = 0;
        double[] g = m.gradient();
        for (int i = 0; i < v.length; i++) {
            dot += g[i] * v[i];
            scale += Math.abs(g[i] * v[i]);
        }
        m.setSeed(1);
        double jvp = m.jvp(in, v);
        assertEquals(dot, jvp, tol * (1 + scale), "jvp against the gradient");
    }

    /** Each output's jvp against central differences, and its Jacobian against jvps along unit directions and along {@code v}. */
    public static void checkOutputs(ModelDriver m, Map<String, double[]> in, long seed, double eps, double tol) {
        double[] p = m.snapshot();
        double[] v = direction(m.parameters().length, seed);
        for (ModelLayout.Output o : m.layout().outputs()) {
            m.restore(p);
            double[] jvp = m.outputJvp(o.name(), in, v);
            m.restore(along(p, v, eps));
            double[] plus = m.output(o.name(), in);
            m.restore(along(p, v, -eps));
            double[] minus = m.output(o.name(), in);
            m.restore(p);
            double[] fd = new double[jvp.length];
            for (int i = 0; i < fd.length; i++) {
                fd[i] = (plus[i] - minus[i]) / (2 * eps);
            }
            double w = worst(jvp, fd, tol, tol);
            assertTrue(w <= 1, () -> o.name() + "_jvp differs from differences by " + w + "x the tolerance");
            if ((long) jvp.length * v.length > 4_000_000L) {
                continue;   // the Jacobian would not fit the test's heap comfortably
            }
            m.restore(p);
            double[][] jac = m.jacobian(o.name(), in);
            assertEquals(jvp.length, jac.length, "Jacobian rows");
            double[] jv = new double[jvp.length];
            for (int i = 0; i < jv.length; i++) {
                for (int j = 0; j < v.length; j++) {
                    jv[i] += jac[i][j] * v[j];
                }
            }
            double wj = worst(jv, jvp, 1e-10, 1e-9);
            assertTrue(wj <= 1, () -> o.name() + "_jacobian times v differs from " + o.name() + "_jvp by " + wj + "x the tolerance");
        }
    }

    private static double[] head(double[] a) {
        return java.util.Arrays.copyOf(a, Math.min(a.length, 8));
    }
}
