package dev.lossc.cli;

import dev.lossc.runtime.Lbfgs;
import dev.lossc.runtime.Optimizer;
import java.util.Map;

/**
 * {@code lossc train --optimizer lbfgs}: lossc-runtime's {@link Lbfgs} (torch.optim.LBFGS with its
 * strong-Wolfe line search, 20 iterations per batch, history 100) where the trainer takes an
 * optimizer. It steps through {@link #step(double[], double[], Lbfgs.Closure)}, which evaluates
 * the batch itself; its history is not saved with a run's state, so a resumed run starts it afresh.
 */
final class LbfgsOptimizer extends Optimizer {
    private final int size;
    private Lbfgs lbfgs;

    LbfgsOptimizer(int size, double learningRate) {
        super(size, learningRate);
        this.size = size;
        clearState();
    }

    /** One L-BFGS step on a batch: {@code closure} evaluates it at the current parameters; returns its loss at the start. */
    double step(double[] params, double[] grad, Lbfgs.Closure closure) {
        lbfgs.setLearningRate(learningRate());
        return lbfgs.step(params, grad, closure);
    }

    @Override
    protected void update(double[] params, double[] grad, double learningRate, long step) {
        throw new IllegalStateException("L-BFGS steps with a closure that evaluates the batch");
    }

    @Override
    protected void clearState() {
        lbfgs = Lbfgs.builder(size).strongWolfe(true).build();
    }

    @Override
    protected Map<String, double[]> buffers() {
        return Map.of();
    }
}
