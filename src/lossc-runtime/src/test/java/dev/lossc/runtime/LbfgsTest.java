package dev.lossc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Lbfgs} against trajectories recorded from {@code torch.optim.LBFGS} by
 * {@code tools/lbfgs_reference.py} (float64): on the Rosenbrock function and a logistic regression,
 * with and without the strong-Wolfe line search and with short histories, the loss each step
 * returns, the parameters after it, and the evaluations and iterations so far. PyTorch's dot
 * products sum in another order, so values agree to 1e-9 relative, not to the bit.
 */
class LbfgsTest {
    private static final Map<String, Object> REFERENCE = TorchOptimTest.read("/torch_lbfgs.json");

    private static <T> T get(Object map, String key) {
        return TorchOptimTest.get(map, key);
    }

    private static double[] doubles(Object list) {
        return TorchOptimTest.doubles(list);
    }

    /** The Rosenbrock function and its gradient. */
    static double rosenbrock(double[] p, double[] g) {
        java.util.Arrays.fill(g, 0);
        double f = 0;
        for (int i = 0; i + 1 < p.length; i++) {
            double a = 1 - p[i];
            double b = p[i + 1] - p[i] * p[i];
            f += a * a + 100 * b * b;
            g[i] += -2 * a - 400 * b * p[i];
            g[i + 1] += 200 * b;
        }
        return f;
    }

    /** Mean binary cross-entropy with logits of {@code X p[0..3] + p[3]} against Y, plus 0.01 |p[0..3]|²; and its gradient. */
    static double logistic(double[][] x, double[] y, double[] p, double[] g) {
        java.util.Arrays.fill(g, 0);
        double f = 0;
        int n = y.length;
        for (int r = 0; r < n; r++) {
            double z = x[r][0] * p[0] + x[r][1] * p[1] + x[r][2] * p[2] + p[3];
            f += Math.max(z, 0) - z * y[r] + Math.log1p(Math.exp(-Math.abs(z)));
            double s = 1 / (1 + Math.exp(-z)) - y[r];
            for (int j = 0; j < 3; j++) {
                g[j] += s * x[r][j] / n;
            }
            g[3] += s / n;
        }
        f /= n;
        for (int j = 0; j < 3; j++) {
            f += 0.01 * p[j] * p[j];
            g[j] += 0.02 * p[j];
        }
        return f;
    }

    @TestFactory
    Stream<DynamicTest> followsTorchTrajectories() {
        List<Object> runs = get(REFERENCE, "runs");
        List<Object> xs = get(get(REFERENCE, "data"), "X");
        double[][] x = xs.stream().map(LbfgsTest::doubles).toArray(double[][]::new);
        double[] y = doubles(get(get(REFERENCE, "data"), "Y"));
        return runs.stream().map(run -> DynamicTest.dynamicTest(get(run, "function") + " " + get(run, "options"), () -> {
            Map<String, Object> o = get(run, "options");
            Lbfgs.Builder b = Lbfgs.builder(4);
            if (o.containsKey("lr")) {
                b.lr(((Number) o.get("lr")).doubleValue());
            }
            if (o.containsKey("max_iter")) {
                b.maxIter(((Number) o.get("max_iter")).intValue());
            }
            if (o.containsKey("history_size")) {
                b.historySize(((Number) o.get("history_size")).intValue());
            }
            if (o.containsKey("tolerance_change")) {
                b.toleranceChange(((Number) o.get("tolerance_change")).doubleValue());
            }
            b.strongWolfe("strong_wolfe".equals(o.get("line_search_fn")));
            Lbfgs lbfgs = b.build();
            double[] p = doubles(get(run, "start"));
            double[] g = new double[4];
            boolean rosen = "rosenbrock".equals(get(run, "function"));
            List<Object> steps = get(run, "steps");
            boolean chaotic = rosen && o.isEmpty();
            double tol = chaotic ? 1e-6 : 1e-9;
            for (int k = 0; k < steps.size(); k++) {
                double loss = lbfgs.step(p, g, () -> rosen ? rosenbrock(p, g) : logistic(x, y, p, g));
                Object expected = steps.get(k);
                assertEquals(((Number) get(expected, "func_evals")).longValue(), lbfgs.functionEvaluations(), "evaluations after step " + k);
                assertEquals(((Number) get(expected, "n_iter")).longValue(), lbfgs.iterations(), "iterations after step " + k);
                if (chaotic && k > 2) {
                    continue;
                }
                double want = ((Number) get(expected, "loss")).doubleValue();
                assertEquals(want, loss, tol * Math.max(1, Math.abs(want)), "loss of step " + k);
                double[] params = doubles(get(expected, "params"));
                for (int i = 0; i < 4; i++) {
                    assertEquals(params[i], p[i], tol * Math.max(1, Math.abs(params[i])), "param " + i + " after step " + k);
                }
            }
        }));
    }

    @Test
    void aStepAllocatesNothingOnceItsHistoryIsFull() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int n = 200;
        double[] p = new double[n];
        double[] g = new double[n];
        // A convex quadratic, sum (i + 1) (p_i - 1)^2, restarted far away before each step.
        Lbfgs.Closure f = () -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += (i + 1) * (p[i] - 1) * (p[i] - 1);
                g[i] = 2 * (i + 1) * (p[i] - 1);
            }
            return s;
        };
        for (boolean wolfe : new boolean[] {false, true}) {
            Lbfgs lbfgs = Lbfgs.builder(n).historySize(4).maxIter(10).strongWolfe(wolfe).build();
            for (int k = 0; k < 300; k++) {
                java.util.Arrays.fill(p, k % 7);
                lbfgs.step(p, g, f);
            }
            long before = bean.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int k = 0; k < 100; k++) {
                java.util.Arrays.fill(p, k % 7);
                lbfgs.step(p, g, f);
            }
            long bytes = bean.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertTrue(bytes / 100 == 0, "a step allocates " + bytes / 100.0 + " bytes (strong Wolfe " + wolfe + ")");
        }
    }

    @Test
    void badSettingsAreRefusedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lbfgs.builder(3).lr(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Lbfgs.builder(3).historySize(0));
        Lbfgs l = Lbfgs.of(3);
        e = assertThrows(IllegalArgumentException.class, () -> l.step(new double[2], new double[3], () -> 0));
        assertTrue(e.getMessage().contains("length 3"), e.getMessage());
    }
}
