package dev.lossc.benchmarks;

import dev.lossc.benchmarks.nets.WorkedExample;
import dev.lossc.runtime.Adam;
import dev.lossc.runtime.Optimizer;
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
 * Whether optimizers should be generated into each class or shipped as a runtime: an Adam step
 * through lossc-runtime (one class for every model, the size a field, a virtual call) against the
 * same update written the way a generator would emit it into a class (the size a compile-time
 * constant, the state in the class's own fields), on the 2-2-2 worked example (10 parameters, with
 * its loss and gradient, a whole training step) and on 101,770 parameters (784-128-10).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class OptimizerSteps {
    static final int LARGE = 784 * 128 + 128 + 128 * 10 + 10;

    final WorkedExample net = new WorkedExample();
    final double[] x = {0.05, 0.10};
    final double[] target = {0.01, 0.99};
    final Optimizer runtimeSmall = Adam.of(WorkedExample.PARAMETER_COUNT, 1e-3);
    final InlinedAdam10 inlinedSmall = new InlinedAdam10();

    final double[] params = new double[LARGE];
    final double[] grad = new double[LARGE];
    final Optimizer runtimeLarge = Adam.of(LARGE, 1e-3);
    final InlinedAdamLarge inlinedLarge = new InlinedAdamLarge();

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < LARGE; i++) {
            params[i] = rnd.nextDouble() - 0.5;
            grad[i] = 1e-3 * (rnd.nextDouble() - 0.5);
        }
        for (int i = 0; i < WorkedExample.PARAMETER_COUNT; i++) {
            net.parameters()[i] = rnd.nextDouble() - 0.5;
        }
    }

    @Benchmark
    public double workedStepRuntime() {
        double loss = net.lossAndGradient(x, target);
        runtimeSmall.step(net.parameters(), net.gradient());
        return loss;
    }

    @Benchmark
    public double workedStepInlined() {
        double loss = net.lossAndGradient(x, target);
        inlinedSmall.step(net.parameters(), net.gradient());
        return loss;
    }

    @Benchmark
    public double[] largeStepRuntime() {
        runtimeLarge.step(params, grad);
        return params;
    }

    @Benchmark
    public double[] largeStepInlined() {
        inlinedLarge.step(params, grad);
        return params;
    }

    /** Adam as a generator would write it into a 10-parameter class: constant size and rates. */
    static final class InlinedAdam10 {
        private static final int N = 10;
        private final double[] m = new double[N];
        private final double[] v = new double[N];
        private long t;

        void step(double[] p, double[] g) {
            t++;
            double bias1 = 1 - Math.pow(0.9, t);
            double bias2Sqrt = Math.sqrt(1 - Math.pow(0.999, t));
            double stepSize = 1e-3 / bias1;
            for (int i = 0; i < N; i++) {
                double mi = m[i] * 0.9 + 0.1 * g[i];
                double vi = v[i] * 0.999 + 0.001 * (g[i] * g[i]);
                m[i] = mi;
                v[i] = vi;
                p[i] += -stepSize * (mi / (Math.sqrt(vi) / bias2Sqrt + 1e-8));
            }
        }
    }

    /** The same at 784-128-10's size. */
    static final class InlinedAdamLarge {
        private static final int N = LARGE;
        private final double[] m = new double[N];
        private final double[] v = new double[N];
        private long t;

        void step(double[] p, double[] g) {
            t++;
            double bias1 = 1 - Math.pow(0.9, t);
            double bias2Sqrt = Math.sqrt(1 - Math.pow(0.999, t));
            double stepSize = 1e-3 / bias1;
            for (int i = 0; i < N; i++) {
                double mi = m[i] * 0.9 + 0.1 * g[i];
                double vi = v[i] * 0.999 + 0.001 * (g[i] * g[i]);
                m[i] = mi;
                v[i] = vi;
                p[i] += -stepSize * (mi / (Math.sqrt(vi) / bias2Sqrt + 1e-8));
            }
        }
    }
}
