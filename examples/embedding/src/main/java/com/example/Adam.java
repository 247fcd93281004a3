package com.example;

/**
 * Adam (Kingma and Ba) over a generated class's flat parameter and gradient arrays. Like the
 * generated classes, it allocates nothing after construction.
 */
public final class Adam {
    private final double[] params;
    private final double[] grad;
    private final double[] m;
    private final double[] v;
    private final double rate;
    private final double beta1 = 0.9;
    private final double beta2 = 0.999;
    private final double epsilon = 1e-8;
    private int t;

    /** {@code params} and {@code grad} are the live arrays of {@code parameters()} and {@code gradient()}. */
    public Adam(double[] params, double[] grad, double rate) {
        this.params = params;
        this.grad = grad;
        this.m = new double[params.length];
        this.v = new double[params.length];
        this.rate = rate;
    }

    /** One update from the gradient of the last {@code lossAndGradient} call. */
    public void step() {
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < params.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
            v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
            params[i] -= rate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + epsilon);
        }
    }
}
