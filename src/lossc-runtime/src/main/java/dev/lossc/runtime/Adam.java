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

    /** Every option; {@code decoupled} makes it AdamW. */
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
    protected void clearState() {
        java.util.Arrays.fill(m, 0.0);
        java.util.Arrays.fill(v, 0.0);
        if (vMax != null) {
            java.util.Arrays.fill(vMax, 0.0);
        }
    }
}
