package dev.lossc.runtime;

/**
 * RMSprop, as {@code torch.optim.RMSprop}: {@code g = grad + weightDecay * p},
 * {@code a = alpha * a + (1 - alpha) * g * g}; centred, {@code m = alpha * m + (1 - alpha) * g}
 * and {@code d = sqrt(a - m * m) + eps}, else {@code d = sqrt(a) + eps}; with momentum
 * {@code b = momentum * b + g / d} and {@code p -= lr * b}, else {@code p -= lr * g / d}.
 * Defaults: lr 0.01, alpha 0.99, eps 1e-8.
 */
public final class RmsProp extends Optimizer {
    private final double alpha;
    private final double eps;
    private final double weightDecay;
    private final double momentum;
    private final double[] squareAverage;
    private final double[] gradAverage;
    private final double[] buffer;

    public static RmsProp of(int size, double learningRate) {
        return new RmsProp(size, learningRate, 0.99, 1e-8, 0, 0, false);
    }

    /** RMSprop with named options, PyTorch's defaults for the rest: {@code RmsProp.builder(n).lr(0.001).centered(true).build()}. */
    public static Builder builder(int size) {
        return new Builder(size);
    }

    /** Options of {@link RmsProp}, by name. */
    public static final class Builder {
        private final int size;
        private double lr = 0.01;
        private double alpha = 0.99;
        private double eps = 1e-8;
        private double weightDecay;
        private double momentum;
        private boolean centered;

        private Builder(int size) {
            this.size = size;
        }

        public Builder lr(double learningRate) {
            this.lr = learningRate;
            return this;
        }

        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        public RmsProp build() {
            return new RmsProp(size, lr, alpha, eps, weightDecay, momentum, centered);
        }
    }

    public RmsProp(int size, double learningRate, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        super(size, learningRate);
        this.alpha = checkedAtLeast("alpha", alpha, 0);
        this.eps = checkedAtLeast("eps", eps, 0);
        this.weightDecay = checkedAtLeast("weight decay", weightDecay, 0);
        this.momentum = checkedAtLeast("momentum", momentum, 0);
        this.squareAverage = new double[size];
        this.gradAverage = centered ? new double[size] : null;
        this.buffer = momentum > 0 ? new double[size] : null;
    }

    @Override
    protected void update(double[] p, double[] grad, double lr, long step) {
        for (int i = 0; i < p.length; i++) {
            double g = weightDecay != 0 ? grad[i] + weightDecay * p[i] : grad[i];
            double a = squareAverage[i] * alpha + (1 - alpha) * (g * g);
            squareAverage[i] = a;
            double d;
            if (gradAverage != null) {
                double m = gradAverage[i] * alpha + (1 - alpha) * g;
                gradAverage[i] = m;
                d = Math.sqrt(a + -1 * (m * m)) + eps;
            } else {
                d = Math.sqrt(a) + eps;
            }
            if (buffer != null) {
                double b = buffer[i] * momentum + g / d;
                buffer[i] = b;
                p[i] += -lr * b;
            } else {
                p[i] += -lr * (g / d);
            }
        }
    }

    @Override
    protected java.util.Map<String, double[]> buffers() {
        java.util.Map<String, double[]> b = new java.util.LinkedHashMap<>();
        b.put("square_avg", squareAverage);
        if (gradAverage != null) {
            b.put("grad_avg", gradAverage);
        }
        if (buffer != null) {
            b.put("momentum_buffer", buffer);
        }
        return b;
    }

    @Override
    protected void clearState() {
        java.util.Arrays.fill(squareAverage, 0.0);
        if (gradAverage != null) {
            java.util.Arrays.fill(gradAverage, 0.0);
        }
        if (buffer != null) {
            java.util.Arrays.fill(buffer, 0.0);
        }
    }
}
