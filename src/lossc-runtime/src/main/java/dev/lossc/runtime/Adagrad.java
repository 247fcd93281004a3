package dev.lossc.runtime;

/**
 * AdaGrad, as {@code torch.optim.Adagrad}: {@code g = grad + weightDecay * p},
 * {@code clr = lr / (1 + (t - 1) * lrDecay)}, {@code s += g * g},
 * {@code p -= clr * g / (sqrt(s) + eps)}. Defaults: lr 0.01, eps 1e-10.
 */
public final class Adagrad extends Optimizer {
    private final double lrDecay;
    private final double weightDecay;
    private final double initialAccumulator;
    private final double eps;
    private final double[] sum;

    public static Adagrad of(int size, double learningRate) {
        return new Adagrad(size, learningRate, 0, 0, 0, 1e-10);
    }

    /** AdaGrad with named options, PyTorch's defaults for the rest: {@code Adagrad.builder(n).lr(0.1).eps(1e-8).build()}. */
    public static Builder builder(int size) {
        return new Builder(size);
    }

    /** Options of {@link Adagrad}, by name. */
    public static final class Builder {
        private final int size;
        private double lr = 0.01;
        private double lrDecay;
        private double weightDecay;
        private double initialAccumulator;
        private double eps = 1e-10;

        private Builder(int size) {
            this.size = size;
        }

        public Builder lr(double learningRate) {
            this.lr = learningRate;
            return this;
        }

        public Builder lrDecay(double lrDecay) {
            this.lrDecay = lrDecay;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder initialAccumulator(double value) {
            this.initialAccumulator = value;
            return this;
        }

        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        public Adagrad build() {
            return new Adagrad(size, lr, lrDecay, weightDecay, initialAccumulator, eps);
        }
    }

    public Adagrad(int size, double learningRate, double lrDecay, double weightDecay, double initialAccumulator, double eps) {
        super(size, learningRate);
        this.lrDecay = checkedAtLeast("lr decay", lrDecay, 0);
        this.weightDecay = checkedAtLeast("weight decay", weightDecay, 0);
        this.initialAccumulator = checkedAtLeast("initial accumulator value", initialAccumulator, 0);
        this.eps = checkedAtLeast("eps", eps, 0);
        this.sum = new double[size];
        clearState();
    }

    @Override
    protected void update(double[] p, double[] grad, double lr, long step) {
        double clr = lr / (1 + (step - 1) * lrDecay);
        for (int i = 0; i < p.length; i++) {
            double g = weightDecay != 0 ? grad[i] + weightDecay * p[i] : grad[i];
            sum[i] += g * g;
            p[i] += -clr * (g / (Math.sqrt(sum[i]) + eps));
        }
    }

    @Override
    protected java.util.Map<String, double[]> buffers() {
        java.util.Map<String, double[]> b = new java.util.LinkedHashMap<>();
        b.put("sum", sum);
        return b;
    }

    @Override
    protected void clearState() {
        java.util.Arrays.fill(sum, initialAccumulator);
    }
}
