package dev.lossc.benchmarks;

import dev.lossc.benchmarks.derivatives.KMeansK1000D16;
import dev.lossc.benchmarks.derivatives.KMeansK1000D8;
import dev.lossc.benchmarks.derivatives.KMeansK100D16;
import dev.lossc.benchmarks.derivatives.KMeansK100D8;
import dev.lossc.benchmarks.derivatives.KMeansK10D16;
import dev.lossc.benchmarks.derivatives.KMeansK10D8;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
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
 * gradbench's {@code kmeans} eval at its twelve sizes ({@code k} clusters of 10, 100 and 1,000,
 * {@code n} points of 1,000 and 10,000, dimension {@code d} of 8 and 16), built as gradbench
 * builds them: points uniform in [0, 1) (here from a seeded {@link SplittableRandom}, not NumPy's
 * generator), the centroids the last {@code k} points. The two functions gradbench times:
 *
 * <ul>
 *   <li>{@code cost}: the sum of each point's squared distance to its nearest centroid (the
 *       generated {@code loss});
 *   <li>{@code dir}: the gradient with respect to the centroids divided by the Hessian's diagonal,
 *       element by element (the generated {@code hvp} along ones, which gives the loss, the
 *       gradient and, the Hessian being diagonal, its diagonal, in one call).
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx8g")
@State(Scope.Thread)
public class KMeans {
    /** {@code k,n,d}. */
    @Param({
        "10,1000,8", "10,1000,16", "10,10000,8", "100,1000,8", "10,10000,16", "100,1000,16",
        "100,10000,8", "1000,1000,8", "100,10000,16", "1000,1000,16", "1000,10000,8", "1000,10000,16"
    })
    public String size = "10,1000,8";

    int k;
    int n;
    int d;
    double[] points;
    double[] dir;
    double[] hessianDiagonal;
    double[] gradient;
    DoubleSupplier loss;
    DoubleSupplier hvp;

    @Setup
    public void setup() {
        String[] s = size.split(",");
        k = Integer.parseInt(s[0]);
        n = Integer.parseInt(s[1]);
        d = Integer.parseInt(s[2]);
        points = new double[n * d];
        SplittableRandom rnd = new SplittableRandom(31337);
        for (int i = 0; i < points.length; i++) {
            points[i] = rnd.nextDouble();
        }
        double[] centroids = new double[k * d];
        System.arraycopy(points, (n - k) * d, centroids, 0, k * d);
        double[] ones = new double[k * d];
        java.util.Arrays.fill(ones, 1);
        hessianDiagonal = new double[k * d];
        dir = new double[k * d];
        int rows = n;
        double[] p = points;
        double[] h = hessianDiagonal;
        if (k == 10 && d == 8) {
            KMeansK10D8 net = new KMeansK10D8();
            set(net.parameters(), centroids, net.gradient(), () -> net.loss(rows, p), () -> net.hvp(rows, p, ones, h));
        } else if (k == 10 && d == 16) {
            KMeansK10D16 net = new KMeansK10D16();
            set(net.parameters(), centroids, net.gradient(), () -> net.loss(rows, p), () -> net.hvp(rows, p, ones, h));
        } else if (k == 100 && d == 8) {
            KMeansK100D8 net = new KMeansK100D8();
            set(net.parameters(), centroids, net.gradient(), () -> net.loss(rows, p), () -> net.hvp(rows, p, ones, h));
        } else if (k == 100 && d == 16) {
            KMeansK100D16 net = new KMeansK100D16();
            set(net.parameters(), centroids, net.gradient(), () -> net.loss(rows, p), () -> net.hvp(rows, p, ones, h));
        } else if (k == 1000 && d == 8) {
            KMeansK1000D8 net = new KMeansK1000D8();
            set(net.parameters(), centroids, net.gradient(), () -> net.loss(rows, p), () -> net.hvp(rows, p, ones, h));
        } else if (k == 1000 && d == 16) {
            KMeansK1000D16 net = new KMeansK1000D16();
            set(net.parameters(), centroids, net.gradient(), () -> net.loss(rows, p), () -> net.hvp(rows, p, ones, h));
        } else {
            throw new IllegalArgumentException("no class for k = " + k + ", d = " + d);
        }
    }

    private void set(double[] params, double[] centroids, double[] gradient, DoubleSupplier loss, DoubleSupplier hvp) {
        System.arraycopy(centroids, 0, params, 0, centroids.length);
        this.gradient = gradient;
        this.loss = loss;
        this.hvp = hvp;
    }

    @Benchmark
    public double cost() {
        return loss.getAsDouble();
    }

    @Benchmark
    public double[] dir() {
        hvp.getAsDouble();
        for (int i = 0; i < dir.length; i++) {
            dir[i] = gradient[i] / hessianDiagonal[i];
        }
        return dir;
    }
}
