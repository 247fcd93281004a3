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
