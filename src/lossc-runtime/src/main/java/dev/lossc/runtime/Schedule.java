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

    /**
     * {@code base * (start + (end - start) * min(epoch, total) / total)}, as
     * {@code LinearLR(start_factor, end_factor, total_iters)}.
     */
    static Schedule linear(double startFactor, double endFactor, int total) {
        if (!(startFactor > 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("the factors must be in (0, 1] and [0, 1], but they are " + startFactor + " and " + endFactor);
        }
        if (total < 1) {
            throw new IllegalArgumentException("the number of epochs must be 1 or more, but it is " + total);
        }
        return (base, epoch) -> base * (startFactor + (endFactor - startFactor) * Math.min(epoch, total) / total);
    }

    /**
     * A linear warm-up from {@code startFactor * base} to {@code base} over {@code epochs} epochs,
     * then {@code then} from its own epoch 0: what {@code SequentialLR([LinearLR(start_factor,
     * 1.0, epochs), then], milestones=[epochs])} computes.
     */
    static Schedule warmup(int epochs, double startFactor, Schedule then) {
        Schedule up = linear(startFactor, 1.0, epochs);
        return (base, epoch) -> epoch < epochs ? up.at(base, epoch) : then.at(base, epoch - epochs);
    }
}
