package dev.lossc.benchmarks;

/**
 * The three networks written by hand the way the textbook derives backpropagation (δ-rule), in
 * plain allocation-free Java with flat arrays in the same parameter layout as the generated
 * classes. The baseline the generated code must match or beat.
 */
final class ByHand {
    private ByHand() {}

    static double sigmoid(double x) {
        if (x >= 0.0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** The 2-2-2 worked example: W1[2,2], b1, W2[2,2], b2; loss 1/2 Σ (target − out)². */
    static final class WorkedExample {
        final double[] params = new double[10];
        final double[] grad = new double[10];
        private final double[] h = new double[2];
        private final double[] o = new double[2];
        private final double[] d2 = new double[2];

        double lossAndGradient(double[] x, double[] target) {
            double[] p = params;
            double b1 = p[4];
            double b2 = p[9];
            for (int i = 0; i < 2; i++) {
                h[i] = sigmoid(p[2 * i] * x[0] + p[2 * i + 1] * x[1] + b1);
            }
            double loss = 0;
            for (int i = 0; i < 2; i++) {
                o[i] = sigmoid(p[5 + 2 * i] * h[0] + p[5 + 2 * i + 1] * h[1] + b2);
                double e = target[i] - o[i];
                loss += e * e;
            }
            double gb2 = 0;
            for (int i = 0; i < 2; i++) {
                d2[i] = (o[i] - target[i]) * o[i] * (1 - o[i]);
                grad[5 + 2 * i] = d2[i] * h[0];
                grad[5 + 2 * i + 1] = d2[i] * h[1];
                gb2 += d2[i];
            }
            grad[9] = gb2;
            double gb1 = 0;
            for (int j = 0; j < 2; j++) {
                double d1 = (p[5 + j] * d2[0] + p[7 + j] * d2[1]) * h[j] * (1 - h[j]);
                grad[2 * j] = d1 * x[0];
                grad[2 * j + 1] = d1 * x[1];
                gb1 += d1;
            }
            grad[4] = gb1;
            return 0.5 * loss;
        }
    }

    /** (w · σ(V3 σ(V2 σ(V1 x))) − y)², layers D → H1 → H2 → H3. */
    static final class FourLayer {
        private final int[] n;
        private final int[] offset = new int[4];
        final double[] params;
        final double[] grad;
        private final double[][] a;
        private final double[][] delta;

        FourLayer(int d, int h1, int h2, int h3) {
            n = new int[] {d, h1, h2, h3};
            int total = 0;
            for (int l = 0; l < 3; l++) {
                offset[l] = total;
                total += n[l + 1] * n[l];
            }
            offset[3] = total;
            total += h3;
            params = new double[total];
            grad = new double[total];
            a = new double[][] {null, new double[h1], new double[h2], new double[h3]};
            delta = new double[][] {null, new double[h1], new double[h2], new double[h3]};
        }

        double lossAndGradient(double[] x, double y) {
            double[] p = params;
            a[0] = x;
            for (int l = 0; l < 3; l++) {
                int rows = n[l + 1];
                int cols = n[l];
                double[] in = a[l];
                double[] out = a[l + 1];
                for (int i = 0; i < rows; i++) {
                    double z = 0;
                    int row = offset[l] + i * cols;
                    for (int j = 0; j < cols; j++) {
                        z += p[row + j] * in[j];
                    }
                    out[i] = sigmoid(z);
                }
            }
            double[] top = a[3];
            double f = 0;
            for (int i = 0; i < n[3]; i++) {
                f += p[offset[3] + i] * top[i];
            }
            double e = f - y;
            double g = 2 * e;
            for (int i = 0; i < n[3]; i++) {
                grad[offset[3] + i] = g * top[i];
                delta[3][i] = g * p[offset[3] + i] * top[i] * (1 - top[i]);
            }
            for (int l = 2; l >= 0; l--) {
                int rows = n[l + 1];
                int cols = n[l];
                double[] in = a[l];
                double[] d = delta[l + 1];
                for (int i = 0; i < rows; i++) {
                    int row = offset[l] + i * cols;
                    for (int j = 0; j < cols; j++) {
                        grad[row + j] = d[i] * in[j];
                    }
                }
                if (l > 0) {
                    double[] below = delta[l];
                    for (int j = 0; j < cols; j++) {
                        double s = 0;
                        for (int i = 0; i < rows; i++) {
                            s += p[offset[l] + i * cols + j] * d[i];
                        }
                        below[j] = s * in[j] * (1 - in[j]);
                    }
                }
            }
            a[0] = null;
            return e * e;
        }
    }

    /**
     * h_t = tanh(U x_t + V h_{t−1} + b); s_t = W h_t + c; loss = (1/T) Σ_t cross_entropy(s_t,
     * targets_t); backpropagation through time over stored h_t and softmax(s_t).
     */
    static final class Rnn {
        final int t;
        final int xDim;
        final int hDim;
        final int oDim;
        final int uOff;
        final int vOff;
        final int wOff;
        final int bOff;
        final int cOff;
        final double[] params;
        final double[] grad;
        private final double[][] hs;
        private final double[][] probs;
        private final double[] targetMass;
        private final double[] dh;
        private final double[] dz;
        private final double[] ds;

        Rnn(int t, int x, int h, int o) {
            this.t = t;
            this.xDim = x;
            this.hDim = h;
            this.oDim = o;
            uOff = 0;
            vOff = uOff + h * x;
            wOff = vOff + h * h;
            bOff = wOff + o * h;
            cOff = bOff + h;
            params = new double[cOff + o];
            grad = new double[cOff + o];
            hs = new double[t + 1][h];
            probs = new double[t][o];
            targetMass = new double[t];
            dh = new double[h];
            dz = new double[h];
            ds = new double[o];
        }

        double lossAndGradient(double[] xs, double[] targets, double[] h0) {
            double[] p = params;
            System.arraycopy(h0, 0, hs[0], 0, hDim);
            double total = 0;
            for (int s = 0; s < t; s++) {
                double[] prev = hs[s];
                double[] h = hs[s + 1];
                for (int i = 0; i < hDim; i++) {
                    double z = p[bOff + i];
                    for (int j = 0; j < xDim; j++) {
                        z += p[uOff + i * xDim + j] * xs[s * xDim + j];
                    }
                    for (int j = 0; j < hDim; j++) {
                        z += p[vOff + i * hDim + j] * prev[j];
                    }
                    h[i] = Math.tanh(z);
                }
                double[] pr = probs[s];
                double mx = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < oDim; k++) {
                    double v = p[cOff + k];
                    for (int j = 0; j < hDim; j++) {
                        v += p[wOff + k * hDim + j] * h[j];
                    }
                    pr[k] = v;
                    mx = Math.max(mx, v);
                }
                double sum = 0;
                for (int k = 0; k < oDim; k++) {
                    sum += Math.exp(pr[k] - mx);
                }
                double lse = mx + Math.log(sum);
                double mass = 0;
                for (int k = 0; k < oDim; k++) {
                    double target = targets[s * oDim + k];
                    total -= target * (pr[k] - lse);
                    mass += target;
                    pr[k] = Math.exp(pr[k] - lse);
                }
                targetMass[s] = mass;
            }
            java.util.Arrays.fill(grad, 0.0);
            java.util.Arrays.fill(dh, 0.0);
            double scale = 1.0 / t;
            for (int s = t - 1; s >= 0; s--) {
                double[] h = hs[s + 1];
                double[] prev = hs[s];
                for (int k = 0; k < oDim; k++) {
                    ds[k] = (probs[s][k] * targetMass[s] - targets[s * oDim + k]) * scale;
                    grad[cOff + k] += ds[k];
                    for (int j = 0; j < hDim; j++) {
                        grad[wOff + k * hDim + j] += ds[k] * h[j];
                        dh[j] += p[wOff + k * hDim + j] * ds[k];
                    }
                }
                for (int i = 0; i < hDim; i++) {
                    dz[i] = dh[i] * (1 - h[i] * h[i]);
                    grad[bOff + i] += dz[i];
                    for (int j = 0; j < xDim; j++) {
                        grad[uOff + i * xDim + j] += dz[i] * xs[s * xDim + j];
                    }
                    for (int j = 0; j < hDim; j++) {
                        grad[vOff + i * hDim + j] += dz[i] * prev[j];
                    }
                }
                for (int j = 0; j < hDim; j++) {
                    double v = 0;
                    for (int i = 0; i < hDim; i++) {
                        v += p[vOff + i * hDim + j] * dz[i];
                    }
                    dh[j] = v;
                }
            }
            return total * scale;
        }
    }
}
