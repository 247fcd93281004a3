package dev.lossc.secondorder;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.ProgramGenerator;
import dev.lossc.testing.Values;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Random well-typed programs (the generator of the gradient's property test, whose gradients agree
 * with the reference evaluator) compiled with {@code --derivatives hvp,jvp,jacobian}: each one's
 * Hessian-vector product against central differences of its gradient, its jvp against the
 * gradient, and each output's jvp and Jacobian against differences and against each other. The
 * base seed can be changed with -Dlossc.seed=N and the count with -Dlossc.hvpPrograms=N; a failure
 * names its seed.
 */
class RandomProgramsSecondOrderTest {
    static final long BASE_SEED = Long.getLong("lossc.seed", 20261123L) + 26;
    static final int PROGRAMS = Integer.getInteger("lossc.hvpPrograms", 300);
    static final int BATCH = 50;
    static final LossCompiler.Options ALL = LossCompiler.Options.DEFAULT.withDerivatives(
            EnumSet.of(LossCompiler.Derivative.HVP, LossCompiler.Derivative.JVP, LossCompiler.Derivative.JACOBIAN));

    @TestFactory
    Stream<DynamicTest> secondDerivativesAgreeWithDifferencesOfTheGradient() {
        return IntStream.range(0, (PROGRAMS + BATCH - 1) / BATCH).mapToObj(b -> DynamicTest.dynamicTest(
                "programs " + b * BATCH + ".." + Math.min(PROGRAMS, (b + 1) * BATCH) + " (base seed " + BASE_SEED + ")",
                () -> batch(b * BATCH, Math.min(PROGRAMS, (b + 1) * BATCH))));
    }

    private static void batch(int from, int to) {
        List<Long> seeds = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<LossCompiler.Result> results = new ArrayList<>();
        for (int i = from; i < to; i++) {
            long seed = BASE_SEED * 1_000_003L + i;
            String source = ProgramGenerator.generate(seed, "Hvp" + i);
            LossCompiler.Result r = LossCompiler.compile("hvp" + i + ".loss", source, ALL);
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
            Compiled c = compiled.get(k);
            try {
                Map<String, double[]> values = Values.random(c.model(), new SplittableRandom(seed), 1.0);
                c.setParams(values);
                Derivatives.checkHvp(c.driver(), values, seed, new double[] {1e-6, 1e-7, 1e-5}, 1e-5);
                Derivatives.checkJvp(c.driver(), values, seed + 1, 1e-11);
                Derivatives.checkOutputs(c.driver(), values, seed + 2, 1e-6, 1e-5);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " failed: " + e.getMessage() + "\nprogram:\n" + sources.get(k), e);
            }
        }
    }
}
