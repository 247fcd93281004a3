package dev.lossc.benchmarks;

/** The small networks on the tape of {@link Tape}: a fresh tape per call, as such libraries work. */
final class TapeNetworks {
    private TapeNetworks() {}

    private static Tape.Var[] leaves(Tape t, double[] params) {
        Tape.Var[] p = new Tape.Var[params.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = t.leaf(params[i]);
        }
        return p;
    }

    private static void gradient(Tape.Var[] p, double[] grad) {
        for (int i = 0; i < p.length; i++) {
            grad[i] = p[i].grad;
        }
    }

    /** The 2-2-2 worked example; {@code params} in the generated class's layout. */
    static double workedExample(double[] params, double[] grad, double[] x, double[] target) {
        Tape t = new Tape();
        Tape.Var[] p = leaves(t, params);
        Tape.Var[] h = new Tape.Var[2];
        for (int i = 0; i < 2; i++) {
            h[i] = t.sigmoid(t.add(t.add(t.scale(p[2 * i], x[0]), t.scale(p[2 * i + 1], x[1])), p[4]));
        }
        Tape.Var loss = t.leaf(0);
        for (int i = 0; i < 2; i++) {
            Tape.Var o = t.sigmoid(t.add(t.add(t.mul(p[5 + 2 * i], h[0]), t.mul(p[5 + 2 * i + 1], h[1])), p[9]));
            Tape.Var e = t.sub(t.leaf(target[i]), o);
            loss = t.add(loss, t.mul(e, e));
        }
        loss = t.scale(loss, 0.5);
        t.backward(loss);
        gradient(p, grad);
        return loss.value;
    }

    /** (w · σ(V3 σ(V2 σ(V1 x))) − y)², layers {@code n[0]} → … → {@code n[3]}. */
    static double fourLayer(int[] n, double[] params, double[] grad, double[] x, double y) {
        Tape t = new Tape();
        Tape.Var[] p = leaves(t, params);
        Tape.Var[] a = new Tape.Var[n[0]];
        for (int i = 0; i < a.length; i++) {
            a[i] = t.leaf(x[i]);
        }
        int offset = 0;
        for (int l = 0; l < 3; l++) {
            Tape.Var[] next = new Tape.Var[n[l + 1]];
            for (int i = 0; i < next.length; i++) {
                Tape.Var z = t.mul(p[offset + i * n[l]], a[0]);
                for (int j = 1; j < n[l]; j++) {
                    z = t.add(z, t.mul(p[offset + i * n[l] + j], a[j]));
                }
                next[i] = t.sigmoid(z);
            }
            offset += n[l + 1] * n[l];
            a = next;
        }
        Tape.Var f = t.mul(p[offset], a[0]);
        for (int i = 1; i < a.length; i++) {
            f = t.add(f, t.mul(p[offset + i], a[i]));
        }
        Tape.Var e = t.sub(f, t.leaf(y));
        Tape.Var loss = t.mul(e, e);
        t.backward(loss);
        gradient(p, grad);
        return loss.value;
    }

    /** The tanh RNN with cross-entropy per step, U, V, W, b, c in the generated layout. */
    static double rnn(int steps, int xDim, int hDim, int oDim, double[] params, double[] grad, double[] xs, double[] targets, double[] h0) {
        Tape t = new Tape();
        Tape.Var[] p = leaves(t, params);
        int u = 0;
        int v = u + hDim * xDim;
        int w = v + hDim * hDim;
        int b = w + oDim * hDim;
        int c = b + hDim;
        Tape.Var[] h = new Tape.Var[hDim];
        for (int i = 0; i < hDim; i++) {
            h[i] = t.leaf(h0[i]);
        }
        Tape.Var total = t.leaf(0);
        for (int s = 0; s < steps; s++) {
            Tape.Var[] next = new Tape.Var[hDim];
            for (int i = 0; i < hDim; i++) {
                Tape.Var z = p[b + i];
                for (int j = 0; j < xDim; j++) {
                    z = t.add(z, t.scale(p[u + i * xDim + j], xs[s * xDim + j]));
                }
                for (int j = 0; j < hDim; j++) {
                    z = t.add(z, t.mul(p[v + i * hDim + j], h[j]));
                }
                next[i] = t.tanh(z);
            }
            h = next;
            Tape.Var[] logits = new Tape.Var[oDim];
            double mx = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < oDim; k++) {
                Tape.Var z = p[c + k];
                for (int j = 0; j < hDim; j++) {
                    z = t.add(z, t.mul(p[w + k * hDim + j], h[j]));
                }
                logits[k] = z;
                mx = Math.max(mx, z.value);
            }
            Tape.Var sum = t.leaf(0);
            for (int k = 0; k < oDim; k++) {
                sum = t.add(sum, t.exp(t.sub(logits[k], t.leaf(mx))));
            }
            Tape.Var lse = t.add(t.leaf(mx), t.log(sum));
            for (int k = 0; k < oDim; k++) {
                total = t.sub(total, t.scale(t.sub(logits[k], lse), targets[s * oDim + k]));
            }
        }
        Tape.Var loss = t.scale(total, 1.0 / steps);
        t.backward(loss);
        gradient(p, grad);
        return loss.value;
    }
}
