package dev.lossc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.parser.SourceParser;
import dev.lossc.diag.Reporter;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Json;
import dev.lossc.testing.RefEval;
import dev.lossc.testing.Repo;
import dev.lossc.testing.Values;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The shipped example networks: values, gradients, and the checked-in generated classes. */
class ExamplesTest {
    static final String PACKAGE = "lossc.examples";

    static LossCompiler.Result compile(Path model) {
        return LossCompiler.compile(model.getFileName().toString(), Repo.read(model), new LossCompiler.Options(PACKAGE));
    }

    static Map<String, double[]> values(Path model) {
        return Json.values(Repo.read(Path.of(model.toString().replace(".loss", ".json"))));
    }

    @Test
    void everySeedNetworkShipsWithValues() {
        List<String> names = Repo.exampleModels().stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("attention.loss", "char_gru.loss", "classifier.loss", "four_layer.loss", "hinge.loss", "layer_norm.loss", "lenet5.loss", "lstm_lm.loss", "mnist.loss", "relu_mlp.loss", "rnn.loss",
                "softmax_batch.loss", "two_class.loss", "two_layer.loss", "worked_example.loss"), names);
        for (Path p : Repo.exampleModels()) {
            assertTrue(Files.exists(Path.of(p.toString().replace(".loss", ".json"))), "values for " + p);
        }
    }

    @Test
    void workedExampleGivesTheClassicNumbers() {
        Path model = Repo.examples().resolve("worked_example.loss");
        Compiled c = Compiled.compileAll(List.of(compile(model))).get(0);
        Map<String, double[]> v = values(model);
        c.setParams(v);
        double loss = c.lossAndGradient(v);
        assertEquals(0.2983711087600027, loss, 0.0);
        assertEquals(0.08216704056423077, c.gradientByName().get("W2")[0], 0.0);
        assertEquals(loss, c.loss(v), 0.0);
    }

    /** Each example agrees with the independent reference evaluator on its values file. */
    @TestFactory
    Stream<DynamicTest> examplesAgreeWithReference() {
        List<Path> models = Repo.exampleModels();
        List<LossCompiler.Result> results = new ArrayList<>();
        models.forEach(m -> results.add(compile(m)));
        List<Compiled> compiled = Compiled.compileAll(results);
        List<DynamicTest> tests = new ArrayList<>();
        for (int k = 0; k < models.size(); k++) {
            Path model = models.get(k);
            Compiled c = compiled.get(k);
            tests.add(DynamicTest.dynamicTest(model.getFileName().toString(), () -> {
                Map<String, double[]> v = c.withInitialParams(values(model));
                c.setParams(v);
                // Outputs read the states as given (a batch norm's); the training call then moves them.
                Map<String, double[]> outputs = c.outputs(v);
                double loss = c.lossAndGradient(v);
                RefEval.Result ref = RefEval.evaluate(SourceParser.parse(model.toString(), Repo.read(model), new Reporter("x")).orElseThrow(), v);
                assertTrue(Values.close(loss, ref.loss(), 1e-12, 1e-14), "loss " + loss + " vs " + ref.loss());
                Map<String, double[]> grad = c.gradientByName();
                ref.gradient().forEach((name, g) -> {
                    for (int i = 0; i < g.length; i++) {
                        assertTrue(Values.close(grad.get(name)[i], g[i], 1e-10, 1e-13),
                                name + "[" + i + "]: " + grad.get(name)[i] + " vs reference " + g[i]);
                    }
                });
                assertEquals(ref.outputs().keySet(), outputs.keySet());
                ref.outputs().forEach((name, o) -> {
                    for (int i = 0; i < o.length; i++) {
                        assertTrue(Values.close(outputs.get(name)[i], o[i], 1e-12, 1e-14),
                                "output " + name + "[" + i + "]: " + outputs.get(name)[i] + " vs reference " + o[i]);
                    }
                });
            }));
        }
        return tests.stream();
    }

    /** Examples also checked in as generated with {@code --precision float}, in package lossc.examples.floats. */
    static final List<String> FLOAT_SAMPLES = List.of("worked_example.loss", "mnist.loss");

    /**
     * generated-examples/ holds the classes generated from examples/ with package lossc.examples,
     * and {@link #FLOAT_SAMPLES} with {@code --precision float}; run with -Dlossc.regenerate=true to
     * rewrite them after an intended change.
     */
    @Test
    void checkedInGeneratedClassesAreUpToDate() throws IOException {
        boolean regenerate = Boolean.getBoolean("lossc.regenerate");
        Path out = Repo.root().resolve("generated-examples");
        List<String> stale = new ArrayList<>();
        List<Path> expectedFiles = new ArrayList<>();
        List<LossCompiler.GeneratedClass> classes = new ArrayList<>();
        for (Path model : Repo.exampleModels()) {
            classes.add(compile(model).output().orElseThrow());
        }
        for (String name : FLOAT_SAMPLES) {
            Path model = Repo.examples().resolve(name);
            classes.add(LossCompiler.compile(name, Repo.read(model),
                    new LossCompiler.Options(PACKAGE + ".floats").withPrecision(dev.lossc.types.Precision.FLOAT)).output().orElseThrow());
        }
        for (LossCompiler.GeneratedClass g : classes) {
            Path file = out.resolve(g.relativePath());
            expectedFiles.add(file);
            String actual = Files.exists(file) ? Files.readString(file) : null;
            if (!g.source().equals(actual)) {
                stale.add(file.toString());
                if (regenerate) {
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, g.source());
                }
            }
        }
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (!expectedFiles.contains(p)) {
                    stale.add(p + " (no such example)");
                }
            }
        }
        assertTrue(regenerate || stale.isEmpty(), "out of date (rerun with -Dlossc.regenerate=true): " + stale);
    }

    /** examples/embedding builds the seed networks with the Maven plugin: the same files, the current version. */
    @Test
    void embeddingExampleUsesTheSameNetworksAndThisVersion() throws IOException {
        Path nets = Repo.examples().resolve("embedding/src/main/loss/com/example/nets");
        for (String name : List.of("two_layer.loss", "four_layer.loss", "hinge.loss", "worked_example.loss", "rnn.loss", "mnist.loss")) {
            assertEquals(Repo.read(Repo.examples().resolve(name)), Repo.read(nets.resolve(name)), name);
        }
        String rootPom = Repo.read(Repo.root().resolve("pom.xml"));
        String version = rootPom.substring(rootPom.indexOf("<version>") + 9, rootPom.indexOf("</version>"));
        assertTrue(Repo.read(Repo.examples().resolve("embedding/pom.xml")).contains("<lossc.version>" + version + "</lossc.version>"), version);
    }

    @Test
    void generationIsDeterministic() {
        for (Path model : Repo.exampleModels()) {
            assertEquals(compile(model).output().orElseThrow().source(), compile(model).output().orElseThrow().source());
        }
    }
}
