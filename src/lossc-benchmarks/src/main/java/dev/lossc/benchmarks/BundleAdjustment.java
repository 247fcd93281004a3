package dev.lossc.benchmarks;

import dev.lossc.benchmarks.derivatives.BaObservation;
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
 * gradbench's {@code ba} at the size of its first input (ADBench's ba1: 49 cameras, 7,776 points,
 * 31,843 observations; random values here): the objective (every observation's residuals) and the
 * sparse Jacobian, each observation's block row [3, 15] from {@code BaObservation}'s generated
 * {@code NAME_jacobian} methods (a forward pass and one reverse sweep per residual).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class BundleAdjustment {
    static final int CAMERAS = 49;
    static final int POINTS = 7776;
    static final int OBSERVATIONS = 31843;

    final BaObservation net = new BaObservation();
    final double[][] cams = new double[CAMERAS][11];
    final double[][] points = new double[POINTS][3];
    final double[] weights = new double[OBSERVATIONS];
    final int[] camOf = new int[OBSERVATIONS];
    final int[] pointOf = new int[OBSERVATIONS];
    final double[][] feats = new double[OBSERVATIONS][2];
    /** Each observation's block row: residuals x, y and w by camera (11), point (3) and weight (1). */
    final double[] jacobian = new double[OBSERVATIONS * 3 * BaObservation.PARAMETER_COUNT];
    final double[] row = new double[BaObservation.PARAMETER_COUNT];
    final double[] residuals = new double[OBSERVATIONS * 3];

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(49);
        for (double[] c : cams) {
            for (int j = 0; j < 3; j++) {
                c[j] = 0.3 * rnd.nextGaussian();
                c[3 + j] = 0.5 * rnd.nextGaussian();
            }
            c[6] = 1 + rnd.nextDouble();
            c[7] = 0.1 * rnd.nextGaussian();
            c[8] = 0.1 * rnd.nextGaussian();
            c[9] = 0.01 * rnd.nextGaussian();
            c[10] = 0.01 * rnd.nextGaussian();
        }
        for (double[] p : points) {
            p[0] = rnd.nextGaussian();
            p[1] = rnd.nextGaussian();
            p[2] = 6 + rnd.nextGaussian();
        }
        for (int i = 0; i < OBSERVATIONS; i++) {
            weights[i] = 1 + 0.1 * rnd.nextGaussian();
            camOf[i] = i % CAMERAS;
            pointOf[i] = rnd.nextInt(POINTS);
            feats[i][0] = 0.3 * rnd.nextGaussian();
            feats[i][1] = 0.3 * rnd.nextGaussian();
        }
    }

    /** Observation {@code i}'s camera, point and weight as the class's parameters. */
    private void load(int i) {
        double[] p = net.parameters();
        System.arraycopy(cams[camOf[i]], 0, p, BaObservation.cam_OFFSET, 11);
        System.arraycopy(points[pointOf[i]], 0, p, BaObservation.X_OFFSET, 3);
        p[BaObservation.w_OFFSET] = weights[i];
    }

    @Benchmark
    public double objective() {
        double s = 0;
        for (int i = 0; i < OBSERVATIONS; i++) {
            load(i);
            residuals[3 * i] = net.reproj_x(feats[i]);
            residuals[3 * i + 1] = net.reproj_y(feats[i]);
            residuals[3 * i + 2] = net.weight();
            s += residuals[3 * i];
        }
        return s;
    }

    @Benchmark
    public double jacobian() {
        int n = BaObservation.PARAMETER_COUNT;
        for (int i = 0; i < OBSERVATIONS; i++) {
            load(i);
            System.arraycopy(net.reproj_x_jacobian(feats[i], row), 0, jacobian, (3 * i) * n, n);
            System.arraycopy(net.reproj_y_jacobian(feats[i], row), 0, jacobian, (3 * i + 1) * n, n);
            System.arraycopy(net.weight_jacobian(row), 0, jacobian, (3 * i + 2) * n, n);
        }
        return jacobian[jacobian.length - 1];
    }
}
