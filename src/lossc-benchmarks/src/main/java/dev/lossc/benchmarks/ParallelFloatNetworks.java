package dev.lossc.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two large networks in {@code --precision float}, parallel at {@code threads} threads, each
 * beside the serial float class of the same products (default and {@code --simd}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class ParallelFloatNetworks {
    @Param({"1", "2"})
    public int threads;

    final FloatNetworks serial = new FloatNetworks();
    final dev.lossc.benchmarks.floatparallel.Mlp1024 mlp = new dev.lossc.benchmarks.floatparallel.Mlp1024();
    final dev.lossc.benchmarks.floatparallel.MnistBatch32 mnist32 = new dev.lossc.benchmarks.floatparallel.MnistBatch32();
    final dev.lossc.benchmarks.floatsimdparallel.Mlp1024 mlpSimd = new dev.lossc.benchmarks.floatsimdparallel.Mlp1024();
    final dev.lossc.benchmarks.floatsimdparallel.MnistBatch32 mnist32Simd = new dev.lossc.benchmarks.floatsimdparallel.MnistBatch32();

    @Setup(Level.Trial)
    public void setup() {
        serial.setup();
        copy(serial.mlp.parameters(), mlp.parameters());
        copy(serial.mnist32.parameters(), mnist32.parameters());
        copy(serial.mlp.parameters(), mlpSimd.parameters());
        copy(serial.mnist32.parameters(), mnist32Simd.parameters());
        ParallelModels.setThreads(all(), threads);
    }

    private AutoCloseable[] all() {
        return new AutoCloseable[] {mlp, mnist32, mlpSimd, mnist32Simd};
    }

    private static void copy(float[] from, float[] to) {
        System.arraycopy(from, 0, to, 0, from.length);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        ParallelModels.close(all());
    }

    @Benchmark
    public float mlp1024Float() {
        return serial.mlp1024FloatLossc();
    }

    @Benchmark
    public float mlp1024FloatParallel() {
        return mlp.lossAndGradient(serial.xMlp, serial.yMlp);
    }

    @Benchmark
    public float mlp1024FloatSimd() {
        return serial.mlp1024FloatSimdLossc();
    }

    @Benchmark
    public float mlp1024FloatSimdParallel() {
        return mlpSimd.lossAndGradient(serial.xMlp, serial.yMlp);
    }

    @Benchmark
    public float mnist32Float() {
        return serial.mnist32FloatLossc();
    }

    @Benchmark
    public float mnist32FloatParallel() {
        return mnist32.lossAndGradient(serial.x32, serial.y32);
    }

    @Benchmark
    public float mnist32FloatSimd() {
        return serial.mnist32FloatSimdLossc();
    }

    @Benchmark
    public float mnist32FloatSimdParallel() {
        return mnist32Simd.lossAndGradient(serial.x32, serial.y32);
    }
}
