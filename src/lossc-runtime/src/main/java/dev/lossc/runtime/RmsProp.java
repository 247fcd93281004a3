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
