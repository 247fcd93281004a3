package dev.lossc.testing;

import dev.lossc.InMemoryJavaCompiler;
import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.check.Typed;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generated class, compiled in memory and driven through {@link ModelDriver} (the driver
 * {@code lossc eval} uses), with the checked program the reference evaluator needs.
 */
public final class Compiled {
    /** javac options for every test compilation: the generated code must be valid Java 8. */
    public static final List<String> JAVA8 = List.of("--release", "8", "-Xlint:-options", "-nowarn");

    /** javac options for classes generated with {@code --simd}: Java 17 and the incubating Vector API. */
    public static final List<String> SIMD = List.of("--release", "17", "--add-modules", "jdk.incubator.vector", "-nowarn");

    private final Typed.Program model;
    private final ModelDriver driver;

    private Compiled(Typed.Program model, ModelDriver driver) {
        this.model = model;
        this.driver = driver;
    }

    /** Compiles every result (all must be free of errors) in one javac run. */
    public static List<Compiled> compileAll(List<LossCompiler.Result> results) {
        return compileAll(results, JAVA8);
    }

    /** As {@link #compileAll(List)}, with these javac options. */
    public static List<Compiled> compileAll(List<LossCompiler.Result> results, List<String> javacOptions) {
        Map<String, String> sources = new LinkedHashMap<>();
        for (LossCompiler.Result r : results) {
            if (!r.ok()) {
                throw new AssertionError("unexpected diagnostics:\n" + r.render());
            }
            sources.put(r.output().orElseThrow().qualifiedName(), r.output().orElseThrow().source());
        }
        try {
            List<ModelDriver> drivers = ModelDriver.load(results, javacOptions);
            List<Compiled> out = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                out.add(new Compiled(results.get(i).checked().orElseThrow(), drivers.get(i)));
            }
            return out;
        } catch (InMemoryJavaCompiler.CompilationFailed e) {
            throw new AssertionError(e.getMessage() + "\n" + String.join("\n\n", sources.values()));
        }
    }

    /** The class of one program (as file {@code t.loss}), compiled and loaded. */
    public static Compiled of(String source) {
        return compile("t.loss", source);
    }

    /** The gradient at these params (and inputs), a copy. */
    public double[] gradientAt(Map<String, double[]> values) {
        setParams(values);
        lossAndGradient(values);
        return gradient().clone();
    }

    public static Compiled compile(String file, String source) {
        return compileAll(List.of(LossCompiler.compile(file, source, LossCompiler.Options.DEFAULT))).get(0);
    }

    public Typed.Program model() {
        return model;
    }

    public dev.lossc.ModelLayout layout() {
        return driver.layout();
    }

    public dev.lossc.ModelDriver driver() {
        return driver;
    }

    public Class<?> type() {
        return driver.type();
    }

    public Object instance() {
        return driver.instance();
    }

    public double[] parameters() {
        return driver.parameters();
    }

    public double[] gradient() {
        return driver.gradient();
    }

    /**
     * {@code values} with the params it leaves out (as {@code eval --seed 0} fills them: mnist.json
     * holds only images and labels) taken from this instance, which has its initial ones.
     */
    public Map<String, double[]> withInitialParams(Map<String, double[]> values) {
        Map<String, double[]> v = new LinkedHashMap<>(values);
        for (dev.lossc.ModelLayout.Slot p : layout().params()) {
            v.computeIfAbsent(p.name(), n -> java.util.Arrays.copyOfRange(parameters(), p.offset(), p.offset() + p.shape().size()));
        }
        return v;
    }

    /** Copies each param's flat value into the parameter array at its offset. */
    public void setParams(Map<String, double[]> values) {
        driver.setParams(values);
    }

    public Map<String, double[]> gradientByName() {
        return driver.gradientByName();
    }

    public double loss(Map<String, double[]> values) {
        return driver.loss(values);
    }

    /** Every output's value at {@code values}, through the output methods (each given only the inputs it takes). */
    public Map<String, double[]> outputs(Map<String, double[]> values) {
        return driver.outputs(values);
    }

    public double lossAndGradient(Map<String, double[]> values) {
        return driver.lossAndGradient(values);
    }
}
