package dev.lossc.secondorder;

import dev.lossc.LossCompiler;
import dev.lossc.testing.GeneratedPrograms;
import dev.lossc.testing.Values;
import java.util.EnumSet;
import java.util.Map;
import java.util.SplittableRandom;
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
        return GeneratedPrograms.tests(BASE_SEED, PROGRAMS, BATCH, "Hvp", ALL, (c, source, seed) -> {
            Map<String, double[]> values = Values.random(c.model(), new SplittableRandom(seed), 1.0);
            c.setParams(values);
            Derivatives.checkHvp(c.driver(), values, seed, new double[] {1e-6, 1e-7, 1e-5}, 1e-5);
            Derivatives.checkJvp(c.driver(), values, seed + 1, 1e-11);
            Derivatives.checkOutputs(c.driver(), values, seed + 2, 1e-6, 1e-5);
        });
    }
}
