package dev.lossc.runtime;

/**
 * The learning rate lowered when a metric stops improving, as
 * {@code torch.optim.lr_scheduler.ReduceLROnPlateau} in {@code mode='min'} with
 * {@code threshold_mode='rel'}: after each epoch, {@link #step} with the metric (a validation
 * loss); once it has not improved on the best by the relative {@code threshold} for more than
 * {@code patience} epochs, the rate is multiplied by {@code factor} (not below {@code minLr}; a
 * change smaller than {@code eps} is ignored) and {@code cooldown} epochs pass before counting
 * again. Defaults: factor 0.1, patience 10, threshold 1e-4, cooldown 0, minLr 0, eps 1e-8.
 */
public final class Plateau {
    private final double factor;
    private final int patience;
    private final double threshold;
    private final int cooldown;
    private final double minLr;
    private final double eps;
    private double best = Double.POSITIVE_INFINITY;
    private int badEpochs;
    private int cooldownLeft;

    public Plateau(double factor, int patience, double threshold, int cooldown, double minLr, double eps) {
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("factor must be in (0, 1), but it is " + factor);
        }
        if (patience < 0 || cooldown < 0) {
            throw new IllegalArgumentException("patience and cooldown must be 0 or more");
        }
        this.factor = factor;
        this.patience = patience;
        this.threshold = Optimizer.checkedAtLeast("threshold", threshold, 0);
        this.cooldown = cooldown;
        this.minLr = Optimizer.checkedAtLeast("min lr", minLr, 0);
        this.eps = Optimizer.checkedAtLeast("eps", eps, 0);
    }

    /** PyTorch's defaults but {@code factor} and {@code patience}. */
    public static Plateau of(double factor, int patience) {
        return new Plateau(factor, patience, 1e-4, 0, 0, 1e-8);
    }

    /** Records the epoch's {@code metric} and returns the rate for the next epoch, from {@code rate}, this epoch's. */
    public double step(double metric, double rate) {
        if (metric < best * (1 - threshold)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            double lowered = Math.max(rate * factor, minLr);
            cooldownLeft = cooldown;
            badEpochs = 0;
            if (rate - lowered > eps) {
                return lowered;
            }
        }
        return rate;
    }

    /** The counters, to save beside an optimizer's state: best, bad epochs, cooldown left. */
    public double[] state() {
        return new double[] {best, badEpochs, cooldownLeft};
    }

    /** Restores what {@link #state()} returned. */
    public void setState(double[] state) {
        if (state.length != 3) {
            throw new IllegalArgumentException("a plateau's state is {best, bad epochs, cooldown left}");
        }
        best = state[0];
        badEpochs = (int) state[1];
        cooldownLeft = (int) state[2];
    }
}
