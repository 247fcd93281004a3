package dev.lossc.benchmarks;

import dev.lossc.benchmarks.nets.FourLayer;
import dev.lossc.benchmarks.nets.Rnn;
import dev.lossc.benchmarks.nets.WorkedExample;
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
 * loss + gradient of the small networks: the class lossc generates against the same network
 * written by hand (δ-rule) and on an operator-overloading tape ({@link Tape}, how most Java AD
 * libraries work), in the same JVM and the same run, so the ratios are the figures that matter.
 * All start from the same parameters and inputs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class SmallNetworks {
    final WorkedExample worked = new WorkedExample();
    final ByHand.WorkedExample workedByHand = new ByHand.WorkedExample();
    final FourLayer four = new FourLayer();
    final ByHand.FourLayer fourByHand = new ByHand.FourLayer(FourLayer.D, FourLayer.H1, FourLayer.H2, FourLayer.H3);
    final Rnn rnn = new Rnn();
    final ByHand.Rnn rnnByHand = new ByHand.Rnn(Rnn.T, Rnn.X, Rnn.H, Rnn.O);

    double[] x2 = {0.05, 0.10};
    double[] target2 = {0.01, 0.99};
    double[] x4 = new double[FourLayer.D];
    double y4 = 0.3;
    double[] xs = new double[Rnn.T * Rnn.X];
    double[] targets = new double[Rnn.T * Rnn.O];
    double[] h0 = new double[Rnn.H];

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(42);
        fill(x4, rnd);
        fill(xs, rnd);
        fill(h0, rnd);
        for (int t = 0; t < Rnn.T; t++) {
            targets[t * Rnn.O + rnd.nextInt(Rnn.O)] = 1.0;
        }
        fill(worked.parameters(), rnd);
        fill(four.parameters(), rnd);
        fill(rnn.parameters(), rnd);
        System.arraycopy(worked.parameters(), 0, workedByHand.params, 0, WorkedExample.PARAMETER_COUNT);
        System.arraycopy(four.parameters(), 0, fourByHand.params, 0, FourLayer.PARAMETER_COUNT);
        System.arraycopy(rnn.parameters(), 0, rnnByHand.params, 0, Rnn.PARAMETER_COUNT);
    }

    private static void fill(double[] a, SplittableRandom rnd) {
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextDouble() - 0.5;
        }
    }

    @Benchmark
    public double workedExampleLoss() {
        return worked.loss(x2, target2);
    }

    @Benchmark
    public double fourLayerLoss() {
        return four.loss(x4, y4);
    }

    @Benchmark
    public double rnnLoss() {
        return rnn.loss(xs, targets, h0);
    }

    @Benchmark
    public double workedExampleLossc() {
        return worked.lossAndGradient(x2, target2);
    }

    @Benchmark
    public double workedExampleByHand() {
        return workedByHand.lossAndGradient(x2, target2);
    }

    @Benchmark
    public double fourLayerLossc() {
        return four.lossAndGradient(x4, y4);
    }

    @Benchmark
    public double fourLayerByHand() {
        return fourByHand.lossAndGradient(x4, y4);
    }

    @Benchmark
    public double rnnLossc() {
        return rnn.lossAndGradient(xs, targets, h0);
    }

    @Benchmark
    public double rnnByHand() {
        return rnnByHand.lossAndGradient(xs, targets, h0);
    }

    final double[] tapeGrad2 = new double[WorkedExample.PARAMETER_COUNT];
    final double[] tapeGrad4 = new double[FourLayer.PARAMETER_COUNT];
    final double[] tapeGradRnn = new double[Rnn.PARAMETER_COUNT];

    @Benchmark
    public double workedExampleTape() {
        return TapeNetworks.workedExample(worked.parameters(), tapeGrad2, x2, target2);
    }

    @Benchmark
    public double fourLayerTape() {
        return TapeNetworks.fourLayer(new int[] {FourLayer.D, FourLayer.H1, FourLayer.H2, FourLayer.H3}, four.parameters(), tapeGrad4, x4, y4);
    }

    @Benchmark
    public double rnnTape() {
        return TapeNetworks.rnn(Rnn.T, Rnn.X, Rnn.H, Rnn.O, rnn.parameters(), tapeGradRnn, xs, targets, h0);
    }
}
