package dev.lossc.secondorder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.GradCheck;
import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The derivatives of the other kinds of class: a parallel class gives the default class's
 * Hessian-vector products, jvps and Jacobians to the bit at 1 and 2 threads; a {@code --simd}
 * class agrees with it to rounding; a {@code --precision float} class to float's accuracy.
 */
class VariantsSecondOrderTest {
    static final EnumSet<LossCompiler.Derivative> ALL = EnumSet.of(LossCompiler.Derivative.HVP, LossCompiler.Derivative.JVP,
            LossCompiler.Derivative.JACOBIAN);

    private static ModelDriver load(String example, LossCompiler.Options options, List<String> javac) throws Exception {
        Path f = Repo.root().resolve("examples").resolve(example);
        LossCompiler.Result r = LossCompiler.compile(example, Files.readAllBytes(f), options.withDerivatives(ALL));
        assertTrue(r.ok(), r.render());
        ModelDriver m = ModelDriver.load(List.of(r), javac).get(0);
        m.initParameters(3);
        return m;
    }

    /** hvp, the gradient it leaves, jvp, and each output's jvp and Jacobian, flattened. */
    private static double[] everything(ModelDriver m, Map<String, double[]> in) {
        double[] v = Derivatives.direction(m.parameters().length, 9);
        java.util.List<Double> all = new java.util.ArrayList<>();
        m.setSeed(1);
        for (double x : m.hvp(in, v)) {
            all.add(x);
        }
        for (double x : m.gradient()) {
            all.add(x);
        }
        m.setSeed(1);
        all.add(m.jvp(in, v));
        for (var o : m.layout().outputs()) {
            for (double x : m.outputJvp(o.name(), in, v)) {
                all.add(x);
            }
            if ((long) m.outputJvp(o.name(), in, v).length * v.length > 2_000_000L) {
                continue;   // the MNIST-shaped network's [640, 101770] Jacobian: its jvp is checked
            }
            for (double[] row : m.jacobian(o.name(), in)) {
                for (double x : row) {
                    all.add(x);
                }
            }
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void aParallelClassGivesTheSameBitsAtAnyThreadCount() throws Exception {
        for (String example : List.of("mnist.loss", "attention.loss", "char_gru.loss")) {
            ModelDriver plain = load(example, LossCompiler.Options.DEFAULT, Compiled.JAVA8);
            ModelDriver parallel = load(example, LossCompiler.Options.DEFAULT.withParallel(true), Compiled.JAVA8);
            Map<String, double[]> in = GradCheck.randomInputs(plain.layout(), 4);
            double[] expected = everything(plain, in);
            for (int threads : new int[] {1, 2}) {
                parallel.setThreads(threads);
                assertArrayEquals(expected, everything(parallel, in), example + " at " + threads + " threads");
            }
            parallel.close();
        }
    }

    @Test
    void aClassWithOnlyJacobiansGivesTheSameOnes() throws Exception {
        for (String example : List.of("classifier.loss", "layer_norm.loss")) {
            ModelDriver all = load(example, LossCompiler.Options.DEFAULT, Compiled.JAVA8);
            Path f = Repo.root().resolve("examples").resolve(example);
            LossCompiler.Result r = LossCompiler.compile(example, Files.readAllBytes(f),
                    LossCompiler.Options.DEFAULT.withDerivatives(EnumSet.of(LossCompiler.Derivative.JACOBIAN)));
            assertTrue(r.ok(), r.render());
            // The classifier's outputs have fewer elements than it has parameters: reverse sweeps, no pass with tangents.
            assertTrue(!example.equals("classifier.loss") || !r.output().orElseThrow().source().contains("_tangent()"),
                    example + ": no pass with tangents is emitted");
            ModelDriver only = ModelDriver.load(List.of(r), Compiled.JAVA8).get(0);
            only.initParameters(3);
            Map<String, double[]> in = GradCheck.randomInputs(all.layout(), 4);
            for (var o : all.layout().outputs()) {
                double[][] expected = all.jacobian(o.name(), in);
                double[][] got = only.jacobian(o.name(), in);
                for (int i = 0; i < expected.length; i++) {
                    assertArrayEquals(expected[i], got[i], example + " " + o.name() + " row " + i);
                }
            }
        }
    }

    @Test
    void simdAndFloatClassesAgreeToTheirRounding() throws Exception {
        for (String example : List.of("mnist.loss", "classifier.loss")) {
            ModelDriver plain = load(example, LossCompiler.Options.DEFAULT, Compiled.JAVA8);
            Map<String, double[]> in = GradCheck.randomInputs(plain.layout(), 4);
            double[] expected = everything(plain, in);
            double[] simd = everything(load(example, LossCompiler.Options.DEFAULT.withSimd(true), Compiled.SIMD), in);
            assertTrue(Derivatives.worst(simd, expected, 1e-12, 1e-9) <= 1, example + " with --simd");
            double[] single = everything(load(example, LossCompiler.Options.DEFAULT.withPrecision(dev.lossc.types.Precision.FLOAT),
                    Compiled.JAVA8), in);
            double scale = java.util.Arrays.stream(expected).map(Math::abs).max().orElse(1);
            assertTrue(Derivatives.worst(single, expected, 1e-4 * scale, 1e-3) <= 1, example + " with --precision float");
        }
    }
}
