package dev.lossc.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lossc.LossCompiler;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Random programs of {@link ProgramGenerator} in batches, each compiled with the given options and
 * then by one javac run: one dynamic test per batch, which checks every program and names the seed
 * and the program of a failure.
 */
public final class GeneratedPrograms {
    private GeneratedPrograms() {}

    /** What a test checks of one compiled program. */
    @FunctionalInterface
    public interface Check {
        void check(Compiled c, String source, long seed);
    }

    /** {@code count} programs from {@code baseSeed}, in batches of {@code batch}, classes named {@code prefix + i}. */
    public static Stream<DynamicTest> tests(long baseSeed, int count, int batch, String prefix, LossCompiler.Options options, Check check) {
        return IntStream.range(0, (count + batch - 1) / batch).mapToObj(b -> DynamicTest.dynamicTest(
                "programs " + b * batch + ".." + Math.min(count, (b + 1) * batch) + " (base seed " + baseSeed + ")",
                () -> batch(baseSeed, b * batch, Math.min(count, (b + 1) * batch), prefix, options, check)));
    }

    private static void batch(long baseSeed, int from, int to, String prefix, LossCompiler.Options options, Check check) {
        List<Long> seeds = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<LossCompiler.Result> results = new ArrayList<>();
        for (int i = from; i < to; i++) {
            long seed = baseSeed * 1_000_003L + i;
            String source = ProgramGenerator.generate(seed, prefix + i);
            LossCompiler.Result r = LossCompiler.compile(prefix.toLowerCase(java.util.Locale.ROOT) + i + ".loss", source, options);
            if (!r.ok()) {
                fail("seed " + seed + ": generated program rejected:\n" + r.render() + "\n" + source);
            }
            seeds.add(seed);
            sources.add(source);
            results.add(r);
        }
        List<Compiled> compiled = Compiled.compileAll(results);
        for (int k = 0; k < compiled.size(); k++) {
            long seed = seeds.get(k);
            String source = sources.get(k);
            try {
                check.check(compiled.get(k), source, seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " failed: " + e.getMessage() + "\nprogram:\n" + source, e);
            }
        }
    }
}
