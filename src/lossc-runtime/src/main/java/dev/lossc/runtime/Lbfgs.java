package dev.lossc.runtime;

/**
 * L-BFGS with {@code torch.optim.LBFGS}'s semantics (PyTorch 1.13): the same defaults, the same
 * two-loop recursion, history and stopping rules, and its strong-Wolfe line search (cubic
 * interpolation, PyTorch's {@code _strong_wolfe}) when asked for. Like PyTorch's, one
 * {@link #step} runs up to {@code maxIter} iterations and re-evaluates the loss through a closure:
 *
 * <pre>{@code
 * Lbfgs lbfgs = Lbfgs.builder(net.parameters().length).strongWolfe(true).build();
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     lbfgs.step(net.parameters(), net.gradient(), () -> net.lossAndGradient(x, y));
 * }
 * }</pre>
 *
 * <p>The closure computes the loss at the current {@code params} and writes its gradient into
 * {@code grad} (the generated class's {@code lossAndGradient}). It is meant for full batches or
 * large ones: the line search compares losses of one function.
 *
 * <p>Memory: the direction, the previous gradient and a few work arrays of the parameter count, and
 * {@code historySize} pairs of correction arrays, each allocated the first time it is used (PyTorch
 * keeps as many); once the history is full, a step allocates nothing. Not thread-safe.
 */
public final class Lbfgs {
    /** Re-evaluates the model at the current parameters: returns the loss and leaves its gradient in the gradient array. */
    @FunctionalInterface
    public interface Closure {
        double evaluate();
    }

    private final int size;
    private double lr;
    private final int maxIter;
    private final int maxEval;
    private final double toleranceGrad;
    private final double toleranceChange;
    private final int historySize;
    private final boolean strongWolfe;

    // State kept across steps (PyTorch's state dict).
    private final double[] d;
    private final double[] flatGrad;
    private final double[] prevFlatGrad;
    private double t;
    private final double[][] oldDirs;
    private final double[][] oldStps;
    private final double[] ro;
    private final double[] al;
    /** The ring of the history: its oldest entry and how many it holds. */
    private int first;
    private int count;
    private double hDiag = 1;
    private long nIter;
    private long funcEvals;
    // Work arrays.
    private final double[] xInit;
    private final double[] gPrev;
    private final double[] gNew;
    private final double[] bracketG0;
    private final double[] bracketG1;
    /** The line search's bracket: its steps, losses and slopes. */
    private final double[] br = new double[2];
    private final double[] brF = new double[2];
    private final double[] brGtd = new double[2];

    private Lbfgs(Builder b) {
        this.size = b.size;
        this.lr = b.lr;
        this.maxIter = b.maxIter;
        this.maxEval = b.maxEval > 0 ? b.maxEval : b.maxIter * 5 / 4;
        this.toleranceGrad = b.toleranceGrad;
        this.toleranceChange = b.toleranceChange;
        this.historySize = b.historySize;
        this.strongWolfe = b.strongWolfe;
        d = new double[size];
        flatGrad = new double[size];
        prevFlatGrad = new double[size];
        oldDirs = new double[historySize][];
        oldStps = new double[historySize][];
        ro = new double[historySize];
        al = new double[historySize];
        xInit = new double[size];
        gPrev = new double[size];
        gNew = new double[size];
        bracketG0 = new double[size];
        bracketG1 = new double[size];
    }

    /** An L-BFGS for {@code size} parameters with PyTorch's defaults (lr 1, 20 iterations per step, history 100, no line search). */
    public static Lbfgs of(int size) {
        return builder(size).build();
    }

    public static Builder builder(int size) {
        return new Builder(size);
    }

    /** {@code torch.optim.LBFGS}'s options, with its defaults. */
    public static final class Builder {
        private final int size;
        private double lr = 1;
        private int maxIter = 20;
        private int maxEval;
        private double toleranceGrad = 1e-7;
        private double toleranceChange = 1e-9;
        private int historySize = 100;
        private boolean strongWolfe;

        private Builder(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("size must be 0 or more, but it is " + size);
            }
            this.size = size;
        }

