package com.example;

import com.example.nets.WorkedExample;
import dev.lossc.runtime.Sgd;

/**
 * Trains the classic 2-2-2 worked example by plain gradient descent, with the class lossc
 * generated from src/main/loss/com/example/nets/worked_example.loss.
 */
public final class Train {
    static final double[] X = {0.05, 0.1};
    static final double[] TARGET = {0.01, 0.99};

    /** The example's starting point: W1, b1, W2, b2 in the flat parameter order. */
    static final double[] START = {0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60};

    public interface Progress {
        void step(int step, double loss);
    }

    /** Runs {@code steps} steps of SGD with learning rate {@code rate}; returns the final loss. */
    public static double train(WorkedExample net, int steps, double rate, int every, Progress progress) {
        double[] theta = net.parameters();
        System.arraycopy(START, 0, theta, 0, START.length);
        double[] grad = net.gradient();
        Sgd sgd = Sgd.of(theta.length, rate);
        for (int step = 0; step < steps; step++) {
            double loss = net.lossAndGradient(X, TARGET);
            if (step % every == 0) {
                progress.step(step, loss);
            }
            sgd.step(theta, grad);
        }
        double loss = net.loss(X, TARGET);
        progress.step(steps, loss);
        return loss;
    }

    public static void main(String[] args) {
        train(new WorkedExample(), 10_000, 0.5, 1_000, (step, loss) -> System.out.printf("step %5d  loss %.10f%n", step, loss));
    }
}
