package dev.lossc.benchmarks;

import dev.lossc.benchmarks.nets.Mlp1024;
import dev.lossc.benchmarks.nets.MnistBatch1;
import dev.lossc.benchmarks.nets.MnistBatch32;
import dev.lossc.benchmarks.nets.Rnn50;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The networks people train: loss alone, loss and gradient, and the same network written by hand,
 * in one run. {@code mlp1024*} is the large case: five 64 × 1024 × 1024 products per
 * loss-and-gradient call (two forward; dW2, dA and dW1 backward), 5 × 2 × 64 × 1024² ≈ 671 MFLOP.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class Networks {
    final MnistBatch32 mnist32 = new MnistBatch32();
    final ByHandMlp mnist32ByHand = new ByHandMlp(32, 784, 128, 10, true);
    final MnistBatch1 mnist1 = new MnistBatch1();
    final ByHandMlp mnist1ByHand = new ByHandMlp(1, 784, 128, 10, true);
    final Mlp1024 mlp = new Mlp1024();
    final ByHandMlp mlpByHand = new ByHandMlp(64, 1024, 1024, 1024, false);
    final Rnn50 rnn = new Rnn50();
    final ByHand.Rnn rnnByHand = new ByHand.Rnn(Rnn50.T, Rnn50.X, Rnn50.H, Rnn50.O);

    final double[] x32 = new double[32 * 784];
    final double[] y32 = new double[32 * 10];
    final double[] x1 = new double[784];
    final double[] y1 = new double[10];
    final double[] xMlp = new double[64 * 1024];
    final double[] yMlp = new double[64 * 1024];
    final double[] xs = new double[Rnn50.T * Rnn50.X];
    final double[] targets = new double[Rnn50.T * Rnn50.O];
    final double[] h0 = new double[Rnn50.H];

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (double[] a : new double[][] {x32, x1, xMlp, yMlp, xs, h0}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextDouble() - 0.5;
            }
        }
        for (int i = 0; i < 32; i++) {
            y32[i * 10 + rnd.nextInt(10)] = 1;
        }
        y1[3] = 1;
        for (int t = 0; t < Rnn50.T; t++) {
            targets[t * Rnn50.O + rnd.nextInt(Rnn50.O)] = 1;
        }
        mnist32.initParameters(1);
        mnist1.initParameters(1);
        mlp.initParameters(1);
        rnn.initParameters(1);
        // Biases start at zero: give them values too, so every term of the gradient counts.
        for (double[] p : new double[][] {mnist32.parameters(), mnist1.parameters(), mlp.parameters(), rnn.parameters()}) {
            for (int i = 0; i < p.length; i++) {
                if (p[i] == 0) {
                    p[i] = 0.1 * (rnd.nextDouble() - 0.5);
                }
            }
        }
        System.arraycopy(mnist32.parameters(), 0, mnist32ByHand.params, 0, MnistBatch32.PARAMETER_COUNT);
        System.arraycopy(mnist1.parameters(), 0, mnist1ByHand.params, 0, MnistBatch1.PARAMETER_COUNT);
        System.arraycopy(mlp.parameters(), 0, mlpByHand.params, 0, Mlp1024.PARAMETER_COUNT);
        System.arraycopy(rnn.parameters(), 0, rnnByHand.params, 0, Rnn50.PARAMETER_COUNT);
    }

    @Benchmark
    public double mnist32Loss() {
        return mnist32.loss(x32, y32);
    }

    @Benchmark
    public double mnist32Lossc() {
        return mnist32.lossAndGradient(x32, y32);
    }

    @Benchmark
    public double mnist32ByHand() {
        return mnist32ByHand.lossAndGradient(x32, y32);
    }

    @Benchmark
    public double mnist1Loss() {
        return mnist1.loss(x1, y1);
    }

    @Benchmark
    public double mnist1Lossc() {
        return mnist1.lossAndGradient(x1, y1);
    }

    @Benchmark
    public double mnist1ByHand() {
        return mnist1ByHand.lossAndGradient(x1, y1);
    }

    @Benchmark
    public double mlp1024Loss() {
        return mlp.loss(xMlp, yMlp);
    }

    @Benchmark
    public double mlp1024Lossc() {
        return mlp.lossAndGradient(xMlp, yMlp);
    }

    @Benchmark
    public double mlp1024ByHand() {
        return mlpByHand.lossAndGradient(xMlp, yMlp);
    }

    @Benchmark
    public double rnn50Loss() {
        return rnn.loss(xs, targets, h0);
    }

    @Benchmark
    public double rnn50Lossc() {
        return rnn.lossAndGradient(xs, targets, h0);
    }

    @Benchmark
    public double rnn50ByHand() {
        return rnnByHand.lossAndGradient(xs, targets, h0);
    }

    final double[] tapeGradRnn = new double[Rnn50.PARAMETER_COUNT];

    /** The RNN on the operator-overloading tape of {@link Tape}: a node per scalar operation. */
    @Benchmark
    public double rnn50Tape() {
        return TapeNetworks.rnn(Rnn50.T, Rnn50.X, Rnn50.H, Rnn50.O, rnn.parameters(), tapeGradRnn, xs, targets, h0);
    }
}
