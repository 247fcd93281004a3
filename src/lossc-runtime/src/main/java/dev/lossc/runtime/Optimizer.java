package dev.lossc.runtime;

/**
 * Updates a model's parameters in place from its gradient: the flat {@code parameters()} and
 * {@code gradient()} arrays every generated class has. Each optimizer follows the update rule of
 * its {@code torch.optim} namesake (PyTorch 1.13, single-tensor form), with the same defaults, and
 * keeps its state in arrays allocated once by the constructor: {@link #step} allocates nothing.
 *
 * <pre>{@code
 * TwoLayer net = new TwoLayer();
 * net.initParameters(42);
 * Optimizer adam = Adam.of(net.parameters().length, 0.01);
 * for (int epoch = 0; epoch < 1000; epoch++) {
 *     net.lossAndGradient(x, y);
 *     adam.step(net.parameters(), net.gradient());
 * }
 * }</pre>
 *
 * <p>A class generated with {@code --precision float} has {@code float[]} arrays: {@link
 * #step(float[], float[])} takes them, and applies the same update in double (the parameters and
 * gradient widened, the state kept in double, the new parameters rounded back to float). Its first
 * call allocates two double arrays of the parameter count; later calls allocate nothing.
 *
 * <p>Not thread-safe; one optimizer per parameter array.
 */
public abstract class Optimizer {
    private final int size;
    private double learningRate;
    private long steps;
    /** For {@link #step(float[], float[])}: the parameters and gradient, widened (allocated by its first call). */
    private double[] wideParams;
    private double[] wideGrad;

