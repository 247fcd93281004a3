package dev.lossc.secondorder;

import dev.lossc.GradCheck;
import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every example network compiled with {@code --derivatives hvp,jvp,jacobian}: its Hessian-vector
 * product against central differences of its gradient, its jvp against the gradient, and each
 * output's jvp and Jacobian against differences and against each other.
 */
class ExamplesSecondOrderTest {
    static final LossCompiler.Options ALL = LossCompiler.Options.DEFAULT.withDerivatives(
            EnumSet.of(LossCompiler.Derivative.HVP, LossCompiler.Derivative.JVP, LossCompiler.Derivative.JACOBIAN));

    @TestFactory
    Stream<DynamicTest> everyExample() throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(Repo.root().resolve("examples"))) {
            s.filter(p -> p.toString().endsWith(".loss")).sorted().forEach(files::add);
        }
        List<LossCompiler.Result> results = new ArrayList<>();
        for (Path f : files) {
            LossCompiler.Result r = LossCompiler.compile(f.getFileName().toString(), Files.readAllBytes(f), ALL);
            if (!r.ok()) {
                throw new AssertionError(r.render());
            }
            results.add(r);
        }
        List<ModelDriver> models = ModelDriver.load(results, Compiled.JAVA8);
        return java.util.stream.IntStream.range(0, files.size()).mapToObj(k -> DynamicTest.dynamicTest(files.get(k).getFileName().toString(), () -> {
            ModelDriver m = models.get(k);
            m.initParameters(7);
            Map<String, double[]> in = GradCheck.randomInputs(m.layout(), 11);
            Derivatives.checkHvp(m, in, 5, 1e-7, 1e-5);
            Derivatives.checkJvp(m, in, 6, 1e-11);
            Derivatives.checkOutputs(m, in, 8, 1e-6, 1e-6);
        }));
    }
}
