package dev.lossc.benchmarks;

import dev.lossc.benchmarks.derivatives.FourLayer;
import dev.lossc.benchmarks.derivatives.Mlp1024;
import dev.lossc.benchmarks.derivatives.MnistBatch32;
import dev.lossc.benchmarks.derivatives.Rnn50;
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
 * The Hessian-vector product ({@code hvp}) and the loss's jvp beside {@code lossAndGradient} and
 * {@code loss} of the same class ({@code --derivatives grad,hvp,jvp}), in the same run: the ratio
 * {@code hvp / lossAndGradient} is the cost of second order (the target: at most 3).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class SecondOrder {
    final FourLayer four = new FourLayer();
    final Rnn50 rnn = new Rnn50();
    final MnistBatch32 mnist = new MnistBatch32();
    final Mlp1024 mlp = new Mlp1024();
    final double[] x4 = new double[FourLayer.D];
    final double[] xs = new double[Rnn50.T * Rnn50.X];
    final double[] targets = new double[Rnn50.T * Rnn50.O];
    final double[] h0 = new double[Rnn50.H];
    final double[] xm = new double[MnistBatch32.B * MnistBatch32.D];
    final double[] ym = new double[MnistBatch32.B * MnistBatch32.K];
    final double[] xl = new double[Mlp1024.B * Mlp1024.D];
    final double[] yl = new double[Mlp1024.B * Mlp1024.K];
    double[] v4;
    double[] o4;
    double[] vr;
    double[] or;
    double[] vm;
    double[] om;
    double[] vl;
    double[] ol;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(26);
        for (double[] a : new double[][] {x4, xs, h0, xm, xl, yl}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextGaussian();
            }
        }
        for (int t = 0; t < Rnn50.T; t++) {
            targets[t * Rnn50.O + rnd.nextInt(Rnn50.O)] = 1;
        }
        for (int b = 0; b < MnistBatch32.B; b++) {
            ym[b * MnistBatch32.K + rnd.nextInt(MnistBatch32.K)] = 1;
        }
        four.initParameters(1);
        rnn.initParameters(1);
        mnist.initParameters(1);
        mlp.initParameters(1);
        v4 = direction(FourLayer.PARAMETER_COUNT, rnd);
        o4 = new double[FourLayer.PARAMETER_COUNT];
        vr = direction(Rnn50.PARAMETER_COUNT, rnd);
        or = new double[Rnn50.PARAMETER_COUNT];
        vm = direction(MnistBatch32.PARAMETER_COUNT, rnd);
        om = new double[MnistBatch32.PARAMETER_COUNT];
        vl = direction(Mlp1024.PARAMETER_COUNT, rnd);
        ol = new double[Mlp1024.PARAMETER_COUNT];
    }

    private static double[] direction(int n, SplittableRandom rnd) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextDouble(-1, 1);
        }
        return v;
    }

    @Benchmark
    public double fourLayerGradient() {
        return four.lossAndGradient(x4, 0.5);
    }

    @Benchmark
    public double fourLayerHvp() {
        return four.hvp(x4, 0.5, v4, o4);
    }

    @Benchmark
    public double fourLayerJvp() {
        return four.jvp(x4, 0.5, v4);
    }

    @Benchmark
    public double rnn50Gradient() {
        return rnn.lossAndGradient(xs, targets, h0);
    }

    @Benchmark
    public double rnn50Hvp() {
        return rnn.hvp(xs, targets, h0, vr, or);
    }

    @Benchmark
    public double rnn50Jvp() {
        return rnn.jvp(xs, targets, h0, vr);
    }

    @Benchmark
    public double mnist32Gradient() {
        return mnist.lossAndGradient(xm, ym);
    }

    @Benchmark
    public double mnist32Hvp() {
        return mnist.hvp(xm, ym, vm, om);
    }

    @Benchmark
    public double mnist32Jvp() {
        return mnist.jvp(xm, ym, vm);
    }

    @Benchmark
    public double mlp1024Gradient() {
        return mlp.lossAndGradient(xl, yl);
    }

    @Benchmark
    public double mlp1024Hvp() {
        return mlp.hvp(xl, yl, vl, ol);
    }
}
