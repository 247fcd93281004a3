package dev.lossc.property;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.GeneratedPrograms;
import dev.lossc.testing.RefEval;
import dev.lossc.testing.Values;
import java.util.Map;
import java.util.SplittableRandom;
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
        return GeneratedPrograms.tests(BASE_SEED, PROGRAMS, BATCH, "Gen", LossCompiler.Options.DEFAULT, RandomProgramTest::check);
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
