package dev.lossc.benchmarks;

import dev.lossc.benchmarks.nets.Mlp1024;
import dev.lossc.benchmarks.nets.Mlp1024Linear;
import dev.lossc.benchmarks.nets.MnistBatch32;
import dev.lossc.benchmarks.nets.MnistBatch32Linear;
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
 * The same two networks in the two layouts users write: {@code X @ W} with W {@code [in, out]},
 * and PyTorch's {@code nn.Linear} layout {@code X @ transpose(W)} with W {@code [out, in]} (the
 * same weights, transposed). The goal is the two within 5% of each other.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class Layouts {
    final MnistBatch32 mnist32 = new MnistBatch32();
    final MnistBatch32Linear mnist32Linear = new MnistBatch32Linear();
    final Mlp1024 mlp = new Mlp1024();
    final Mlp1024Linear mlpLinear = new Mlp1024Linear();

    final double[] x32 = new double[32 * 784];
    final double[] y32 = new double[32 * 10];
    final double[] xMlp = new double[64 * 1024];
    final double[] yMlp = new double[64 * 1024];

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (double[] a : new double[][] {x32, xMlp, yMlp}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextDouble() - 0.5;
            }
        }
        for (int i = 0; i < 32; i++) {
            y32[i * 10 + rnd.nextInt(10)] = 1;
        }
        mnist32.initParameters(1);
        mlp.initParameters(1);
        for (double[] p : new double[][] {mnist32.parameters(), mlp.parameters()}) {
            for (int i = 0; i < p.length; i++) {
                if (p[i] == 0) {
                    p[i] = 0.1 * (rnd.nextDouble() - 0.5);
                }
            }
        }
        linear(mnist32.parameters(), mnist32Linear.parameters(), 784, 128, 10);
        linear(mlp.parameters(), mlpLinear.parameters(), 1024, 1024, 1024);
    }

    /**
     * The parameters of {@code X @ W1 + b1 … @ W2 + b2} (W1 {@code [d, h]}, b1, W2 {@code [h, k]}, b2)
     * in the nn.Linear layout (W1 {@code [h, d]}, b1, W2 {@code [k, h]}, b2): the same network.
     */
    static void linear(double[] from, double[] to, int d, int h, int k) {
        int at = 0;
        for (int[] w : new int[][] {{d, h}, {h, k}}) {
            int rows = w[0];
            int cols = w[1];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    to[at + j * rows + i] = from[at + i * cols + j];
                }
            }
            at += rows * cols;
            System.arraycopy(from, at, to, at, cols);
            at += cols;
        }
    }

    @Benchmark
    public double mnist32() {
        return mnist32.lossAndGradient(x32, y32);
    }

    @Benchmark
    public double mnist32Linear() {
        return mnist32Linear.lossAndGradient(x32, y32);
    }

    @Benchmark
    public double mlp1024() {
        return mlp.lossAndGradient(xMlp, yMlp);
    }

    @Benchmark
    public double mlp1024Linear() {
        return mlpLinear.lossAndGradient(xMlp, yMlp);
    }
}
