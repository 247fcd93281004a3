package dev.lossc;

import dev.lossc.types.Shape;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a generated class (compiled in memory with the JDK's compiler) and drives it through its
 * public API by reflection: set params by name, call {@code loss}/{@code lossAndGradient} with
 * inputs by name, read the gradient by name. What {@code lossc eval} runs, and what the tests use.
 * A class generated with {@code --precision float} is driven the same way: values go in rounded to
 * {@code float} and come out widened to {@code double}.
 */
public final class ModelDriver {
    private final ModelLayout layout;
    private final Class<?> type;
    private final Object instance;
    private final Method loss;
    private final Method lossAndGradient;
    /** True for a class generated with {@code --precision float}: its values are {@code float}s. */
    private final boolean single;

    private ModelDriver(ModelLayout layout, Class<?> type) throws ReflectiveOperationException {
        this.layout = layout;
        this.type = type;
        this.instance = type.getConstructor().newInstance();
        this.single = type.getMethod("parameters").getReturnType() == float[].class;
        int d = layout.lossDims().size();
        Class<?>[] types = new Class<?>[d + layout.inputs().size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = i < d ? int.class : javaType(layout.inputs().get(i - d));
        }
        this.loss = type.getMethod("loss", types);
        this.lossAndGradient = type.getMethod("lossAndGradient", types);
    }

    /** The generated class of each result (all free of errors), compiled in one javac run with {@code javacOptions}. */
    public static List<ModelDriver> load(List<LossCompiler.Result> results, List<String> javacOptions)
            throws InMemoryJavaCompiler.CompilationFailed {
        Map<String, String> sources = new LinkedHashMap<>();
        for (LossCompiler.Result r : results) {
            LossCompiler.GeneratedClass g = r.output().orElseThrow(() -> new IllegalArgumentException("a result with errors"));
            sources.put(g.qualifiedName(), g.source());
        }
        ClassLoader loader = InMemoryJavaCompiler.compile(sources, javacOptions);
        List<ModelDriver> out = new ArrayList<>();
        try {
            for (LossCompiler.Result r : results) {
                out.add(new ModelDriver(r.layout().orElseThrow(), loader.loadClass(r.output().orElseThrow().qualifiedName())));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("a generated class does not have its documented API", e);
        }
        return out;
    }

    public ModelLayout layout() {
        return layout;
    }

    /**
     * Runs the class's large products on {@code n} threads: a class generated with
     * {@code --parallel} ({@code setThreads}); any other class runs on one thread, so only 1 is
     * accepted for it.
     */
    public void setThreads(int n) {
        try {
            type.getMethod("setThreads", int.class).invoke(instance, n);
        } catch (NoSuchMethodException e) {
            if (n != 1) {
                throw new IllegalArgumentException("the class was not generated with --parallel: it runs on one thread");
            }
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Restarts the generator of the class's dropout masks ({@code setSeed}), so that the next
     * calls draw the masks they drew after any other {@code setSeed(seed)}; false (and nothing
     * done) for a class without dropout.
     */
    public boolean setSeed(long seed) {
        try {
            type.getMethod("setSeed", long.class).invoke(instance, seed);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops a parallel class's worker threads ({@code close}); nothing for any other class. */
    public void close() {
        if (instance instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the model failed", e);
            }
        }
    }

    public Class<?> type() {
        return type;
    }

    public Object instance() {
        return instance;
    }

    /** The live flat parameter array (for a float class, a copy widened to double). */
    public double[] parameters() {
        return widened(invoke("parameters"));
    }

    /** The live flat gradient array (for a float class, a copy widened to double). */
    public double[] gradient() {
        return widened(invoke("gradient"));
    }

    private double[] widened(Object array) {
        if (!single) {
            return (double[]) array;
        }
        float[] f = (float[]) array;
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static float[] rounded(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** How the class takes an input: as declared, with {@code float} for {@code double} in a float class. */
    private Class<?> javaType(ModelLayout.Slot in) {
        Class<?> t = in.javaType();
        return !single ? t : t == double.class ? float.class : t == double[].class ? float[].class : t;
    }

    /** Fills the parameters by the class's own {@code initParameters(seed)}. */
    public void initParameters(long seed) {
        try {
            type.getMethod("initParameters", long.class).invoke(instance, seed);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Copies each named param's (or state's) flat value into the parameter (or state) array; those
     * not named keep their values.
     */
    public void setParams(Map<String, double[]> values) {
        Object flat = invoke("parameters");
        for (ModelLayout.Slot p : layout.params()) {
            double[] v = values.get(p.name());
            if (v != null) {
                System.arraycopy(single ? rounded(v) : v, 0, flat, p.offset(), p.shape().size());
            }
        }
        if (!layout.states().isEmpty()) {
            Object states = invoke("states");
            for (ModelLayout.Slot s : layout.states()) {
                double[] v = values.get(s.name());
                if (v != null) {
                    System.arraycopy(single ? rounded(v) : v, 0, states, s.offset(), s.shape().size());
                }
            }
        }
    }

    /** The parameters followed by the states (a copy): what a params file holds, and what {@link #restore} takes back. */
    public double[] snapshot() {
        double[] p = parameters();
        double[] s = states();
        double[] all = java.util.Arrays.copyOf(p, p.length + s.length);
        System.arraycopy(s, 0, all, p.length, s.length);
        return all;
    }

    /** Sets the parameters and the states from a {@link #snapshot()}. */
    public void restore(double[] snapshot) {
        Object p = invoke("parameters");
        int n = single ? ((float[]) p).length : ((double[]) p).length;
        System.arraycopy(single ? rounded(snapshot) : snapshot, 0, p, 0, n);
        if (!layout.states().isEmpty()) {
            Object s = invoke("states");
            System.arraycopy(single ? rounded(snapshot) : snapshot, n, s, 0, snapshot.length - n);
        }
    }

    /** Sets the states back to {@code values} (what {@link #states()} gave); nothing for a class without states. */
    public void restoreStates(double[] values) {
        if (!layout.states().isEmpty()) {
            System.arraycopy(single ? rounded(values) : values, 0, invoke("states"), 0, values.length);
        }
    }

    /** The flat array of the states (for a float class, a copy widened to double); empty for a class without states. */
    public double[] states() {
        return layout.states().isEmpty() ? new double[0] : widened(invoke("states"));
    }

    /** The gradient of the last {@code lossAndGradient} call, cut per param. */
    public Map<String, double[]> gradientByName() {
        return byName(gradient(), layout.params());
    }

    /** The parameters, cut per param (copies). */
    public Map<String, double[]> parametersByName() {
        return byName(parameters(), layout.params());
    }

    /** The states, cut per state (copies); empty for a class without states. */
    public Map<String, double[]> statesByName() {
        return byName(states(), layout.states());
    }

    private static Map<String, double[]> byName(double[] flat, List<ModelLayout.Slot> slots) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (ModelLayout.Slot s : slots) {
            out.put(s.name(), java.util.Arrays.copyOfRange(flat, s.offset(), s.offset() + s.shape().size()));
        }
        return out;
    }

    /**
     * The value of an output (flat) at the given inputs, by its generated method, which takes only
     * the inputs the output needs.
     */
    public double[] output(String name, Map<String, double[]> inputs) {
        ModelLayout.Output o = layout.outputs().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        OutputCall c = outputCall(name, inputs);
        List<Class<?>> types = c.types();
        List<Object> args = c.args();
        boolean scalar = o.shape().size() == 1;
        if (!scalar) {
            int n = c.elements();
            types.add(single ? float[].class : double[].class);
            args.add(single ? new float[n] : new double[n]);
        }
        try {
            Method m = type.getMethod(javaName(o.name()), types.toArray(new Class<?>[0]));
            Object r = m.invoke(instance, args.toArray());
            return scalar ? new double[] {((Number) r).doubleValue()} : widened(r);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the generated class has no method for output " + name, e);
        }
    }

    // ------------------------------------------------------------------ derivatives beyond the gradient (--derivatives)

    /** The loss's inputs' argument types, then {@code more}. */
    private Class<?>[] lossTypes(Class<?>... more) {
        List<Class<?>> types = new ArrayList<>(java.util.Arrays.asList(loss.getParameterTypes()));
        types.addAll(List.of(more));
        return types.toArray(new Class<?>[0]);
    }

    private Class<?> arrayType() {
        return single ? float[].class : double[].class;
    }

    private Object array(double[] v) {
        return single ? rounded(v) : v.clone();
    }

    private Object invokeWith(String method, Class<?>[] types, Object[] args) {
        try {
            return type.getMethod(method, types).invoke(instance, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("the class has no " + method + ": compile it with --derivatives", e);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object[] plus(Object[] args, Object... more) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    /** The Hessian of the loss times {@code v} (flat parameter order) by the class's {@code hvp}; the gradient goes into {@link #gradient()}. */
    public double[] hvp(Map<String, double[]> inputs, double[] v) {
        Object out = single ? new float[v.length] : new double[v.length];
        invokeWith("hvp", lossTypes(arrayType(), arrayType()), plus(args(inputs), array(v), out));
        return widened(out);
    }

    /** The loss's derivative along {@code v}, by the class's {@code jvp}. */
    public double jvp(Map<String, double[]> inputs, double[] v) {
        return ((Number) invokeWith("jvp", lossTypes(arrayType()), plus(args(inputs), array(v)))).doubleValue();
    }

    /** An output's derivative along {@code v} (flat, laid out as the output), by its {@code NAME_jvp}. */
    public double[] outputJvp(String name, Map<String, double[]> inputs, double[] v) {
        OutputCall c = outputCall(name, inputs);
        int n = c.elements();
        Object out = single ? new float[n] : new double[n];
        c.types().add(arrayType());
        c.types().add(arrayType());
        c.args().add(array(v));
        c.args().add(out);
        invokeWith(javaName(name) + "_jvp", c.types().toArray(new Class<?>[0]), c.args().toArray());
        return widened(out);
    }

    /** An output's Jacobian with respect to the parameters, one row per output element, by its {@code NAME_jacobian}. */
    public double[][] jacobian(String name, Map<String, double[]> inputs) {
        OutputCall c = outputCall(name, inputs);
        int n = c.elements();
        int p = parameters().length;
        Object out = single ? new float[n * p] : new double[n * p];
        c.types().add(arrayType());
        c.args().add(out);
        invokeWith(javaName(name) + "_jacobian", c.types().toArray(new Class<?>[0]), c.args().toArray());
        double[] flat = widened(out);
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = java.util.Arrays.copyOfRange(flat, i * p, (i + 1) * p);
        }
        return rows;
    }

    /** An output method's leading arguments (its dims' sizes and inputs) and its element count at these inputs. */
    private record OutputCall(List<Class<?>> types, List<Object> args, int elements) {}

    private OutputCall outputCall(String name, Map<String, double[]> inputs) {
        ModelLayout.Output o = layout.outputs().stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no output " + name));
        List<Class<?>> types = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        Map<String, Integer> sizes = sizes(inputs);
        for (String dim : o.dims()) {
            types.add(int.class);
            args.add(size(sizes, dim));
        }
        for (String inName : o.inputs()) {
            ModelLayout.Slot in = layout.inputs().stream().filter(s -> s.name().equals(inName)).findFirst().orElseThrow();
            types.add(javaType(in));
            args.add(arg(in, inputs));
        }
        return new OutputCall(types, args, actualShape(o.shape(), sizes).size());
    }

    /** Every output at the given inputs, in declaration order. */
    public Map<String, double[]> outputs(Map<String, double[]> inputs) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (ModelLayout.Output o : layout.outputs()) {
            out.put(o.name(), output(o.name(), inputs));
        }
        return out;
    }

    /** An output's method name: its own, or with the suffix the generator adds to a Java keyword. */
    private String javaName(String name) {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name)) {
                return name;
            }
        }
        return name + "_";
    }

    /** The loss at the given inputs (by name, flat). */
    public double loss(Map<String, double[]> inputs) {
        return call(loss, inputs);
    }

    /** The loss at the given inputs, and the gradient into {@link #gradient()}. */
    public double lossAndGradient(Map<String, double[]> inputs) {
        return call(lossAndGradient, inputs);
    }

    private Object[] args(Map<String, double[]> inputs) {
        Map<String, Integer> sizes = sizes(inputs);
        int d = layout.lossDims().size();
        Object[] args = new Object[d + layout.inputs().size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = i < d ? (Object) size(sizes, layout.lossDims().get(i)) : arg(layout.inputs().get(i - d), inputs);
        }
        return args;
    }

    /**
     * The actual size of every varying dim, from the inputs it sizes (their first axis): all of them
     * must agree. A size above the maximum is passed on, for the generated method to refuse.
     */
    public Map<String, Integer> sizes(Map<String, double[]> inputs) {
        for (ModelLayout.Slot in : layout.inputs()) {
            double[] v = inputs.get(in.name());
            if (v != null && in.shape().rank() >= 2 && in.shape().rowDim() != null && v.length % in.shape().cols() != 0) {
                throw new IllegalArgumentException("input " + in.name() + " has " + v.length + " values, not a whole number of rows of "
                        + in.shape().cols());
            }
        }
        return layout.sizes(inputs, (first, other, dim, a, b) -> {
            throw new IllegalArgumentException("inputs " + first.name() + " and " + other.name() + " disagree on dim " + dim + ": " + a + " and " + b);
        });
    }

    private static int size(Map<String, Integer> sizes, String dim) {
        Integer n = sizes.get(dim);
        if (n == null) {
            throw new IllegalArgumentException("no input gives the size of dim " + dim);
        }
        return n;
    }

    /** {@code s} with each varying dim at its actual size (a fixed shape). */
    public static Shape actualShape(Shape s, Map<String, Integer> sizes) {
        if (!s.varies()) {
            return s;
        }
        int rows = s.rowDim() == null ? s.rows() : size(sizes, s.rowDim());
        int cols = s.colDim() == null ? s.cols() : size(sizes, s.colDim());
        if (s.isTensor()) {
            List<Shape.Axis> axes = new java.util.ArrayList<>(s.axes());
            axes.set(0, Shape.Axis.of(rows));
            return Shape.of(axes);
        }
        return s.isVector() ? Shape.vector(cols) : Shape.matrix(rows, cols);
    }

    /**
     * An input's argument: a {@code double} for a scalar, else the flat array (a {@code float} and a
     * rounded copy for a float class); for an int input, the
     * same as {@code int}s (each value must be an integer).
     */
    private Object arg(ModelLayout.Slot in, Map<String, double[]> inputs) {
        double[] v = inputs.get(in.name());
        if (v == null) {
            throw new IllegalArgumentException("no value for input " + in.name());
        }
        if (!in.integer() && single) {
            return in.shape().isScalar() ? (Object) (float) v[0] : rounded(v);
        }
        if (!in.integer()) {
            return in.shape().isScalar() ? (Object) v[0] : v;
        }
        int[] ints = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("int input " + in.name() + " has the non-integer value " + v[i]);
            }
            ints[i] = (int) v[i];
        }
        return in.shape().isScalar() ? (Object) ints[0] : ints;
    }

    private double call(Method m, Map<String, double[]> inputs) {
        try {
            return ((Number) m.invoke(instance, args(inputs))).doubleValue();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object invoke(String method) {
        try {
            return type.getMethod(method).invoke(instance);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
