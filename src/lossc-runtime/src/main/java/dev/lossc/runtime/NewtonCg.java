package dev.lossc.runtime;

/**
 * Newton-CG (truncated Newton, as SciPy's {@code minimize(method="Newton-CG")}): each step solves
 * {@code H p = -g} approximately by conjugate gradients on Hessian-vector products, stopping at
 * the residual {@code min(0.5, sqrt|g|) |g|} or at negative curvature (then the last direction, or
 * {@code -g} on the first CG iteration), and moves along {@code p} with a backtracking (Armijo)
 * line search from a full step. It needs a class generated with {@code --derivatives hvp}:
 *
 * <pre>{@code
 * NewtonCg newton = NewtonCg.of(net.parameters().length);
 * for (int k = 0; k < 20; k++) {
 *     newton.step(net.parameters(), net.gradient(),
 *             (v, out) -> net.hvp(x, y, v, out),     // the loss; its gradient and H v
 *             () -> net.loss(x, y));                 // the loss only, for the line search
 * }
 * }</pre>
 *
 * <p>Every array is allocated by the constructor: a step allocates nothing. Not thread-safe.
 */
public final class NewtonCg {
    /** Computes the loss at the current parameters, its gradient into the gradient array and its Hessian times {@code v} into {@code out}. */
    @FunctionalInterface
    public interface HessianVector {
        double apply(double[] v, double[] out);
    }

    /** Computes the loss at the current parameters. */
    @FunctionalInterface
    public interface Loss {
        double evaluate();
    }

    private final int size;
    private final int maxCg;
    private final double[] g;
    private final double[] p;
    private final double[] r;
    private final double[] d;
    private final double[] hd;
    private final double[] x0;
    private int lastCgIterations;
    private double lastStep;

    private NewtonCg(int size, int maxCg) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be 0 or more, but it is " + size);
        }
        if (maxCg < 1) {
            throw new IllegalArgumentException("maxCg must be at least 1, but it is " + maxCg);
        }
        this.size = size;
        this.maxCg = maxCg;
        g = new double[size];
        p = new double[size];
        r = new double[size];
        d = new double[size];
        hd = new double[size];
        x0 = new double[size];
    }

    /** For {@code size} parameters, at most {@code 20 * size} CG iterations per step (SciPy's bound, capped at 200). */
    public static NewtonCg of(int size) {
        return new NewtonCg(size, Math.max(1, Math.min(200, 20 * size)));
    }

    /** For {@code size} parameters, at most {@code maxCg} CG iterations per step. */
    public static NewtonCg of(int size, int maxCg) {
        return new NewtonCg(size, maxCg);
    }

    /** CG iterations of the last step. */
    public int lastCgIterations() {
        return lastCgIterations;
    }

    /** The step length the last line search took (1: a full Newton step; 0: no decrease found, parameters unchanged). */
    public double lastStep() {
        return lastStep;
    }

    /**
     * One Newton-CG step from {@code params} (updated in place). {@code hvp} evaluates the loss, its
     * gradient into {@code grad} and a Hessian-vector product; {@code loss} the loss alone. Returns the
     * loss at the start of the step.
     */
    public double step(double[] params, double[] grad, HessianVector hvp, Loss loss) {
        if (params == null || grad == null || params.length != size || grad.length != size) {
            throw new IllegalArgumentException("params and grad must have length " + size);
        }
        // r = -g - H p with p = 0: the first product gives the loss and gradient (its vector is zero).
        java.util.Arrays.fill(p, 0.0);
        double f0 = hvp.apply(p, hd);
        System.arraycopy(grad, 0, g, 0, size);
        double gNorm = Math.sqrt(dot(g, g));
        if (gNorm == 0) {
            lastCgIterations = 0;
            lastStep = 0;
            return f0;
        }
        double tolerance = Math.min(0.5, Math.sqrt(gNorm)) * gNorm;
        for (int i = 0; i < size; i++) {
            r[i] = -g[i];
            d[i] = r[i];
        }
        double rr = dot(r, r);
        int k = 0;
        while (k < maxCg && Math.sqrt(rr) > tolerance) {
            hvp.apply(d, hd);
            double curvature = dot(d, hd);
            if (curvature <= 0) {
                if (k == 0) {
                    System.arraycopy(r, 0, p, 0, size);
                }
                break;
            }
            double alpha = rr / curvature;
            for (int i = 0; i < size; i++) {
                p[i] += alpha * d[i];
                r[i] -= alpha * hd[i];
            }
            double rrNew = dot(r, r);
            double beta = rrNew / rr;
            for (int i = 0; i < size; i++) {
                d[i] = r[i] + beta * d[i];
            }
            rr = rrNew;
            k++;
        }
        lastCgIterations = k;
        // Armijo backtracking from the full step.
        double slope = dot(g, p);
        System.arraycopy(params, 0, x0, 0, size);
        double t = 1;
        lastStep = 0;
        for (int tries = 0; tries < 30; tries++) {
            for (int i = 0; i < size; i++) {
                params[i] = x0[i] + t * p[i];
            }
            double f = loss.evaluate();
            if (f <= f0 + 1e-4 * t * slope) {
                lastStep = t;
                return f0;
            }
            t *= 0.5;
        }
        System.arraycopy(x0, 0, params, 0, size);
        return f0;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
