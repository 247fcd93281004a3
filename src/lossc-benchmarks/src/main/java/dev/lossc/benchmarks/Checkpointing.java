package dev.lossc.benchmarks;

import dev.lossc.benchmarks.nets.Rnn10000Sqrt;
import dev.lossc.benchmarks.nets.Rnn10000Stored;
import dev.lossc.benchmarks.nets.Rnn10000Ten;
import dev.lossc.benchmarks.nets.Rnn1000Sqrt;
import dev.lossc.benchmarks.nets.Rnn1000Stored;
import dev.lossc.benchmarks.nets.Rnn1000Ten;
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
 * Checkpointed loops: {@code lossAndGradient} of a tanh RNN (8 -> 32) at T = 1,000 and 10,000, its
 * loop keeping every step's values ({@code stored}, the baseline), {@code checkpoint}
 * (ceil(sqrt(T)) snapshots) and {@code checkpoint(10)}, in one run. Each class's gradient is
 * the stored one's to the bit (tested); the ratio to {@code stored} is the time recomputation
 * costs, to set against the revolve bound {@code lossc report} states. {@code loss} of the
 * stored class times one forward pass: the bound in time is that of the forward steps the schedule
 * runs ({@code T} + the recomputed iterations) and one backward pass.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class Checkpointing {
    final Rnn1000Stored stored1k = new Rnn1000Stored();
    final Rnn1000Sqrt sqrt1k = new Rnn1000Sqrt();
    final Rnn1000Ten ten1k = new Rnn1000Ten();
    final Rnn10000Stored stored10k = new Rnn10000Stored();
    final Rnn10000Sqrt sqrt10k = new Rnn10000Sqrt();
    final Rnn10000Ten ten10k = new Rnn10000Ten();
    final double[] xs1k = new double[Rnn1000Stored.T * Rnn1000Stored.X];
    final double[] ys1k = new double[Rnn1000Stored.T];
    final double[] xs10k = new double[Rnn10000Stored.T * Rnn10000Stored.X];
    final double[] ys10k = new double[Rnn10000Stored.T];

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(27);
        for (double[] a : new double[][] {xs1k, ys1k, xs10k, ys10k}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextGaussian();
            }
        }
        stored1k.initParameters(1);
        sqrt1k.initParameters(1);
        ten1k.initParameters(1);
        stored10k.initParameters(1);
        sqrt10k.initParameters(1);
        ten10k.initParameters(1);
    }

    @Benchmark
    public double t1000Stored() {
        return stored1k.lossAndGradient(xs1k, ys1k);
    }

    /** The forward pass alone ({@code loss}): the cost of one forward step, which recomputation repeats. */
    @Benchmark
    public double t1000StoredLoss() {
        return stored1k.loss(xs1k, ys1k);
    }

    @Benchmark
    public double t10000StoredLoss() {
        return stored10k.loss(xs10k, ys10k);
    }

    @Benchmark
    public double t1000Sqrt() {
        return sqrt1k.lossAndGradient(xs1k, ys1k);
    }

    @Benchmark
    public double t1000Ten() {
        return ten1k.lossAndGradient(xs1k, ys1k);
    }

    @Benchmark
    public double t10000Stored() {
        return stored10k.lossAndGradient(xs10k, ys10k);
    }

    @Benchmark
    public double t10000Sqrt() {
        return sqrt10k.lossAndGradient(xs10k, ys10k);
    }

    @Benchmark
    public double t10000Ten() {
        return ten10k.lossAndGradient(xs10k, ys10k);
    }
}
