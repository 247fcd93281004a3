package dev.lossc.spark;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * A class lossc generated, loaded by name and driven through its documented API by reflection:
 * {@code inputLayout()} says what rows hold, {@code lossAndGradient} and {@code loss} compute, and
 * {@code parameters()}/{@code gradient()} are the flat arrays. One instance per executor thread
 * ({@link #local}), reused across the steps of a run: only the class name and the parameters travel.
 */
final class GeneratedModel {
    /** One input of the class: its name, whether it is int data, its shape, and the dim its first size is when that varies. */
    record Input(String name, boolean integer, int[] shape, String varying) implements java.io.Serializable {
        /** How many numbers one row of data holds for it: the sizes after the batch's (all of them in a model without a batch). */
        int perRow(boolean batched) {
            int n = 1;
            for (int k = batched ? 1 : 0; k < shape.length; k++) {
                n *= shape[k];
            }
            return n;
        }
    }

    private static final ThreadLocal<java.util.Map<String, GeneratedModel>> LOCAL = ThreadLocal.withInitial(java.util.HashMap::new);

    /** This thread's instance of {@code className}, made on first use. */
    static GeneratedModel local(String className) {
        return LOCAL.get().computeIfAbsent(className, GeneratedModel::load);
    }

    final String className;
    final List<Input> inputs;
    /** True for a model of batches (its inputs' first size varies per call): a call takes up to {@link #maxRows} rows. */
    final boolean batched;
    final int maxRows;
    final int parameterCount;
    private final Object instance;
    private final Method lossAndGradient;
    private final Method loss;
    private final Method parameters;
    private final Method gradient;

    private GeneratedModel(String className, Class<?> type) throws ReflectiveOperationException {
        this.className = className;
        for (String[] refused : new String[][] {{"stateLayout", "states (batch_norm's running statistics)"}, {"setSeed", "dropout"}}) {
            if (java.util.Arrays.stream(type.getMethods()).anyMatch(m -> m.getName().equals(refused[0]))) {
                throw new IllegalArgumentException(className + " has " + refused[1] + ", which lossc-spark does not train yet");
            }
        }
        Object[][] rows = (Object[][]) type.getMethod("inputLayout").invoke(null);
        List<Input> in = new ArrayList<>();
        String dim = null;
        boolean any = false;
        for (Object[] r : rows) {
            Input i = new Input((String) r[0], "int".equals(r[1]), (int[]) r[2], (String) r[3]);
            if ("float".equals(r[1])) {
                throw new IllegalArgumentException(className + " was generated with --precision float; lossc-spark trains double classes");
            }
            in.add(i);
            any |= i.varying() != null;
            dim = dim == null ? i.varying() : dim;
        }
        for (Input i : in) {
            if (any && (i.varying() == null || !i.varying().equals(dim))) {
                throw new IllegalArgumentException(className + ": every input of a batch model must have the batch's dim '" + dim
                        + "' as its first size, but input '" + i.name() + "' does not; lossc-spark splits rows of data");
            }
        }
        this.inputs = List.copyOf(in);
        this.batched = any;
        this.maxRows = any ? in.get(0).shape()[0] : 1;
        this.instance = type.getConstructor().newInstance();
        Class<?>[] types = new Class<?>[(any ? 1 : 0) + in.size()];
        int k = 0;
        if (any) {
            types[k++] = int.class;
        }
        for (Input i : in) {
            boolean scalar = i.shape().length == 0;
            types[k++] = i.integer() ? (scalar ? int.class : int[].class) : (scalar ? double.class : double[].class);
        }
        this.lossAndGradient = type.getMethod("lossAndGradient", types);
        this.loss = type.getMethod("loss", types);
        this.parameters = type.getMethod("parameters");
        this.gradient = type.getMethod("gradient");
        this.parameterCount = ((double[]) parameters.invoke(instance)).length;
    }

    static GeneratedModel load(String className) {
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            return new GeneratedModel(className, Class.forName(className, true, loader != null ? loader : GeneratedModel.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("no class " + className + " on the classpath (generate it with lossc and ship it with the job)", e);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(className + " is not a class lossc generated (or one from before inputLayout()): " + e.getMessage(), e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + className + ": " + e, e);
        }
    }

    /** Per output method: {@code {Method, int[] inputs it takes, Integer size}}, from {@code outputLayout()}; made on first use. */
    private final java.util.Map<String, Object[]> outputs = new java.util.HashMap<>();

    /** Output method {@code name} of {@code n} rows into {@code out} (of {@link #outputSize} numbers). */
    void output(String name, int n, Object[] data, double[] out) {
        Object[] found = outputs.computeIfAbsent(name, this::outputMethod);
        int[] which = (int[]) found[1];
        Object[] args = new Object[(batched ? 1 : 0) + which.length + 1];
        int k = 0;
        if (batched) {
            args[k++] = n;
        }
        for (int i : which) {
            args[k++] = data[i];
        }
        args[k] = out;
        call((Method) found[0], args);
    }

    /** How many numbers output {@code name} has at the most rows. */
    int outputSize(String name) {
        return (Integer) outputs.computeIfAbsent(name, this::outputMethod)[2];
    }

    private Object[] outputMethod(String name) {
        try {
            for (Object[] row : (Object[][]) instance.getClass().getMethod("outputLayout").invoke(null)) {
                if (!row[0].equals(name)) {
                    continue;
                }
                String[] names = (String[]) row[3];
                int[] which = new int[names.length];
                Class<?>[] types = new Class<?>[(batched ? 1 : 0) + names.length + 1];
                int k = 0;
                if (batched) {
                    types[k++] = int.class;
                }
                for (int j = 0; j < names.length; j++) {
                    for (int i = 0; i < inputs.size(); i++) {
                        which[j] = inputs.get(i).name().equals(names[j]) ? i : which[j];
                    }
                    types[k++] = inputs.get(which[j]).integer() ? int[].class : double[].class;
                }
                types[k] = double[].class;
                int size = 1;
                for (int d : (int[]) row[1]) {
                    size *= d;
                }
                return new Object[] {instance.getClass().getMethod(name, types), which, size};
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(className + ": cannot call output " + name + ": " + e, e);
        }
        throw new IllegalArgumentException(className + " has no output '" + name + "'");
    }

    double[] parameters() {
        return (double[]) call(parameters);
    }

    double[] gradient() {
        return (double[]) call(gradient);
    }

    /** {@code lossAndGradient} (or {@code loss}) of {@code n} rows given input by input ({@code reals} or {@code ints}, by the input's kind). */
    double run(boolean withGradient, int n, Object[] data) {
        Object[] args = new Object[(batched ? 1 : 0) + inputs.size()];
        int k = 0;
        if (batched) {
            args[k++] = n;
        }
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            Object d = data[i];
            if (in.shape().length == 0) {
                d = in.integer() ? (Object) ((int[]) d)[0] : (Object) ((double[]) d)[0];
            }
            args[k++] = d;
        }
        return (Double) call(withGradient ? lossAndGradient : loss, args);
    }

    private Object call(Method m, Object... args) {
        try {
            return m.invoke(instance, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
