package dev.lossc.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A generated class's parameters by name: reads and writes its flat {@code parameters()} array from
 * and to files, every tensor checked against the parameter's name and shape. Made once from the
 * layout every generated class publishes, without reflection:
 *
 * <pre>{@code
 * Mnist net = new Mnist();
 * Parameters layout = Parameters.of(Mnist.parameterLayout());
 * layout.read(Paths.get("trained.json"), net.parameters());          // lossc train --out trained.json
 * layout.read(Paths.get("model.safetensors"), net.parameters());     // a PyTorch state dict
 * layout.write(Paths.get("tuned.safetensors"), net.parameters());
 * }</pre>
 *
 * <p>The format is the file name's ending ({@link TensorFile.Format}):
 * <ul>
 * <li>{@code .json}: lossc's params file, keyed by the {@code .loss} names;</li>
 * <li>{@code .safetensors} and {@code .npz}: keyed by each parameter's state-dict name (its
 *     {@code as "fc1.weight"} in the {@code .loss} file, else its own name), as PyTorch's
 *     {@code state_dict()} and NumPy's {@code np.savez} name them;</li>
 * <li>{@code .npy}: one array of every parameter, flat in the order of {@code parameters()}
 *     (what {@code np.save("theta.npy", theta)} writes for SciPy's optimizers).</li>
 * </ul>
 * A double class's parameters are written as {@code F64}, a float class's as {@code F32}; {@link
 * #write(Path, double[], DType)} chooses. Reading converts {@code F64}, {@code F32}, {@code F16}
 * and {@code BF16} exactly to double, and to a float class's floats by rounding an {@code F64} (as
 * {@code tensor.float()} does); any other element type is refused. By default a read is strict, as
 * {@code load_state_dict(strict=True)}: every parameter must be in the file and nothing else; and it
 * is all or nothing: the array is changed only when every tensor was read.
 */
public final class Parameters {
    /** One parameter: its {@code .loss} name, its state-dict name, its shape and where it starts in the flat array. */
    public static final class Parameter {
        private final String name;
        private final String key;
        private final int[] shape;
        private final int offset;
        private final int elements;

        Parameter(String name, String key, int[] shape, int offset) {
            this.name = name;
            this.key = key;
            this.shape = shape.clone();
            this.offset = offset;
            long n = 1;
            for (int s : shape) {
                n *= s;
            }
            this.elements = (int) n;
        }

        public String name() {
            return name;
        }

        /** The name in a state dict (PyTorch), safetensors and npz files. */
        public String key() {
            return key;
        }

        public int[] shape() {
            return shape.clone();
        }

        public int offset() {
            return offset;
        }

        public int elements() {
            return elements;
        }

        @Override
        public String toString() {
            return name + (key.equals(name) ? "" : " (\"" + key + "\")") + " " + shapeText(shape);
        }
    }

    private final List<Parameter> parameters;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final Map<String, Parameter> byKey = new LinkedHashMap<>();
    private final int size;
    private final int parameterCount;
    private final boolean hasStates;

    private Parameters(List<Parameter> parameters, int parameterCount, boolean hasStates) {
        this.parameterCount = parameterCount;
        this.hasStates = hasStates;
        this.parameters = Collections.unmodifiableList(parameters);
        int total = 0;
        for (Parameter p : parameters) {
            if (byName.put(p.name, p) != null || byKey.put(p.key, p) != null) {
                throw new IllegalArgumentException("parameter " + p.name + " (" + p.key + ") appears twice in the layout");
            }
            if (p.offset != total) {
                throw new IllegalArgumentException("parameter " + p.name + " starts at " + p.offset + ", not at " + total);
            }
            total += p.elements;
        }
        this.size = total;
    }

    /**
     * The parameters a generated class's {@code parameterLayout()} describes: one row per parameter,
     * {@code {name, stateDictName, int[] shape, offset}}, in the order of {@code parameters()}.
     */
    public static Parameters of(Object[][] layout) {
        return of(layout, new Object[0][]);
    }

    /**
     * The parameters and the states of a class with states ({@code batch_norm}'s running
     * statistics): {@code of(Net.parameterLayout(), Net.stateLayout())}. Its flat array is
     * {@code parameters()} followed by {@code states()} ({@link #size()} elements; {@link
     * #read(Path, double[], double[])} and {@link #write(Path, double[], double[])} take the two
     * arrays); a file holds both, each state by its name (or state-dict name) as a parameter is. A
     * PyTorch state dict's {@code PREFIX.num_batches_tracked} beside a state {@code PREFIX.…} is
     * skipped: lossc's {@code batch_norm} takes a fixed momentum and does not count batches.
     */
    public static Parameters of(Object[][] layout, Object[][] states) {
        List<Parameter> list = new ArrayList<>();
        int parameters = 0;
        for (Object[] row : layout) {
            list.add(row(row, 0));
            parameters += list.get(list.size() - 1).elements;
        }
        for (Object[] row : states) {
            list.add(row(row, parameters));
        }
        return new Parameters(list, parameters, states.length > 0);
    }

    private static Parameter row(Object[] row, int shift) {
        if (row.length != 4 || !(row[0] instanceof String) || !(row[1] instanceof String) || !(row[2] instanceof int[])
                    || !(row[3] instanceof Integer)) {
            throw new IllegalArgumentException("a layout row is {name, stateDictName, int[] shape, offset}, but it is "
                    + Arrays.deepToString(row));
        }
        return new Parameter((String) row[0], (String) row[1], (int[]) row[2], shift + (Integer) row[3]);
    }

    /** The length of {@code parameters()}: without the states, which follow it in {@link #size()}. */
    public int parameterCount() {
        return parameterCount;
    }

    /** Reads every parameter and state from {@code file} (strictly) into a double class's two arrays; all or nothing. */
    public void read(Path file, double[] parameters, double[] states) throws IOException {
        double[] flat = new double[size];
        read(file, join(parameters, states, flat), true);
        split(flat, parameters, states);
    }

    /** Reads every parameter and state from {@code file} (strictly) into a float class's two arrays; all or nothing. */
    public void read(Path file, float[] parameters, float[] states) throws IOException {
        float[] flat = new float[size];
        read(file, join(parameters, states, flat), true);
        split(flat, parameters, states);
    }

    /** Writes a double class's parameters and states to {@code file} (format by its name), as {@code F64}. */
    public void write(Path file, double[] parameters, double[] states) throws IOException {
        write(file, join(parameters, states, new double[size]), DType.F64);
    }

    /** Writes a float class's parameters and states to {@code file} (format by its name), as {@code F32}. */
    public void write(Path file, float[] parameters, float[] states) throws IOException {
        write(file, join(parameters, states, new float[size]), DType.F32);
    }

    private Object join(Object parameters, Object states, Object flat) {
        checkLengths(java.lang.reflect.Array.getLength(parameters), java.lang.reflect.Array.getLength(states));
        System.arraycopy(parameters, 0, flat, 0, parameterCount);
        System.arraycopy(states, 0, flat, parameterCount, size - parameterCount);
        return flat;
    }

    private void split(Object flat, Object parameters, Object states) {
        System.arraycopy(flat, 0, parameters, 0, parameterCount);
        System.arraycopy(flat, parameterCount, states, 0, size - parameterCount);
    }

    private void checkLengths(int parameters, int states) {
        if (parameters != parameterCount || states != size - parameterCount) {
            throw new IllegalArgumentException("the arrays have lengths " + parameters + " and " + states + ", but the model has "
                    + parameterCount + " parameters and " + (size - parameterCount) + " states");
        }
    }

    /** The parameters, in the order of {@code parameters()}. */
    public List<Parameter> list() {
        return parameters;
    }

    /** The length of {@code parameters()}, and with states, of {@code parameters()} followed by {@code states()}. */
    public int size() {
        return size;
    }

    /** The parameter named {@code name} in the {@code .loss} file, or null. */
    public Parameter named(String name) {
        return byName.get(name);
    }

    // ------------------------------------------------------------------ reading

    /** Reads every parameter from {@code file} (strictly: all of them and nothing else) into a double class's array. */
    public void read(Path file, double[] into) throws IOException {
        read(file, into, true);
    }

    /** Reads every parameter from {@code file} (strictly) into a float class's array. */
    public void read(Path file, float[] into) throws IOException {
        read(file, into, true);
    }

    /**
     * Reads the parameters {@code file} holds into {@code into} (a {@code double[]} or {@code
     * float[]} of {@link #size()}); returns their names. Strict: a parameter the file lacks and a
     * tensor that is no parameter are errors. Not strict: the parameters the file lacks keep their
     * values, and tensors that are no parameter are left unread (as {@code load_state_dict(strict=False)}).
     */
    public Set<String> read(Path file, Object into, boolean strict) throws IOException {
        checkLength(into);
        try (TensorFile f = TensorFile.open(file)) {
            return read(f, into, strict, TensorFile.Format.of(file));
        }
    }

    /** As {@link #read(Path, Object, boolean)}, from an open file whose tensors are named as {@code format} names them. */
    public Set<String> read(TensorFile f, Object into, boolean strict, TensorFile.Format format) throws IOException {
        checkLength(into);
        Map<Parameter, TensorFile.Entry> plan = plan(f, strict, format);
        // All or nothing: the tensors go into a copy, which replaces the array's contents at the end.
        Object copy = into instanceof double[] ? ((double[]) into).clone() : ((float[]) into).clone();
        TensorFile.Sink sink = copy instanceof double[] ? TensorFile.sink((double[]) copy) : TensorFile.sink((float[]) copy);
        Set<String> read = new LinkedHashSet<>();
        for (Map.Entry<Parameter, TensorFile.Entry> e : plan.entrySet()) {
            f.read(e.getValue(), sink, e.getKey() == null ? 0 : e.getKey().offset);
            if (e.getKey() == null) {
                for (Parameter p : parameters) {
                    read.add(p.name);
                }
            } else {
                read.add(e.getKey().name);
            }
        }
        System.arraycopy(copy, 0, into, 0, size);
        return read;
    }

    /** Which tensor each parameter comes from, every name, shape and type checked; the key null stands for every parameter (.npy). */
    private Map<Parameter, TensorFile.Entry> plan(TensorFile f, boolean strict, TensorFile.Format format) throws ParameterFileException {
        Map<Parameter, TensorFile.Entry> plan = new LinkedHashMap<>();
        String file = f.source();
        if (format == TensorFile.Format.NPY) {
            TensorFile.Entry e = f.entries().get(0);
            checkType(file, e);
            if (e.shape().length != 1 || e.shape()[0] != size) {
                throw new ParameterFileException(file + ": the array has shape " + TensorFile.shape(e.shape()) + ", but the model's "
                        + "parameters, flat, are [" + size + "]");
            }
            plan.put(null, e);
            return plan;
        }
        boolean byStateDictName = format != TensorFile.Format.JSON;
        for (TensorFile.Entry e : f.entries()) {
            Parameter p = byStateDictName ? byKey.get(e.name()) : byName.get(e.name());
            if (p == null && hasStates && batchCounter(e.name())) {
                continue;
            }
            if (p == null) {
                if (strict) {
                    throw new ParameterFileException(file + ": tensor '" + e.name() + "' is not a parameter of the model (its parameters: "
                            + describe(byStateDictName) + ")");
                }
                continue;
            }
            checkType(file, e);
            long[] s = e.shape();
            boolean same = s.length == p.shape.length;
            for (int i = 0; same && i < s.length; i++) {
                same = s[i] == p.shape[i];
            }
            if (!same) {
                throw new ParameterFileException(file + ": tensor '" + e.name() + "' has shape " + TensorFile.shape(s)
                        + ", but parameter " + p.name + " is " + shapeText(p.shape));
            }
            plan.put(p, e);
        }
        if (strict) {
            List<String> missing = new ArrayList<>();
            for (Parameter p : parameters) {
                if (!plan.containsKey(p)) {
                    missing.add((byStateDictName ? "'" + p.key + "' (" + p.name + ")" : "'" + p.name + "'") + " " + shapeText(p.shape));
                }
            }
            if (!missing.isEmpty()) {
                throw new ParameterFileException(file + ": no tensor for " + join(missing, 8));
            }
        }
        return plan;
    }

    /** PyTorch's {@code PREFIX.num_batches_tracked}, when a state's key starts with {@code PREFIX.}. */
    private boolean batchCounter(String name) {
        String suffix = "num_batches_tracked";
        if (!name.endsWith(suffix)) {
            return false;
        }
        String prefix = name.substring(0, name.length() - suffix.length());
        for (Parameter p : parameters) {
            if (p.offset >= parameterCount && p.key.startsWith(prefix) && p.key.indexOf('.', prefix.length()) < 0) {
                return true;
            }
        }
        return false;
    }

    private static void checkType(String file, TensorFile.Entry e) throws ParameterFileException {
        if (e.dtype() == null) {
            throw new ParameterFileException(file + ": tensor '" + e.name() + "' has element type " + e.typeName()
                    + "; parameters are read from floating-point tensors (F64, F32, F16, BF16)");
        }
    }

    private String describe(boolean byStateDictName) {
        List<String> names = new ArrayList<>();
        for (Parameter p : parameters) {
            names.add(byStateDictName ? "'" + p.key + "'" : "'" + p.name + "'");
        }
        return join(names, 8);
    }

    private static String join(List<String> items, int max) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < items.size() && i < max; i++) {
            s.append(i == 0 ? "" : ", ").append(items.get(i));
        }
        if (items.size() > max) {
            s.append(" and ").append(items.size() - max).append(" more");
        }
        return s.toString();
    }

    private void checkLength(Object array) {
        int length;
        if (array instanceof double[]) {
            length = ((double[]) array).length;
        } else if (array instanceof float[]) {
            length = ((float[]) array).length;
        } else {
            throw new IllegalArgumentException("the parameters are a double[] or a float[], not " + array);
        }
        if (length != size) {
            throw new IllegalArgumentException("the parameters array has length " + length + ", but the model has " + size);
        }
    }

    // ------------------------------------------------------------------ writing

    /** Writes a double class's parameters to {@code file} (format by its name), as {@code F64}. */
    public void write(Path file, double[] from) throws IOException {
        write(file, from, DType.F64);
    }

    /** Writes a float class's parameters to {@code file} (format by its name), as {@code F32}. */
    public void write(Path file, float[] from) throws IOException {
        write(file, from, DType.F32);
    }

    /**
     * Writes {@code from} ({@code double[]} or {@code float[]}) to {@code file}, atomically (a
     * temporary file beside it, then a move); {@code dtype} ({@code F64} or {@code F32}) is the
     * element type of a safetensors, npz or npy file.
     */
    public void write(Path file, Object from, DType dtype) throws IOException {
        final TensorFile.Format format = TensorFile.Format.of(file);
        final Object values = from;
        checkLength(from);
        TensorFile.atomically(file, out -> write(out, format, values, dtype, Collections.<String, String>emptyMap()));
    }

    /** Writes {@code from} in {@code format} to {@code out}; {@code metadata} goes into a safetensors header. */
    public void write(OutputStream out, TensorFile.Format format, Object from, DType dtype, Map<String, String> metadata) throws IOException {
        checkLength(from);
        if (dtype != DType.F64 && dtype != DType.F32) {
            throw new IllegalArgumentException("parameters are written as F64 or F32, not " + dtype);
        }
        List<TensorFile.Out> tensors = new ArrayList<>();
        if (format == TensorFile.Format.NPY) {
            tensors.add(new TensorFile.Out("parameters", new long[] {size}, from, 0));
            Npy.write(out, tensors.get(0), dtype);
            return;
        }
        for (Parameter p : parameters) {
            long[] shape = new long[p.shape.length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = p.shape[i];
            }
            tensors.add(new TensorFile.Out(format == TensorFile.Format.JSON ? p.name : p.key, shape, from, p.offset));
        }
        switch (format) {
            case JSON:
                ParamsJson.write(out, tensors);
                break;
            case SAFETENSORS:
                SafeTensors.write(out, tensors, dtype, metadata);
                break;
            default:
                Npy.writeArchive(out, tensors, dtype);
        }
    }

    static String shapeText(int[] s) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) {
            b.append(i == 0 ? "" : ", ").append(s[i]);
        }
        return b.append(']').toString();
    }
}