        /** The step length (PyTorch's {@code lr}, default 1), a finite number above 0. */
        public Builder lr(double v) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("lr must be a finite number above 0, but it is " + v);
            }
            lr = v;
            return this;
        }

        /** Iterations per {@link #step} (default 20), at least 1. */
        public Builder maxIter(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("maxIter must be at least 1, but it is " + v);
            }
            maxIter = v;
            return this;
        }

        /** Evaluations per step (default {@code maxIter * 5 / 4}), at least 1. */
        public Builder maxEval(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("maxEval must be at least 1, but it is " + v);
            }
            maxEval = v;
            return this;
        }

        /** A step stops once every gradient entry is at most this in size (default 1e-7). */
        public Builder toleranceGrad(double v) {
            toleranceGrad = nonNegative("toleranceGrad", v);
            return this;
        }

        /** A step stops once the loss or the parameters change by less than this (default 1e-9). */
        public Builder toleranceChange(double v) {
            toleranceChange = nonNegative("toleranceChange", v);
            return this;
        }

        /** Correction pairs kept (default 100), at least 1. */
        public Builder historySize(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("historySize must be at least 1, but it is " + v);
            }
            historySize = v;
            return this;
        }

        /** PyTorch's {@code line_search_fn="strong_wolfe"} (default: none, a fixed step of {@code lr}). */
        public Builder strongWolfe(boolean on) {
            strongWolfe = on;
            return this;
        }

        public Lbfgs build() {
            return new Lbfgs(this);
        }

        private static double nonNegative(String name, double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(name + " must be a finite number of 0 or more, but it is " + v);
            }
            return v;
        }
    }

    /** Sets the step length ({@code lr}, a learning-rate schedule's), a finite number above 0. */
    public void setLearningRate(double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("lr must be a finite number above 0, but it is " + v);
        }
        lr = v;
    }

    /** Loss evaluations so far, over every step (PyTorch's {@code func_evals}). */
    public long functionEvaluations() {
        return funcEvals;
    }

    /** Iterations so far, over every step (PyTorch's {@code n_iter}). */
    public long iterations() {
        return nIter;
    }

    /**
     * Up to {@code maxIter} iterations from the current {@code params}, which it updates in place;
     * {@code closure} evaluates the loss there and writes its gradient into {@code grad}. Returns the
     * loss at the start of the step (as PyTorch's {@code step(closure)} does).
     */
    public double step(double[] params, double[] grad, Closure closure) {
        if (params == null || grad == null || params.length != size || grad.length != size) {
            throw new IllegalArgumentException("params and grad must have length " + size + ", but they have "
                    + (params == null ? "null" : Integer.toString(params.length)) + " and " + (grad == null ? "null" : Integer.toString(grad.length)));
        }
        double origLoss = closure.evaluate();
        double loss = origLoss;
        int currentEvals = 1;
        funcEvals++;
        System.arraycopy(grad, 0, flatGrad, 0, size);
        if (maxAbs(flatGrad) <= toleranceGrad) {
            return origLoss;
        }
        double prevLoss;
        int n = 0;
        while (n < maxIter) {
            n++;
            nIter++;
            if (nIter == 1) {
                for (int i = 0; i < size; i++) {
                    d[i] = -flatGrad[i];
                }
                count = 0;
                first = 0;
                hDiag = 1;
            } else {
                // y = g - g_prev and s = d t, kept when y s > 1e-10.
                double ys = 0;
                for (int i = 0; i < size; i++) {
                    ys += (flatGrad[i] - prevFlatGrad[i]) * (d[i] * t);
                }
                if (ys > 1e-10) {
                    int slot;
                    if (count == historySize) {
                        slot = first;
                        first = (first + 1) % historySize;
                    } else {
                        slot = (first + count) % historySize;
                        count++;
                    }
                    if (oldDirs[slot] == null) {
                        oldDirs[slot] = new double[size];
                        oldStps[slot] = new double[size];
                    }
                    double[] y = oldDirs[slot];
                    double[] s = oldStps[slot];
                    double yy = 0;
                    for (int i = 0; i < size; i++) {
                        y[i] = flatGrad[i] - prevFlatGrad[i];
                        s[i] = d[i] * t;
                    }
                    for (int i = 0; i < size; i++) {
                        yy += y[i] * y[i];
                    }
                    ro[slot] = 1.0 / ys;
                    hDiag = ys / yy;
                }
                // The two-loop recursion: d = -H g.
                for (int i = 0; i < size; i++) {
                    d[i] = -flatGrad[i];
                }
                for (int k = count - 1; k >= 0; k--) {
                    int slot = (first + k) % historySize;
                    al[k] = dot(oldStps[slot], d) * ro[slot];
                    double a = al[k];
                    double[] y = oldDirs[slot];
                    for (int i = 0; i < size; i++) {
                        d[i] += y[i] * -a;
                    }
                }
                for (int i = 0; i < size; i++) {
                    d[i] = d[i] * hDiag;
                }
                for (int k = 0; k < count; k++) {
                    int slot = (first + k) % historySize;
                    double be = dot(oldDirs[slot], d) * ro[slot];
                    double a = al[k] - be;
                    double[] s = oldStps[slot];
                    for (int i = 0; i < size; i++) {
                        d[i] += s[i] * a;
                    }
                }
            }
            System.arraycopy(flatGrad, 0, prevFlatGrad, 0, size);
            prevLoss = loss;
            if (nIter == 1) {
                double l1 = 0;
                for (double g : flatGrad) {
                    l1 += Math.abs(g);
                }
                t = Math.min(1.0, 1.0 / l1) * lr;
            } else {
                t = lr;
            }
            double gtd = dot(flatGrad, d);
            if (gtd > -toleranceChange) {
                break;
            }
            int lsEvals = 0;
            boolean optCond = false;
            if (strongWolfe) {
                System.arraycopy(params, 0, xInit, 0, size);
                loss = strongWolfe(params, grad, closure, loss, gtd);
                lsEvals = lastSearchEvals;
                for (int i = 0; i < size; i++) {
                    params[i] += t * d[i];
                }
                optCond = maxAbs(flatGrad) <= toleranceGrad;
            } else {
                for (int i = 0; i < size; i++) {
                    params[i] += t * d[i];
                }
                if (n != maxIter) {
                    loss = closure.evaluate();
                    System.arraycopy(grad, 0, flatGrad, 0, size);
                    optCond = maxAbs(flatGrad) <= toleranceGrad;
                    lsEvals = 1;
                }
            }
            currentEvals += lsEvals;
            funcEvals += lsEvals;
            if (n == maxIter || currentEvals >= maxEval || optCond) {
                break;
            }
            double change = 0;
            for (int i = 0; i < size; i++) {
                change = Math.max(change, Math.abs(d[i] * t));
            }
            if (change <= toleranceChange || Math.abs(loss - prevLoss) < toleranceChange) {
                break;
            }
        }
        return origLoss;
    }

    private int lastSearchEvals;

    /** The loss and gradient at {@code xInit + step d}; the parameters are put back after. */
    private double evaluateAt(double[] params, double[] grad, Closure closure, double step, double[] gradOut) {
        for (int i = 0; i < size; i++) {
            params[i] += step * d[i];
        }
        double f = closure.evaluate();
        System.arraycopy(grad, 0, gradOut, 0, size);
        System.arraycopy(xInit, 0, params, 0, size);
        return f;
    }

    /**
     * PyTorch's {@code _strong_wolfe} (c1 = 1e-4, c2 = 0.9, 25 evaluations at most): sets {@link #t}
     * and {@link #flatGrad} to the accepted step and its gradient, and returns its loss.
     */
    private double strongWolfe(double[] params, double[] grad, Closure closure, double f, double gtd) {
        final double c1 = 1e-4;
        final double c2 = 0.9;
        final int maxLs = 25;
        double dNorm = maxAbs(d);
        // flatGrad holds g; gPrev starts as a copy of it.
        System.arraycopy(flatGrad, 0, gPrev, 0, size);
        double step = t;
        double fNew = evaluateAt(params, grad, closure, step, gNew);
        int evals = 1;
        double gtdNew = dot(gNew, d);
        double tPrev = 0;
        double fPrev = f;
        double gtdPrev = gtd;
        boolean done = false;
        int lsIter = 0;
        // The bracket: up to two points, their losses, gradients (bracketG0/1) and slopes.
        int brSize = 0;
        while (lsIter < maxLs) {
            if (fNew > f + c1 * step * gtd || lsIter > 1 && fNew >= fPrev) {
                brSize = bracket(tPrev, fPrev, gPrev, gtdPrev, step, fNew, gNew, gtdNew);
                break;
            }
            if (Math.abs(gtdNew) <= -c2 * gtd) {
                brSize = 1;
                br[0] = step;
                brF[0] = fNew;
                System.arraycopy(gNew, 0, bracketG0, 0, size);
                done = true;
                break;
            }
            if (gtdNew >= 0) {
                brSize = bracket(tPrev, fPrev, gPrev, gtdPrev, step, fNew, gNew, gtdNew);
                break;
            }
            double minStep = step + 0.01 * (step - tPrev);
            double maxStep = step * 10;
            double tmp = step;
            step = cubicInterpolate(tPrev, fPrev, gtdPrev, step, fNew, gtdNew, minStep, maxStep);
            tPrev = tmp;
            fPrev = fNew;
            System.arraycopy(gNew, 0, gPrev, 0, size);
            gtdPrev = gtdNew;
            fNew = evaluateAt(params, grad, closure, step, gNew);
            evals++;
            gtdNew = dot(gNew, d);
            lsIter++;
        }
        if (lsIter == maxLs) {
            // PyTorch leaves the slopes of this bracket unset: the zoom below does not run.
            brSize = bracket(0, f, flatGrad, brGtd[0], step, fNew, gNew, brGtd[1]);
        }
        boolean insufProgress = false;
        int low = brF[0] <= brF[brSize - 1] ? 0 : 1;
        int high = 1 - low;
        while (!done && lsIter < maxLs) {
            if (Math.abs(br[1] - br[0]) * dNorm < toleranceChange) {
                break;
            }
            step = cubicInterpolate(br[0], brF[0], brGtd[0], br[1], brF[1], brGtd[1], Double.NaN, Double.NaN);
            double hi = Math.max(br[0], br[1]);
            double lo = Math.min(br[0], br[1]);
            double eps = 0.1 * (hi - lo);
            if (Math.min(hi - step, step - lo) < eps) {
                if (insufProgress || step >= hi || step <= lo) {
                    step = Math.abs(step - hi) < Math.abs(step - lo) ? hi - eps : lo + eps;
                    insufProgress = false;
                } else {
                    insufProgress = true;
                }
            } else {
                insufProgress = false;
            }
            fNew = evaluateAt(params, grad, closure, step, gNew);
            evals++;
            gtdNew = dot(gNew, d);
            lsIter++;
            if (fNew > f + c1 * step * gtd || fNew >= brF[low]) {
                br[high] = step;
                brF[high] = fNew;
                System.arraycopy(gNew, 0, high == 0 ? bracketG0 : bracketG1, 0, size);
                brGtd[high] = gtdNew;
                low = brF[0] <= brF[1] ? 0 : 1;
                high = 1 - low;
            } else {
                if (Math.abs(gtdNew) <= -c2 * gtd) {
                    done = true;
                } else if (gtdNew * (br[high] - br[low]) >= 0) {
                    br[high] = br[low];
                    brF[high] = brF[low];
                    System.arraycopy(low == 0 ? bracketG0 : bracketG1, 0, high == 0 ? bracketG0 : bracketG1, 0, size);
                    brGtd[high] = brGtd[low];
                }
                br[low] = step;
                brF[low] = fNew;
                System.arraycopy(gNew, 0, low == 0 ? bracketG0 : bracketG1, 0, size);
                brGtd[low] = gtdNew;
            }
        }
        t = br[low];
        System.arraycopy(low == 0 ? bracketG0 : bracketG1, 0, flatGrad, 0, size);
        lastSearchEvals = evals;
        return brF[low];
    }

    /** The bracket {@code [t0, t1]}: its steps, losses, gradients (copied) and slopes. Returns its size, 2. */
    private int bracket(double t0, double f0, double[] g0, double gtd0, double t1, double f1, double[] g1, double gtd1) {
        br[0] = t0;
        br[1] = t1;
        brF[0] = f0;
        brF[1] = f1;
        System.arraycopy(g0, 0, bracketG0, 0, size);
        System.arraycopy(g1, 0, bracketG1, 0, size);
        brGtd[0] = gtd0;
        brGtd[1] = gtd1;
        return 2;
    }

    /** PyTorch's {@code _cubic_interpolate}: the minimizer of the cubic through two points with slopes, clamped to the bounds (NaN: the points). */
    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, double boundLo, double boundHi) {
        double lo;
        double hi;
        if (!Double.isNaN(boundLo)) {
            lo = boundLo;
            hi = boundHi;
        } else if (x1 <= x2) {
            lo = x1;
            hi = x2;
        } else {
            lo = x2;
            hi = x1;
        }
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0) {
            double d2 = Math.sqrt(d2Square);
            double minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Math.min(Math.max(minPos, lo), hi);
        }
        return (lo + hi) / 2.0;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
