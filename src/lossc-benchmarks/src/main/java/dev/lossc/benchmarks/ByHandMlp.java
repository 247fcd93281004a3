package dev.lossc.benchmarks;

/**
 * A batched two-layer MLP written by hand (δ-rule, allocation-free, flat row-major arrays in the
 * generated classes' parameter layout W1[D,H], b1[H], W2[H,K], b2[K]): {@code act(X W1 + b1) W2 +
 * b2}, with ReLU and mean softmax cross-entropy, or tanh and mean squared error. Loops in the
 * order a careful hand-writer picks (i-p-j: the inner loop runs along rows).
 */
final class ByHandMlp {
    final int b;
    final int d;
    final int h;
    final int k;
    final boolean relu;
    final double[] params;
    final double[] grad;
    private final double[] a;
    private final double[] z;
    private final double[] dz;
    private final double[] da;

    ByHandMlp(int b, int d, int h, int k, boolean relu) {
        this.b = b;
        this.d = d;
        this.h = h;
        this.k = k;
        this.relu = relu;
        params = new double[d * h + h + h * k + k];
        grad = new double[params.length];
        a = new double[b * h];
        z = new double[b * k];
        dz = new double[b * k];
        da = new double[b * h];
    }

    double lossAndGradient(double[] x, double[] y) {
        double[] p = params;
        int w1 = 0;
        int b1 = d * h;
        int w2 = b1 + h;
        int b2 = w2 + h * k;
        // a = act(x W1 + b1)
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < h; j++) {
                a[i * h + j] = p[b1 + j];
            }
            for (int q = 0; q < d; q++) {
                double xv = x[i * d + q];
                for (int j = 0; j < h; j++) {
                    a[i * h + j] += xv * p[w1 + q * h + j];
                }
            }
            for (int j = 0; j < h; j++) {
                double v = a[i * h + j];
                a[i * h + j] = relu ? Math.max(v, 0.0) : Math.tanh(v);
            }
        }
        // z = a W2 + b2
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < k; j++) {
                z[i * k + j] = p[b2 + j];
            }
            for (int q = 0; q < h; q++) {
                double av = a[i * h + q];
                for (int j = 0; j < k; j++) {
                    z[i * k + j] += av * p[w2 + q * k + j];
                }
            }
        }
        double loss = 0;
        if (relu) {
            for (int i = 0; i < b; i++) {
                double mx = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    mx = Math.max(mx, z[i * k + j]);
                }
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += Math.exp(z[i * k + j] - mx);
                }
                double lse = mx + Math.log(sum);
                double mass = 0;
                for (int j = 0; j < k; j++) {
                    loss -= y[i * k + j] * (z[i * k + j] - lse);
                    mass += y[i * k + j];
                }
                for (int j = 0; j < k; j++) {
                    dz[i * k + j] = (Math.exp(z[i * k + j] - lse) * mass - y[i * k + j]) / b;
                }
            }
            loss /= b;
        } else {
            for (int i = 0; i < b * k; i++) {
                double e = z[i] - y[i];
                loss += e * e;
                dz[i] = 2 * e / (b * k);
            }
            loss /= b * k;
        }
        java.util.Arrays.fill(grad, 0.0);
        // dW2 = aᵀ dz, db2 = Σ dz, da = dz W2ᵀ
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < h; q++) {
                double av = a[i * h + q];
                double s = 0;
                for (int j = 0; j < k; j++) {
                    grad[w2 + q * k + j] += av * dz[i * k + j];
                    s += dz[i * k + j] * p[w2 + q * k + j];
                }
                da[i * h + q] = s * (relu ? (av > 0 ? 1 : 0) : 1 - av * av);
            }
            for (int j = 0; j < k; j++) {
                grad[b2 + j] += dz[i * k + j];
            }
        }
        // dW1 = xᵀ da, db1 = Σ da
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < d; q++) {
                double xv = x[i * d + q];
                for (int j = 0; j < h; j++) {
                    grad[w1 + q * h + j] += xv * da[i * h + j];
                }
            }
            for (int j = 0; j < h; j++) {
                grad[b1 + j] += da[i * h + j];
            }
        }
        return loss;
    }
}