    protected Optimizer(int size, double learningRate) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be 0 or more, but it is " + size);
        }
        this.size = size;
        setLearningRate(learningRate);
    }

    /** One update of {@code params} from {@code grad}, both of the length this optimizer was made for. */
    public final void step(double[] params, double[] grad) {
        check(params, grad, params == null ? 0 : params.length, grad == null ? 0 : grad.length);
        steps++;
        update(params, grad, learningRate, steps);
    }

    /**
     * One update of a float class's {@code params} from its {@code grad}: the same update as
     * {@link #step(double[], double[])} on the values widened to double, each new parameter rounded
     * to the nearest float.
     */
    public final void step(float[] params, float[] grad) {
        check(params, grad, params == null ? 0 : params.length, grad == null ? 0 : grad.length);
        if (wideParams == null) {
            wideParams = new double[size];
            wideGrad = new double[size];
        }
        for (int i = 0; i < size; i++) {
            wideParams[i] = params[i];
            wideGrad[i] = grad[i];
        }
        steps++;
        update(wideParams, wideGrad, learningRate, steps);
        for (int i = 0; i < size; i++) {
            params[i] = (float) wideParams[i];
        }
    }

    private void check(Object params, Object grad, int paramsLength, int gradLength) {
        if (params == null || grad == null) {
            throw new IllegalArgumentException((params == null ? "params" : "grad") + " is null");
        }
        if (paramsLength != size || gradLength != size) {
            throw new IllegalArgumentException("params and grad must have length " + size + ", but they have "
                    + paramsLength + " and " + gradLength);
        }
    }

    /** The update itself: {@code step} is 1 on the first call. */
    protected abstract void update(double[] params, double[] grad, double learningRate, long step);

    /** Clears the state (moments, accumulators, step count), as a fresh optimizer. */
    public void reset() {
        steps = 0;
        clearState();
    }

    protected abstract void clearState();

    /**
     * The state buffers, by the names {@code torch.optim} gives them ({@code exp_avg},
     * {@code momentum_buffer}, …), each of {@link #size()}: the live arrays, in a fixed order.
     */
    protected abstract java.util.Map<String, double[]> buffers();

    /**
     * A copy of the state: every buffer by its torch name, and {@code "step"}, the number of steps
     * taken, as a one-element array. With {@link #setState}, resuming a run later gives the same
     * parameters, bit for bit, as never stopping.
     */
    public final java.util.Map<String, double[]> state() {
        java.util.Map<String, double[]> out = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<String, double[]> e : buffers().entrySet()) {
            out.put(e.getKey(), e.getValue().clone());
        }
        out.put("step", new double[] {steps});
        return out;
    }

    /** Restores a state {@link #state()} returned, of an optimizer of the same kind, options and size. */
    public final void setState(java.util.Map<String, double[]> state) {
        java.util.Map<String, double[]> mine = buffers();
        java.util.Set<String> expected = new java.util.TreeSet<>(mine.keySet());
        expected.add("step");
        if (!expected.equals(new java.util.TreeSet<>(state.keySet()))) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "'s state holds " + expected + ", but this one holds "
                    + new java.util.TreeSet<>(state.keySet()));
        }
        double[] step = state.get("step");
        if (step.length != 1 || !(step[0] >= 0) || step[0] != Math.rint(step[0])) {
            throw new IllegalArgumentException("the state's step must be one whole number of 0 or more");
        }
        for (java.util.Map.Entry<String, double[]> e : mine.entrySet()) {
            double[] v = state.get(e.getKey());
            if (v.length != size) {
                throw new IllegalArgumentException("state buffer " + e.getKey() + " has length " + v.length + ", but this optimizer has " + size);
            }
        }
        for (java.util.Map.Entry<String, double[]> e : mine.entrySet()) {
            System.arraycopy(state.get(e.getKey()), 0, e.getValue(), 0, size);
        }
        steps = (long) step[0];
    }

    /**
     * Writes the state to {@code file} as safetensors: one {@code F64} tensor per buffer and
     * {@code step}, and the optimizer's kind in the metadata (so that {@link #readState} refuses
     * another kind's state).
     */
    public final void writeState(java.nio.file.Path file) throws java.io.IOException {
        writeState(file, java.util.Collections.<String, String>emptyMap());
    }

    /** As {@link #writeState(java.nio.file.Path)}, with more metadata (a training run's own). */
    public final void writeState(java.nio.file.Path file, java.util.Map<String, String> metadata) throws java.io.IOException {
        final java.util.Map<String, String> meta = stateMetadata(metadata);
        final java.util.Map<String, double[]> state = state();
        TensorFile.atomically(file, out -> writeState(out, state, meta));
    }

    /** The state as safetensors bytes into {@code out}, with {@code metadata} beside the optimizer's own. */
    public final void writeState(java.io.OutputStream out, java.util.Map<String, String> metadata) throws java.io.IOException {
        writeState(out, state(), stateMetadata(metadata));
    }

    private java.util.Map<String, String> stateMetadata(java.util.Map<String, String> more) {
        java.util.Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put("optimizer", getClass().getSimpleName());
        meta.put("learning_rate", Double.toString(learningRate));
        meta.putAll(more);
        return meta;
    }

    private static void writeState(java.io.OutputStream out, java.util.Map<String, double[]> state, java.util.Map<String, String> meta)
            throws java.io.IOException {
        SafeTensors.write(out, state, meta);
    }

    /**
     * Restores the state {@link #writeState} wrote; returns the file's metadata. Refuses the state
     * of another kind of optimizer or size with a {@link ParameterFileException}. The learning
     * rate is restored too.
     */
    public final java.util.Map<String, String> readState(java.nio.file.Path file) throws java.io.IOException {
        try (SafeTensors f = SafeTensors.open(file)) {
            String kind = f.metadata().get("optimizer");
            if (!getClass().getSimpleName().equals(kind)) {
                throw new ParameterFileException(file + ": the state of " + (kind == null ? "no optimizer" : kind) + ", not of "
                        + getClass().getSimpleName());
            }
            java.util.Map<String, double[]> state = f.readAll();
            try {
                setState(state);
                String rate = f.metadata().get("learning_rate");
                if (rate != null) {
                    setLearningRate(Double.parseDouble(rate));
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterFileException(file + ": " + e.getMessage());
            }
            return f.metadata();
        }
    }

    /** The number of parameters. */
    public final int size() {
        return size;
    }

    /** Steps taken since construction or {@link #reset}. */
    public final long steps() {
        return steps;
    }

    public final double learningRate() {
        return learningRate;
    }

    /** Sets the learning rate for the following steps (what a {@link Schedule} does each epoch). */
    public final void setLearningRate(double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and 0 or more, but it is " + learningRate);
        }
        this.learningRate = learningRate;
    }

    static double checkedAtLeast(String name, double value, double min) {
        if (!(value >= min) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and at least " + min + ", but it is " + value);
        }
        return value;
    }

    static double checkedBelowOne(String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), but it is " + value);
        }
        return value;
    }
}
