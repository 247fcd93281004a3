package dev.lossc.property;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.ProgramGenerator;
import dev.lossc.testing.RefEval;
import dev.lossc.testing.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Random well-typed programs: the generated class, compiled in-process, must agree with the
 * independent reference evaluator on the loss and on every gradient entry. The base seed can be
 * changed with -Dlossc.seed=N and the count with -Dlossc.programs=N; a failure names its seed.
 */
class RandomProgramTest {
    static final long BASE_SEED = Long.getLong("lossc.seed", 20261123L);
    static final int PROGRAMS = Integer.getInteger("lossc.programs", 600);
    static final int BATCH = 60;

    @TestFactory
    Stream<DynamicTest> generatedClassesAgreeWithReferenceEvaluator() {
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
            String source = ProgramGenerator.generate(seed, "Gen" + i);
            LossCompiler.Result r = LossCompiler.compile("gen" + i + ".loss", source, LossCompiler.Options.DEFAULT);
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
                check(compiled.get(k), source, seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " failed: " + e.getMessage() + "\nprogram:\n" + source, e);
            }
        }
    }

    private static void check(Compiled c, String source, long seed) {
        Map<String, double[]> values = Values.random(c.model(), new SplittableRandom(seed), 1.0);
        c.setParams(values);
        // With states (batch norm), outputs read them and training calls move them: outputs first, from the given states.
        boolean states = !c.layout().states().isEmpty();
        Map<String, double[]> given = states ? c.outputs(values) : null;
        double loss = c.lossAndGradient(values);
        RefEval.Result ref = RefEval.evaluate(source, values);
        if (states) {
            c.driver().statesByName().forEach((name, actual) -> {
                double[] expected = ref.states().get(name);
                for (int i = 0; i < expected.length; i++) {
                    assertTrue(Values.close(actual[i], expected[i], 1e-9, 1e-12),
                            "state " + name + "[" + i + "] = " + actual[i] + ", reference " + expected[i]);
                }
            });
        }
        double lossOnly = c.loss(values);
        assertTrue(Double.isFinite(ref.loss()), "reference loss is not finite: " + ref.loss());
        assertTrue(Values.close(loss, ref.loss(), 1e-9, 1e-12), "loss " + loss + " vs reference " + ref.loss());
        assertTrue(loss == lossOnly, "loss() " + lossOnly + " differs from lossAndGradient() " + loss);
        Map<String, double[]> grad = c.gradientByName();
        Map<String, double[]> outputs = states ? given : c.outputs(values);
        assertTrue(outputs.keySet().equals(ref.outputs().keySet()), "outputs " + outputs.keySet() + " vs reference " + ref.outputs().keySet());
        ref.outputs().forEach((name, o) -> {
            for (int i = 0; i < o.length; i++) {
                assertTrue(Values.close(outputs.get(name)[i], o[i], 1e-9, 1e-12),
                        "output " + name + "[" + i + "] = " + outputs.get(name)[i] + ", reference " + o[i]);
            }
        });
        assertTrue(c.lossAndGradient(values) == loss, "an output call changed what lossAndGradient computes");
        ref.gradient().forEach((name, g) -> {
            for (int i = 0; i < g.length; i++) {
                assertTrue(Values.close(grad.get(name)[i], g[i], 1e-7, 1e-9),
                        "d loss / d " + name + "[" + i + "] = " + grad.get(name)[i] + ", reference " + g[i]);
            }
        });
    }
}
