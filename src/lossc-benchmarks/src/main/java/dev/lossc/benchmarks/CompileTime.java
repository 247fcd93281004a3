package dev.lossc.benchmarks;

import dev.lossc.LossCompiler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

/** A warm compile of each benchmark network: .loss text to Java source, every phase and pass. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CompileTime {
    @Param({"worked_example", "four_layer", "rnn", "mnist_batch32", "mlp1024", "rnn50"})
    String network;

    String source;

    @Setup
    public void setup() {
        try (InputStream in = CompileTime.class.getResourceAsStream("/loss/" + network + ".loss")) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Benchmark
    public String compile() {
        return LossCompiler.compile(network + ".loss", source, LossCompiler.Options.DEFAULT).output().orElseThrow().source();
    }
}
