package dev.lossc.benchmarks;

import java.util.SplittableRandom;
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
 * Parallel classes ({@code --parallel}) at {@code threads} threads, each beside the default class
 * of the same network in the same run: the large networks in both layouts, and the small ones,
 * whose products are too small to split (they must run as fast as the default class).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class ParallelNetworks {
    @Param({"1", "2"})
    public int threads;

    final Layouts layouts = new Layouts();
    final SmallNetworks small = new SmallNetworks();
    final Networks networks = new Networks();
    final dev.lossc.benchmarks.parallel.Mlp1024 mlp = new dev.lossc.benchmarks.parallel.Mlp1024();
    final dev.lossc.benchmarks.parallel.Mlp1024Linear mlpLinear = new dev.lossc.benchmarks.parallel.Mlp1024Linear();
    final dev.lossc.benchmarks.parallel.MnistBatch32 mnist32 = new dev.lossc.benchmarks.parallel.MnistBatch32();
    final dev.lossc.benchmarks.parallel.MnistBatch32Linear mnist32Linear = new dev.lossc.benchmarks.parallel.MnistBatch32Linear();
    final dev.lossc.benchmarks.parallel.Rnn50 rnn = new dev.lossc.benchmarks.parallel.Rnn50();
    final dev.lossc.benchmarks.parallel.FourLayer four = new dev.lossc.benchmarks.parallel.FourLayer();
    final dev.lossc.benchmarks.parallel.WorkedExample worked = new dev.lossc.benchmarks.parallel.WorkedExample();
    final dev.lossc.benchmarks.simd.Mlp1024 mlpSimd = new dev.lossc.benchmarks.simd.Mlp1024();
    final dev.lossc.benchmarks.simd.MnistBatch32 mnist32Simd = new dev.lossc.benchmarks.simd.MnistBatch32();
    final dev.lossc.benchmarks.parallelsimd.Mlp1024 mlpSimdParallel = new dev.lossc.benchmarks.parallelsimd.Mlp1024();
    final dev.lossc.benchmarks.parallelsimd.Mlp1024Linear mlpLinearSimdParallel = new dev.lossc.benchmarks.parallelsimd.Mlp1024Linear();
    final dev.lossc.benchmarks.parallelsimd.MnistBatch32 mnist32SimdParallel = new dev.lossc.benchmarks.parallelsimd.MnistBatch32();
    final dev.lossc.benchmarks.parallelsimd.MnistBatch32Linear mnist32LinearSimdParallel = new dev.lossc.benchmarks.parallelsimd.MnistBatch32Linear();

    @Setup(Level.Trial)
    public void setup() {
        layouts.setup();
        small.setup();
        networks.setup();
        copy(layouts.mlp.parameters(), mlp.parameters());
        copy(layouts.mlpLinear.parameters(), mlpLinear.parameters());
        copy(layouts.mnist32.parameters(), mnist32.parameters());
        copy(layouts.mnist32Linear.parameters(), mnist32Linear.parameters());
        copy(networks.rnn.parameters(), rnn.parameters());
        copy(small.four.parameters(), four.parameters());
        copy(small.worked.parameters(), worked.parameters());
        copy(layouts.mlp.parameters(), mlpSimd.parameters());
        copy(layouts.mnist32.parameters(), mnist32Simd.parameters());
        copy(layouts.mlp.parameters(), mlpSimdParallel.parameters());
        copy(layouts.mlpLinear.parameters(), mlpLinearSimdParallel.parameters());
        copy(layouts.mnist32.parameters(), mnist32SimdParallel.parameters());
        copy(layouts.mnist32Linear.parameters(), mnist32LinearSimdParallel.parameters());
        ParallelModels.setThreads(all(), threads);
    }

    private AutoCloseable[] all() {
        return new AutoCloseable[] {mlp, mlpLinear, mnist32, mnist32Linear, rnn, four, worked, mlpSimdParallel, mlpLinearSimdParallel,
            mnist32SimdParallel, mnist32LinearSimdParallel};
    }

    private static void copy(double[] from, double[] to) {
        System.arraycopy(from, 0, to, 0, from.length);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        ParallelModels.close(all());
    }

    @Benchmark
    public double mlp1024Default() {
        return layouts.mlp1024();
    }

    @Benchmark
    public double mlp1024Parallel() {
        return mlp.lossAndGradient(layouts.xMlp, layouts.yMlp);
    }

    @Benchmark
    public double mlp1024LinearParallel() {
        return mlpLinear.lossAndGradient(layouts.xMlp, layouts.yMlp);
    }

    @Benchmark
    public double mnist32Default() {
        return layouts.mnist32();
    }

    @Benchmark
    public double mnist32Parallel() {
        return mnist32.lossAndGradient(layouts.x32, layouts.y32);
    }

    @Benchmark
    public double mnist32LinearParallel() {
        return mnist32Linear.lossAndGradient(layouts.x32, layouts.y32);
    }

    @Benchmark
    public double mlp1024SimdDefault() {
        return mlpSimd.lossAndGradient(layouts.xMlp, layouts.yMlp);
    }

    @Benchmark
    public double mlp1024SimdParallel() {
        return mlpSimdParallel.lossAndGradient(layouts.xMlp, layouts.yMlp);
    }

    @Benchmark
    public double mlp1024LinearSimdParallel() {
        return mlpLinearSimdParallel.lossAndGradient(layouts.xMlp, layouts.yMlp);
    }

    @Benchmark
    public double mnist32SimdDefault() {
        return mnist32Simd.lossAndGradient(layouts.x32, layouts.y32);
    }

    @Benchmark
    public double mnist32SimdParallel() {
        return mnist32SimdParallel.lossAndGradient(layouts.x32, layouts.y32);
    }

    @Benchmark
    public double mnist32LinearSimdParallel() {
        return mnist32LinearSimdParallel.lossAndGradient(layouts.x32, layouts.y32);
    }

    @Benchmark
    public double rnn50Default() {
        return networks.rnn50Lossc();
    }

    @Benchmark
    public double rnn50Parallel() {
        return rnn.lossAndGradient(networks.xs, networks.targets, networks.h0);
    }

    @Benchmark
    public double fourLayerDefault() {
        return small.fourLayerLossc();
    }

    @Benchmark
    public double fourLayerParallel() {
        return four.lossAndGradient(small.x4, small.y4);
    }

    @Benchmark
    public double workedExampleDefault() {
        return small.workedExampleLossc();
    }

    @Benchmark
    public double workedExampleParallel() {
        return worked.lossAndGradient(small.x2, small.target2);
    }
}
