package com.example;

import com.example.nets.Mnist;
import dev.lossc.runtime.Adam;
import dev.lossc.runtime.Optimizer;
import java.util.Random;

/**
 * Trains the MNIST-shaped classifier (src/main/loss/com/example/nets/mnist.loss) on a generated
 * set of 28 x 28 "digits" and measures its accuracy on a held-out set through the generated
 * {@code probs} output, which needs no labels. The batch size varies per call: every epoch ends
 * with a partial batch, and the held-out images are classified in batches of whatever is left.
 */
public final class Digits {
    static final int PIXELS = Mnist.P;
    static final int CLASSES = Mnist.K;

    /** Images (one per row, flat) and their labels. */
    public static final class DataSet {
        final double[] images;
        final int[] labels;

        DataSet(int n) {
            images = new double[n * PIXELS];
            labels = new int[n];
        }

        int size() {
            return labels.length;
        }
    }

    /**
     * {@code n} noisy copies of ten random prototypes: each class lights a few random strokes of
     * a 28 x 28 grid; an image is its prototype with pixels dropped and noise added.
     */
    public static DataSet generate(int n, long seed) {
        Random prototypes = new Random(1234);
        double[][] proto = new double[CLASSES][PIXELS];
        for (int k = 0; k < CLASSES; k++) {
            for (int stroke = 0; stroke < 4; stroke++) {
                int x = 4 + prototypes.nextInt(20);
                int y = 4 + prototypes.nextInt(20);
                int dx = prototypes.nextInt(3) - 1;
                int dy = prototypes.nextInt(3) - 1;
                for (int step = 0; step < 10; step++) {
                    int px = Math.max(0, Math.min(27, x + dx * step));
                    int py = Math.max(0, Math.min(27, y + dy * step));
                    proto[k][py * 28 + px] = 1.0;
                }
            }
        }
        Random rnd = new Random(seed);
        DataSet d = new DataSet(n);
        for (int i = 0; i < n; i++) {
            int label = rnd.nextInt(CLASSES);
            d.labels[i] = label;
            for (int p = 0; p < PIXELS; p++) {
                double v = proto[label][p] > 0 && rnd.nextDouble() < 0.3 ? 0.0 : proto[label][p];
                d.images[i * PIXELS + p] = Math.max(0.0, Math.min(1.0, v + 0.3 * rnd.nextGaussian()));
            }
        }
        return d;
    }

    /** Trains with Adam on batches of up to {@code batch} rows for {@code epochs} epochs; returns the last epoch's mean loss. */
    public static double train(Mnist net, DataSet data, int batch, int epochs, double rate) {
        Optimizer adam = Adam.of(net.parameters().length, rate);
        double[] x = new double[batch * PIXELS];
        int[] y = new int[batch];
        double mean = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            double total = 0;
            for (int from = 0; from < data.size(); from += batch) {
                int rows = Math.min(batch, data.size() - from);   // the last batch is partial
                System.arraycopy(data.images, from * PIXELS, x, 0, rows * PIXELS);
                System.arraycopy(data.labels, from, y, 0, rows);
                total += rows * net.lossAndGradient(rows, x, y);
                adam.step(net.parameters(), net.gradient());
            }
            mean = total / data.size();
        }
        return mean;
    }

    /** The share of {@code data} whose most probable class, by the {@code probs} output, is its label. */
    public static double accuracy(Mnist net, DataSet data) {
        double[] probs = new double[Mnist.MAX_B * CLASSES];
        double[] x = new double[Mnist.MAX_B * PIXELS];
        int correct = 0;
        for (int from = 0; from < data.size(); from += Mnist.MAX_B) {
            int rows = Math.min(Mnist.MAX_B, data.size() - from);
            System.arraycopy(data.images, from * PIXELS, x, 0, rows * PIXELS);
            net.probs(rows, x, probs);
            for (int i = 0; i < rows; i++) {
                int best = 0;
                for (int k = 1; k < CLASSES; k++) {
                    if (probs[i * CLASSES + k] > probs[i * CLASSES + best]) {
                        best = k;
                    }
                }
                correct += best == data.labels[from + i] ? 1 : 0;
            }
        }
        return (double) correct / data.size();
    }

    public static void main(String[] args) {
        DataSet train = generate(1000, 1);
        DataSet heldOut = generate(300, 2);
        Mnist net = new Mnist();
        net.initParameters(7);
        System.out.printf("held-out accuracy before training %.3f%n", accuracy(net, heldOut));
        for (int round = 1; round <= 3; round++) {
            double loss = train(net, train, 50, 1, 0.001);
            System.out.printf("epoch %d  training loss %.4f  held-out accuracy %.3f%n", round, loss, accuracy(net, heldOut));
        }
    }
}
