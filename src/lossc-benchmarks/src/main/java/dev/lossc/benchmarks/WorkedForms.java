package dev.lossc.benchmarks;

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
 * Forms of the 2-2-2 example's loss and gradient, side by side with the generated class and the
 * hand-written δ-rule, to see what its last nanoseconds are made of (docs/performance.md). At this
 * size a call is two layers of {@code Math.exp} and short chains of dependent additions, so every
 * link on the chain shows.
 * <ul>
 * <li>{@link ZeroStartedSums}: the class lossc generated before sums started from their first term
 * (every sum from {@code 0.0}, the backward's vector-matrix product zero-filled and then
 * accumulated row by row), with its inputs passed as arguments instead of held in fields (measured
 * the same: 54.5 against 54.7 ns).</li>
 * <li>{@link NoLengthChecks}: the same without the two length checks.</li>
 * <li>{@link FirstTermSums}: the same with each sum started from its first term. The generated
 * class also sums the vector-matrix product's two columns in registers.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class WorkedForms {
    final WorkedExample generated = new WorkedExample();
    final ByHand.WorkedExample byHand = new ByHand.WorkedExample();
    final ZeroStartedSums zeroStarted = new ZeroStartedSums();
    final NoLengthChecks noChecks = new NoLengthChecks();
    final FirstTermSums firstTerm = new FirstTermSums();
    double[] x = {0.05, 0.10};
    double[] target = {0.01, 0.99};

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(42);
        double[] p = generated.parameters();
        for (int i = 0; i < p.length; i++) {
            p[i] = rnd.nextDouble() - 0.5;
        }
        for (double[] copy : new double[][] {byHand.params, zeroStarted.params, noChecks.params, firstTerm.params}) {
            System.arraycopy(p, 0, copy, 0, p.length);
        }
    }

    @Benchmark
    public double generated() {
        return generated.lossAndGradient(x, target);
    }

    @Benchmark
    public double byHand() {
        return byHand.lossAndGradient(x, target);
    }

    @Benchmark
    public double zeroStartedSums() {
        return zeroStarted.lossAndGradient(x, target);
    }

    @Benchmark
    public double noLengthChecks() {
        return noChecks.lossAndGradient(x, target);
    }

    @Benchmark
    public double firstTermSums() {
        return firstTerm.lossAndGradient(x, target);
    }

    /** See the class comment. */
    static class ZeroStartedSums {
        final double[] params = new double[10];
        final double[] grad = new double[10];
        private final double[] hidden = new double[2];
        private final double[] out = new double[2];
        private final double[] tmp5 = new double[2];
        private final double[] dTmp2 = new double[2];
        private final double[] dHidden = new double[2];
        private final double[] dTmp4 = new double[2];
        private double lossValue;
        private double dTmp7;

        double lossAndGradient(double[] x, double[] target) {
            checkLength("x", x, 2);
            checkLength("target", target, 2);
            return unchecked(x, target);
        }

        final double unchecked(double[] x, double[] target) {
            forward(x, target);
            backward(x);
            return lossValue;
        }

        private void forward(double[] x, double[] target) {
            for (int i = 0; i < 2; i++) {
                double acc = 0.0;
                for (int j = 0; j < 2; j++) {
                    acc += params[0 + i * 2 + j] * x[j];
                }
                hidden[i] = sigmoid(acc + params[4]);
            }
            for (int i = 0; i < 2; i++) {
                double acc = 0.0;
                for (int j = 0; j < 2; j++) {
                    acc += params[5 + i * 2 + j] * hidden[j];
                }
                out[i] = sigmoid(acc + params[9]);
            }
            for (int i = 0; i < 2; i++) {
                tmp5[i] = target[i] - out[i];
            }
            double acc = 0.0;
            for (int i = 0; i < 2; i++) {
                acc += tmp5[i] * tmp5[i];
            }
            lossValue = 0.5 * acc;
        }

        private void backward(double[] x) {
            dTmp7 = 0.5;
            for (int i = 0; i < 2; i++) {
                dTmp4[i] = -(dTmp7 * 2.0 * tmp5[i]) * out[i] * (1.0 - out[i]);
            }
            {
                double acc = 0.0;
                for (int i = 0; i < 2; i++) {
                    acc += dTmp4[i];
                }
                grad[9] = acc;
            }
            for (int i = 0; i < 2; i++) {
                dHidden[i] = 0.0;
            }
            for (int i = 0; i < 2; i++) {
                double a = dTmp4[i];
                for (int j = 0; j < 2; j++) {
                    dHidden[j] += a * params[5 + i * 2 + j];
                }
            }
            for (int i = 0; i < 2; i++) {
                double a = dTmp4[i];
                for (int j = 0; j < 2; j++) {
                    grad[5 + i * 2 + j] = a * hidden[j];
                }
            }
            for (int i = 0; i < 2; i++) {
                dTmp2[i] = dHidden[i] * hidden[i] * (1.0 - hidden[i]);
            }
            {
                double acc = 0.0;
                for (int i = 0; i < 2; i++) {
                    acc += dTmp2[i];
                }
                grad[4] = acc;
            }
            for (int i = 0; i < 2; i++) {
                double a = dTmp2[i];
                for (int j = 0; j < 2; j++) {
                    grad[i * 2 + j] = a * x[j];
                }
            }
        }
    }

    /** See the class comment. */
    static final class NoLengthChecks extends ZeroStartedSums {
        @Override
        double lossAndGradient(double[] x, double[] target) {
            return unchecked(x, target);
        }
    }

    /** See the class comment. */
    static final class FirstTermSums {
        final double[] params = new double[10];
        final double[] grad = new double[10];
        private final double[] hidden = new double[2];
        private final double[] out = new double[2];
        private final double[] tmp5 = new double[2];
        private final double[] dTmp2 = new double[2];
        private final double[] dHidden = new double[2];
        private final double[] dTmp4 = new double[2];
        private double lossValue;
        private double dTmp7;

        double lossAndGradient(double[] x, double[] target) {
            checkLength("x", x, 2);
            checkLength("target", target, 2);
            forward(x, target);
            backward(x);
            return lossValue;
        }

        private void forward(double[] x, double[] target) {
            for (int i = 0; i < 2; i++) {
                double acc = params[0 + i * 2] * x[0];
                acc += params[0 + i * 2 + 1] * x[1];
                hidden[i] = sigmoid(acc + params[4]);
            }
            for (int i = 0; i < 2; i++) {
                double acc = params[5 + i * 2] * hidden[0];
                acc += params[5 + i * 2 + 1] * hidden[1];
                out[i] = sigmoid(acc + params[9]);
            }
            for (int i = 0; i < 2; i++) {
                tmp5[i] = target[i] - out[i];
            }
            double acc = tmp5[0] * tmp5[0];
            acc += tmp5[1] * tmp5[1];
            lossValue = 0.5 * acc;
        }

        private void backward(double[] x) {
            dTmp7 = 0.5;
            for (int i = 0; i < 2; i++) {
                dTmp4[i] = -(dTmp7 * 2.0 * tmp5[i]) * out[i] * (1.0 - out[i]);
            }
            {
                double acc = dTmp4[0];
                acc += dTmp4[1];
                grad[9] = acc;
            }
            for (int i = 0; i < 2; i++) {
                dHidden[i] = 0.0;
            }
            for (int i = 0; i < 2; i++) {
                double a = dTmp4[i];
                for (int j = 0; j < 2; j++) {
                    dHidden[j] += a * params[5 + i * 2 + j];
                }
            }
            for (int i = 0; i < 2; i++) {
                double a = dTmp4[i];
                for (int j = 0; j < 2; j++) {
                    grad[5 + i * 2 + j] = a * hidden[j];
                }
            }
            for (int i = 0; i < 2; i++) {
                dTmp2[i] = dHidden[i] * hidden[i] * (1.0 - hidden[i]);
            }
            {
                double acc = dTmp2[0];
                acc += dTmp2[1];
                grad[4] = acc;
            }
            for (int i = 0; i < 2; i++) {
                double a = dTmp2[i];
                for (int j = 0; j < 2; j++) {
                    grad[i * 2 + j] = a * x[j];
                }
            }
        }
    }

    private static double sigmoid(double x) {
        if (x >= 0.0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    private static void checkLength(String name, double[] array, int expected) {
        if (array == null) {
            throw new IllegalArgumentException(name + " must not be null (expected length " + expected + ")");
        }
        if (array.length != expected) {
            throw new IllegalArgumentException(name + " has length " + array.length + " but must have length " + expected);
        }
    }
}
