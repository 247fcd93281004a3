package dev.lossc.runtime;

/**
 * Adam and AdamW, as {@code torch.optim.Adam} and {@code torch.optim.AdamW}:
 * {@code m = beta1 * m + (1 - beta1) * g}, {@code v = beta2 * v + (1 - beta2) * g * g},
 * {@code p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)} (with AMSGrad, the
 * running maximum of {@code v} in place of {@code v}). Adam adds {@code weightDecay * p} to the
 * gradient; AdamW instead first shrinks {@code p *= 1 - lr * weightDecay} (decoupled weight decay).
 * Defaults: lr 0.001, betas (0.9, 0.999), eps 1e-8; weight decay 0 for Adam, 0.01 for AdamW.
 */
public final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    private final double[] m;
    private final double[] v;
    private final double[] vMax;

    /** Adam with PyTorch's defaults but the learning rate. */
    public static Adam of(int size, double learningRate) {
        return new Adam(size, learningRate, 0.9, 0.999, 1e-8, 0, false, false);
    }

    /** AdamW with PyTorch's defaults (weight decay 0.01) but the learning rate. */
    public static Adam adamW(int size, double learningRate) {
        return new Adam(size, learningRate, 0.9, 0.999, 1e-8, 0.01, true, false);
    }

    /**
     * Adam with named options, PyTorch's defaults for the rest:
     * {@code Adam.builder(n).lr(0.01).betas(0.9, 0.98).weightDecay(1e-4).build()}; {@code .adamW()}
     * makes it AdamW (with AdamW's default weight decay, 0.01, unless one is given).
     */
    public static Builder builder(int size) {
        return new Builder(size);
    }

    /** Options of {@link Adam}, by name. */
    public static final class Builder {
        private final int size;
        private double lr = 0.001;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private Double weightDecay;
        private boolean decoupled;
        private boolean amsgrad;

        private Builder(int size) {
            this.size = size;
        }

        public Builder lr(double learningRate) {
            this.lr = learningRate;
            return this;
        }

        public Builder betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
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

        /** Decoupled weight decay: AdamW. */
        public Builder adamW() {
            this.decoupled = true;
            return this;
        }

        public Builder amsgrad(boolean amsgrad) {
            this.amsgrad = amsgrad;
            return this;
        }

        public Adam build() {
            return new Adam(size, lr, beta1, beta2, eps, weightDecay != null ? weightDecay : decoupled ? 0.01 : 0, decoupled, amsgrad);
        }
    }

    /** Every option; {@code decoupled} makes it AdamW. {@link #builder} names them. */
    public Adam(int size, double learningRate, double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                boolean amsgrad) {
        super(size, learningRate);
        this.beta1 = checkedBelowOne("beta1", beta1);
        this.beta2 = checkedBelowOne("beta2", beta2);
        this.eps = checkedAtLeast("eps", eps, 0);
        this.weightDecay = checkedAtLeast("weight decay", weightDecay, 0);
        this.decoupled = decoupled;
        this.m = new double[size];
        this.v = new double[size];
        this.vMax = amsgrad ? new double[size] : null;
    }

    @Override
    protected void update(double[] p, double[] grad, double lr, long step) {
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / bias1;
        for (int i = 0; i < p.length; i++) {
            double g = grad[i];
            if (decoupled) {
                p[i] *= 1 - lr * weightDecay;
            } else if (weightDecay != 0) {
                g = g + weightDecay * p[i];
            }
            double mi = m[i] * beta1 + (1 - beta1) * g;
            double vi = v[i] * beta2 + (1 - beta2) * (g * g);
            m[i] = mi;
            v[i] = vi;
            if (vMax != null) {
                vi = Math.max(vMax[i], vi);
                vMax[i] = vi;
            }
            double denom = Math.sqrt(vi) / bias2Sqrt + eps;
            p[i] += -stepSize * (mi / denom);
        }
    }

    @Override
    protected java.util.Map<String, double[]> buffers() {
        java.util.Map<String, double[]> b = new java.util.LinkedHashMap<>();
        b.put("exp_avg", m);
        b.put("exp_avg_sq", v);
        if (vMax != null) {
            b.put("max_exp_avg_sq", vMax);
        }
        return b;
    }

    @Override
    protected void clearState() {
        java.util.Arrays.fill(m, 0.0);
        java.util.Arrays.fill(v, 0.0);
        if (vMax != null) {
            java.util.Arrays.fill(vMax, 0.0);
        }
    }
}
