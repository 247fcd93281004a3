package dev.lossc.testing;

import dev.lossc.InMemoryJavaCompiler;
import dev.lossc.LossCompiler;
import dev.lossc.check.Symbol;
import dev.lossc.check.Typed;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A generated class, compiled in memory and driven by reflection, for the tests. */
public final class Compiled {
    /** javac options for every test compilation: the generated code must be valid Java 8. */
    public static final List<String> JAVA8 = List.of("--release", "8", "-Xlint:-options", "-nowarn");

    private final Typed.Program model;
    private final Object instance;
    private final Class<?> cls;
    private final Method loss;
    private final Method lossAndGradient;

    private Compiled(Typed.Program model, Class<?> cls) throws ReflectiveOperationException {
        this.model = model;
        this.cls = cls;
        this.instance = cls.getConstructor().newInstance();
        Class<?>[] types = new Class<?>[model.inputs().size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = model.inputs().get(i).shape().isScalar() ? double.class : double[].class;
        }
        this.loss = cls.getMethod("loss", types);
        this.lossAndGradient = cls.getMethod("lossAndGradient", types);
    }

    /** Compiles every result (all must be free of errors) in one javac run. */
    public static List<Compiled> compileAll(List<LossCompiler.Result> results) {
        Map<String, String> sources = new LinkedHashMap<>();
        for (LossCompiler.Result r : results) {
            if (!r.ok()) {
                throw new AssertionError("unexpected diagnostics:\n" + r.render());
            }
            LossCompiler.GeneratedClass g = r.output().orElseThrow();
            sources.put(g.qualifiedName(), g.source());
        }
        try {
            ClassLoader loader = InMemoryJavaCompiler.compile(sources, JAVA8);
            List<Compiled> out = new ArrayList<>();
            for (LossCompiler.Result r : results) {
                out.add(new Compiled(r.checked().orElseThrow(), loader.loadClass(r.output().orElseThrow().qualifiedName())));
            }
            return out;
        } catch (InMemoryJavaCompiler.CompilationFailed e) {
            throw new AssertionError(e.getMessage() + "\n" + String.join("\n\n", sources.values()));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    public static Compiled compile(String file, String source) {
        return compileAll(List.of(LossCompiler.compile(file, source, LossCompiler.Options.DEFAULT))).get(0);
    }

    public Typed.Program model() {
        return model;
    }

    public Class<?> type() {
        return cls;
    }

    public Object instance() {
        return instance;
    }

    public double[] parameters() {
        return (double[]) invoke("parameters");
    }

    public double[] gradient() {
        return (double[]) invoke("gradient");
    }

    private Object invoke(String method) {
        try {
            return cls.getMethod(method).invoke(instance);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Copies each param's flat value into the parameter array at its offset. */
    public void setParams(Map<String, double[]> values) {
        double[] flat = parameters();
        int offset = 0;
        for (Symbol.Param p : model.params()) {
            double[] v = values.get(p.name());
            System.arraycopy(v, 0, flat, offset, v.length);
            offset += v.length;
        }
    }

    /** The gradient split by param name. */
    public Map<String, double[]> gradientByName() {
        double[] g = gradient();
        Map<String, double[]> out = new LinkedHashMap<>();
        int offset = 0;
        for (Symbol.Param p : model.params()) {
            double[] v = new double[p.shape().size()];
            System.arraycopy(g, offset, v, 0, v.length);
            out.put(p.name(), v);
            offset += v.length;
        }
        return out;
    }

    private Object[] args(Map<String, double[]> values) {
        Object[] args = new Object[model.inputs().size()];
        for (int i = 0; i < args.length; i++) {
            Symbol.Input in = model.inputs().get(i);
            double[] v = values.get(in.name());
            args[i] = in.shape().isScalar() ? (Object) v[0] : v;
        }
        return args;
    }

    public double loss(Map<String, double[]> values) {
        return call(loss, values);
    }

    public double lossAndGradient(Map<String, double[]> values) {
        return call(lossAndGradient, values);
    }

    private double call(Method m, Map<String, double[]> values) {
        try {
            return (double) m.invoke(instance, args(values));
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
