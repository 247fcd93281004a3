package dev.lossc.runtime;

/**
 * Stochastic gradient descent, as {@code torch.optim.SGD}: with weight decay
 * {@code g = grad + weightDecay * p}; with momentum {@code b = g} on the first step, then
 * {@code b = momentum * b + (1 - dampening) * g}, and {@code g = g + momentum * b} (Nesterov) or
 * {@code g = b}; finally {@code p -= lr * g}.
 */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;
    private final double[] buffer;

    /** Plain SGD: {@code p -= lr * grad}. */
    public static Sgd of(int size, double learningRate) {
        return new Sgd(size, learningRate, 0, 0, 0, false);
    }

    /** SGD with named options, PyTorch's defaults for the rest: {@code Sgd.builder(n).lr(0.1).momentum(0.9).nesterov(true).build()}. */
    public static Builder builder(int size) {
        return new Builder(size);
    }

    /** Options of {@link Sgd}, by name. */
    public static final class Builder {
        private final int size;
        private double lr = 0.01;
        private double momentum;
        private double dampening;
        private double weightDecay;
        private boolean nesterov;

        private Builder(int size) {
            this.size = size;
        }

        public Builder lr(double learningRate) {
            this.lr = learningRate;
            return this;
        }

        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder dampening(double dampening) {
            this.dampening = dampening;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        public Sgd build() {
            return new Sgd(size, lr, momentum, dampening, weightDecay, nesterov);
        }
    }

    /**
     * Every option of {@code torch.optim.SGD}; Nesterov momentum needs a positive momentum and no
     * dampening (as PyTorch checks).
     */
    public Sgd(int size, double learningRate, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(size, learningRate);
        this.momentum = checkedAtLeast("momentum", momentum, 0);
        this.dampening = checkedAtLeast("dampening", dampening, Double.NEGATIVE_INFINITY);
        this.weightDecay = checkedAtLeast("weight decay", weightDecay, 0);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }
        this.nesterov = nesterov;
        this.buffer = momentum != 0 ? new double[size] : null;
    }

    @Override
    protected void update(double[] p, double[] grad, double lr, long step) {
        for (int i = 0; i < p.length; i++) {
            double g = weightDecay != 0 ? grad[i] + weightDecay * p[i] : grad[i];
            if (buffer != null) {
                double b = step == 1 ? g : momentum * buffer[i] + (1 - dampening) * g;
                buffer[i] = b;
                g = nesterov ? g + momentum * b : b;
            }
            p[i] -= lr * g;
        }
    }

    @Override
    protected java.util.Map<String, double[]> buffers() {
        java.util.Map<String, double[]> b = new java.util.LinkedHashMap<>();
        if (buffer != null) {
            b.put("momentum_buffer", buffer);
        }
        return b;
    }

    @Override
    protected void clearState() {
        if (buffer != null) {
            java.util.Arrays.fill(buffer, 0.0);
        }
    }
}
