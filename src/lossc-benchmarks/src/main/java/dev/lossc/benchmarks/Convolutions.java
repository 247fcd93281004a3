package dev.lossc.benchmarks;

import dev.lossc.benchmarks.nets.LeNet5Batch32;
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
 * A convolutional network (version 3): LeNet-5 at batch 32, loss alone and loss and gradient, the
 * step {@code pytorch/networks.py} times in PyTorch. A step is about 72.5 MFLOP (26.7 forward,
 * 45.8 backward, counted in docs/performance.md): the two convolutions are 80% of it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class Convolutions {
    final LeNet5Batch32 lenet = new LeNet5Batch32();
    final double[] x = new double[32 * 28 * 28];
    final int[] labels = new int[32];

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextDouble();
        }
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rnd.nextInt(10);
        }
        lenet.initParameters(1);
    }

    @Benchmark
    public double lenet5Loss() {
        return lenet.loss(x, labels);
    }

    @Benchmark
    public double lenet5LossAndGradient() {
        return lenet.lossAndGradient(x, labels);
    }
}
