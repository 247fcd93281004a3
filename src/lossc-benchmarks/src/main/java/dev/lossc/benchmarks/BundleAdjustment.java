package dev.lossc.benchmarks;

import dev.lossc.benchmarks.derivatives.BaObservation;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * gradbench's {@code ba} eval on its first two inputs, built the way gradbench builds them:
 * ADBench's files {@code ba1_n49_m7776_p31843} and {@code ba2_n21_m11315_p36455} hold one camera,
 * one point, one weight and one feature, and the eval repeats them, observation {@code i} seeing
 * point {@code i % m} from camera {@code i % n}. The two functions gradbench times:
 *
 * <ul>
 *   <li>{@code objective}: every observation's two reprojection residuals and its weight residual;
 *   <li>{@code jacobian}: the sparse Jacobian of those residuals in gradbench's compressed-row
 *       layout ({@code rows}, {@code cols}, {@code vals}: two rows of 15 entries per observation,
 *       camera (11), point (3) and weight, then one row per weight residual), each block row from
 *       {@code BaObservation}'s generated {@code NAME_jacobian} methods.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class BundleAdjustment {
    /** The camera, point, weight and feature of ADBench's ba files (every file has the same). */
    static final double[] CAMERA = {
        -0.758453, -1.109613, -0.845551, 34.556073, 39.676747, 53.881673, 419.194514, 5.864426, -8.518870,
        0.087812, 0.002739
    };
    static final double[] POINT = {7.203245, 0.001144, 3.023326};
    static final double WEIGHT = 0.417022;
    static final double[] FEATURE = {271.760969, 834.209256};
    static final int CAMERA_PARAMETERS = 11;
    /** Entries of one observation's reprojection row: camera, point, weight. */
    static final int ROW = CAMERA_PARAMETERS + 3 + 1;

    /** gradbench's input name: {@code ba1_n49_m7776_p31843} or {@code ba2_n21_m11315_p36455}. */
    @Param({"ba1_n49_m7776_p31843", "ba2_n21_m11315_p36455"})
    public String input = "ba1_n49_m7776_p31843";

    final BaObservation net = new BaObservation();
    int n;
    int m;
    int p;
    double[][] cams;
    double[][] points;
    double[] weights;
    int[] camOf;
    int[] pointOf;
    double[][] feats;
    double[] reprojErr;
    double[] wErr;
    int[] rows;
    int[] cols;
    double[] vals;
    final double[] row = new double[BaObservation.PARAMETER_COUNT];

    @Setup
    public void setup() {
        String[] sizes = input.split("_");
        n = Integer.parseInt(sizes[1].substring(1));
        m = Integer.parseInt(sizes[2].substring(1));
        p = Integer.parseInt(sizes[3].substring(1));
        cams = new double[n][];
        for (int i = 0; i < n; i++) {
            cams[i] = CAMERA.clone();
        }
        points = new double[m][];
        for (int i = 0; i < m; i++) {
            points[i] = POINT.clone();
        }
        weights = new double[p];
        camOf = new int[p];
        pointOf = new int[p];
        feats = new double[p][];
        for (int i = 0; i < p; i++) {
            weights[i] = WEIGHT;
            camOf[i] = i % n;
            pointOf[i] = i % m;
            feats[i] = FEATURE.clone();
        }
        reprojErr = new double[2 * p];
        wErr = new double[p];
        rows = new int[3 * p + 1];
        cols = new int[2 * ROW * p + p];
        vals = new double[cols.length];
    }

    /** Observation {@code i}'s camera, point and weight as the class's parameters. */
    private void load(int i) {
        double[] params = net.parameters();
        System.arraycopy(cams[camOf[i]], 0, params, BaObservation.cam_OFFSET, CAMERA_PARAMETERS);
        System.arraycopy(points[pointOf[i]], 0, params, BaObservation.X_OFFSET, 3);
        params[BaObservation.w_OFFSET] = weights[i];
    }

    @Benchmark
    public double objective() {
        for (int i = 0; i < p; i++) {
            load(i);
            reprojErr[2 * i] = net.reproj_x(feats[i]);
            reprojErr[2 * i + 1] = net.reproj_y(feats[i]);
        }
        for (int i = 0; i < p; i++) {
            net.parameters()[BaObservation.w_OFFSET] = weights[i];
            wErr[i] = net.weight();
        }
        return reprojErr[0] + wErr[p - 1];
    }

    @Benchmark
    public double jacobian() {
        int k = 0;
        rows[0] = 0;
        for (int i = 0; i < p; i++) {
            load(i);
            k = insertReprojRow(i, net.reproj_x_jacobian(feats[i], row), 2 * i, k);
            k = insertReprojRow(i, net.reproj_y_jacobian(feats[i], row), 2 * i + 1, k);
        }
        int weightColumn = CAMERA_PARAMETERS * n + 3 * m;
        for (int i = 0; i < p; i++) {
            net.parameters()[BaObservation.w_OFFSET] = weights[i];
            double[] g = net.weight_jacobian(row);
            cols[k] = weightColumn + i;
            vals[k++] = g[BaObservation.w_OFFSET];
            rows[2 * p + i + 1] = k;
        }
        return vals[k - 1];
    }

    /** One reprojection row of observation {@code i} (camera, point, weight) at entry {@code k}. */
    private int insertReprojRow(int i, double[] g, int r, int k) {
        int camera = CAMERA_PARAMETERS * camOf[i];
        for (int j = 0; j < CAMERA_PARAMETERS; j++) {
            cols[k] = camera + j;
            vals[k++] = g[BaObservation.cam_OFFSET + j];
        }
        int point = CAMERA_PARAMETERS * n + 3 * pointOf[i];
        for (int j = 0; j < 3; j++) {
            cols[k] = point + j;
            vals[k++] = g[BaObservation.X_OFFSET + j];
        }
        cols[k] = CAMERA_PARAMETERS * n + 3 * m + i;
        vals[k++] = g[BaObservation.w_OFFSET];
        rows[r + 1] = k;
        return k;
    }
}
