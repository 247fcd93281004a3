package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.nets.FourLayer;
import com.example.nets.HingeClassifier;
import com.example.nets.Rnn;
import com.example.nets.TwoLayer;
import com.example.nets.WorkedExample;
import dev.lossc.runtime.Adam;
import dev.lossc.runtime.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainTest {
    @Test
    void workedExampleStartsAtTheKnownLossAndTrainsBelowOneInAHundredThousand() {
        List<Double> losses = new ArrayList<>();
        double last = Train.train(new WorkedExample(), 10_000, 0.5, 1_000, (step, loss) -> losses.add(loss));
        assertEquals(0.2983711087600027, losses.get(0), 0.0);
        for (int i = 1; i < losses.size(); i++) {
            assertTrue(losses.get(i) < losses.get(i - 1), "the loss falls: " + losses);
        }
        assertTrue(last < 1e-5, "final loss " + last);
    }

    /** Points above or below the line x2 = 0.5 x1 + 0.2, with a margin; features (x1, x2, 1). */
    @Test
    void hingeClassifierSeparatesAGeneratedDataSet() {
        Random rnd = new Random(7);
        int n = 400;
        double[][] phi = new double[n][];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double x1;
            double x2;
            double side;
            do {
                x1 = 2 * rnd.nextDouble() - 1;
                x2 = 2 * rnd.nextDouble() - 1;
                side = x2 - (0.5 * x1 + 0.2);
            } while (Math.abs(side) < 0.05);
            phi[i] = new double[] {x1, x2, 1.0};
            y[i] = side > 0 ? 1 : -1;
        }
        HingeClassifier clf = new HingeClassifier();
        double[] w = clf.parameters();
        double[] g = clf.gradient();
        for (int epoch = 0; epoch < 200; epoch++) {
            for (int i = 0; i < n; i++) {
                clf.lossAndGradient(phi[i], y[i]);
                for (int k = 0; k < w.length; k++) {
                    w[k] -= 0.05 * g[k];
                }
            }
        }
        int correct = 0;
        for (int i = 0; i < n; i++) {
            double score = w[0] * phi[i][0] + w[1] * phi[i][1] + w[2];
            if (score * y[i] > 0) {
                correct++;
            }
        }
        assertEquals(n, correct, "training points classified correctly");
    }

    /** The four-layer regression net, trained by Adam on the flat arrays, fits a smooth target. */
    @Test
    void fourLayerNetworkFitsWithAdam() {
        Random rnd = new Random(11);
        int n = 64;
        double[][] xs = new double[n][FourLayer.D];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < FourLayer.D; k++) {
                xs[i][k] = 2 * rnd.nextDouble() - 1;
            }
            ys[i] = 0.5 + 0.3 * Math.sin(2 * xs[i][0]) * xs[i][1];
        }
        FourLayer net = new FourLayer();
        net.initParameters(3);
        Optimizer adam = Adam.of(net.parameters().length, 0.01);
        double before = meanLoss(net, xs, ys);
        for (int epoch = 0; epoch < 300; epoch++) {
            for (int i = 0; i < n; i++) {
                net.lossAndGradient(xs[i], ys[i]);
                adam.step(net.parameters(), net.gradient());
            }
        }
        double after = meanLoss(net, xs, ys);
        assertTrue(after < before / 10, "mean loss " + before + " -> " + after);
    }

    private static double meanLoss(FourLayer net, double[][] xs, double[] ys) {
        double total = 0;
        for (int i = 0; i < xs.length; i++) {
            total += net.loss(xs[i], ys[i]);
        }
        return total / xs.length;
    }

    @Test
    void generatedClassesAreUsableDirectly() {
        TwoLayer net = new TwoLayer();
        assertEquals(TwoLayer.H * TwoLayer.D + TwoLayer.H, TwoLayer.PARAMETER_COUNT);
        // The loss is (w . sigmoid(V x) - y)^2, computed here by hand with the class's own parameters.
        double[] x = {1, 2, 3};
        double[] theta = net.parameters();
        for (int h = 0; h < TwoLayer.H; h++) {
            theta[TwoLayer.w_OFFSET + h] = 0.3 * (h + 1) - 0.5; // w starts at zero: make every term count
        }
        double dot = 0;
        for (int h = 0; h < TwoLayer.H; h++) {
            double z = 0;
            for (int d = 0; d < TwoLayer.D; d++) {
                z += theta[TwoLayer.V_OFFSET + h * TwoLayer.D + d] * x[d];
            }
            dot += theta[TwoLayer.w_OFFSET + h] / (1 + Math.exp(-z));
        }
        double loss = net.lossAndGradient(x, 0.5);
        assertEquals((dot - 0.5) * (dot - 0.5), loss, 1e-12);
        // And the gradient is the loss's slope along every parameter (central differences).
        double[] grad = net.gradient().clone();
        for (int i = 0; i < TwoLayer.PARAMETER_COUNT; i++) {
            double saved = theta[i];
            theta[i] = saved + 1e-6;
            double up = net.loss(x, 0.5);
            theta[i] = saved - 1e-6;
            double down = net.loss(x, 0.5);
            theta[i] = saved;
            assertEquals((up - down) / 2e-6, grad[i], 1e-7, "d loss / d theta[" + i + "]");
        }
        Rnn rnn = new Rnn();
        double[] xs = new double[Rnn.T * Rnn.X];
        double[] targets = new double[Rnn.T * Rnn.O];
        for (int t = 0; t < Rnn.T; t++) {
            targets[t * Rnn.O + t % Rnn.O] = 1;
        }
        double first = rnn.lossAndGradient(xs, targets, new double[Rnn.H]);
        double[] rnnTheta = rnn.parameters();
        for (int step = 0; step < 200; step++) {
            rnn.lossAndGradient(xs, targets, new double[Rnn.H]);
            for (int i = 0; i < rnnTheta.length; i++) {
                rnnTheta[i] -= 0.1 * rnn.gradient()[i];
            }
        }
        assertTrue(rnn.loss(xs, targets, new double[Rnn.H]) < first, "training through time lowers the loss");
    }

    /**
     * The MNIST-shaped classifier, trained on generated digits in batches of 50 (1000 images: every
     * epoch has 20 full batches; 1010 would end on a batch of 10), classifies a held-out set through
     * its probs output.
     */
    @Test
    void digitClassifierTrainsAndIsAccurateOnAHeldOutSet() {
        Digits.DataSet train = Digits.generate(1010, 1);
        Digits.DataSet heldOut = Digits.generate(300, 2);
        com.example.nets.Mnist net = new com.example.nets.Mnist();
        net.initParameters(7);
        double before = Digits.accuracy(net, heldOut);
        double first = Digits.train(net, train, 50, 1, 0.001);
        double second = Digits.train(net, train, 50, 1, 0.001);
        double after = Digits.accuracy(net, heldOut);
        assertTrue(second < first, "the loss falls: " + first + " then " + second);
        assertTrue(before < 0.3, "untrained accuracy " + before);
        assertTrue(after > 0.9, "held-out accuracy " + after);
    }
}
