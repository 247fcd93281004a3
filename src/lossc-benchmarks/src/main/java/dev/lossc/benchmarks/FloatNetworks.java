package dev.lossc.benchmarks;

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
 * The two networks that spend their time in products, generated with {@code --precision float}
 * (default products, and with {@code --simd}), next to the default double classes in the same
 * run: the same parameters and inputs, rounded to float.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class FloatNetworks {
    final Networks plain = new Networks();
    final dev.lossc.benchmarks.floats.MnistBatch32 mnist32 = new dev.lossc.benchmarks.floats.MnistBatch32();
    final dev.lossc.benchmarks.floats.Mlp1024 mlp = new dev.lossc.benchmarks.floats.Mlp1024();
    final dev.lossc.benchmarks.floatsimd.MnistBatch32 mnist32Simd = new dev.lossc.benchmarks.floatsimd.MnistBatch32();
    final dev.lossc.benchmarks.floatsimd.Mlp1024 mlpSimd = new dev.lossc.benchmarks.floatsimd.Mlp1024();
    float[] x32;
    float[] y32;
    float[] xMlp;
    float[] yMlp;

    static float[] rounded(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Setup
    public void setup() {
        plain.setup();
        x32 = rounded(plain.x32);
        y32 = rounded(plain.y32);
        xMlp = rounded(plain.xMlp);
        yMlp = rounded(plain.yMlp);
        float[] p32 = rounded(plain.mnist32.parameters());
        System.arraycopy(p32, 0, mnist32.parameters(), 0, p32.length);
        System.arraycopy(p32, 0, mnist32Simd.parameters(), 0, p32.length);
        float[] pMlp = rounded(plain.mlp.parameters());
        System.arraycopy(pMlp, 0, mlp.parameters(), 0, pMlp.length);
        System.arraycopy(pMlp, 0, mlpSimd.parameters(), 0, pMlp.length);
    }

    @Benchmark
    public double mnist32Lossc() {
        return plain.mnist32Lossc();
    }

    @Benchmark
    public float mnist32FloatLoss() {
        return mnist32.loss(x32, y32);
    }

    @Benchmark
    public float mnist32FloatLossc() {
        return mnist32.lossAndGradient(x32, y32);
    }

    @Benchmark
    public float mnist32FloatSimdLoss() {
        return mnist32Simd.loss(x32, y32);
    }

    @Benchmark
    public float mnist32FloatSimdLossc() {
        return mnist32Simd.lossAndGradient(x32, y32);
    }

    @Benchmark
    public double mlp1024Lossc() {
        return plain.mlp1024Lossc();
    }

    @Benchmark
    public float mlp1024FloatLoss() {
        return mlp.loss(xMlp, yMlp);
    }

    @Benchmark
    public float mlp1024FloatLossc() {
        return mlp.lossAndGradient(xMlp, yMlp);
    }

    @Benchmark
    public float mlp1024FloatSimdLoss() {
        return mlpSimd.loss(xMlp, yMlp);
    }

    @Benchmark
    public float mlp1024FloatSimdLossc() {
        return mlpSimd.lossAndGradient(xMlp, yMlp);
    }
}
