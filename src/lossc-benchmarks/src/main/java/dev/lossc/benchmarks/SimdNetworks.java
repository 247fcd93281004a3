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
 * The two networks {@link Networks} spends its time on in products, generated with
 * {@code --simd} (products on the incubating Vector API), next to the default classes in the same
 * run: same parameters, same inputs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class SimdNetworks {
    final Networks plain = new Networks();
    final dev.lossc.benchmarks.simd.MnistBatch32 mnist32 = new dev.lossc.benchmarks.simd.MnistBatch32();
    final dev.lossc.benchmarks.simd.Mlp1024 mlp = new dev.lossc.benchmarks.simd.Mlp1024();

    @Setup
    public void setup() {
        plain.setup();
        System.arraycopy(plain.mnist32.parameters(), 0, mnist32.parameters(), 0, mnist32.parameters().length);
        System.arraycopy(plain.mlp.parameters(), 0, mlp.parameters(), 0, mlp.parameters().length);
    }

    @Benchmark
    public double mnist32Loss() {
        return plain.mnist32Loss();
    }

    @Benchmark
    public double mnist32Lossc() {
        return plain.mnist32Lossc();
    }

    @Benchmark
    public double mnist32SimdLoss() {
        return mnist32.loss(plain.x32, plain.y32);
    }

    @Benchmark
    public double mnist32SimdLossc() {
        return mnist32.lossAndGradient(plain.x32, plain.y32);
    }

    @Benchmark
    public double mlp1024Loss() {
        return plain.mlp1024Loss();
    }

    @Benchmark
    public double mlp1024Lossc() {
        return plain.mlp1024Lossc();
    }

    @Benchmark
    public double mlp1024SimdLoss() {
        return mlp.loss(plain.xMlp, plain.yMlp);
    }

    @Benchmark
    public double mlp1024SimdLossc() {
        return mlp.lossAndGradient(plain.xMlp, plain.yMlp);
    }
}
