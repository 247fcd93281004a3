package dev.lossc.runtime;

/**
 * A learning rate per epoch, from the base rate: what {@code torch.optim.lr_scheduler}'s
 * {@code StepLR} and {@code CosineAnnealingLR} compute (their closed forms), for
 * {@link Optimizer#setLearningRate} at the start of each epoch.
 */
public interface Schedule {
    /** The learning rate of epoch {@code epoch} (0 is the first). */
    double at(double baseRate, int epoch);

    /** The base rate throughout. */
    static Schedule constant() {
        return (base, epoch) -> base;
    }

    /** {@code base * gamma ^ floor(epoch / stepSize)}, as {@code StepLR(step_size, gamma)}. */
    static Schedule step(int stepSize, double gamma) {
        if (stepSize < 1) {
            throw new IllegalArgumentException("step size must be 1 or more, but it is " + stepSize);
        }
        return (base, epoch) -> base * Math.pow(gamma, epoch / stepSize);
    }

    /**
     * {@code etaMin + (base - etaMin) * (1 + cos(pi * epoch / tMax)) / 2}, as
     * {@code CosineAnnealingLR(T_max, eta_min)} (its closed form; past {@code tMax} it rises again,
     * as PyTorch's does).
     */
    static Schedule cosine(int tMax, double etaMin) {
        if (tMax < 1) {
            throw new IllegalArgumentException("the period must be 1 or more, but it is " + tMax);
        }
        return (base, epoch) -> etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
