package dev.lossc.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * Reverse mode the way most Java AD libraries do it: operator overloading on a tape. Every
 * operation allocates a node that records its value, its parents and its local derivatives; the
 * backward pass walks the tape in reverse. The baseline a source transformation is measured
 * against (the networks are in {@link TapeNetworks}).
 */
final class Tape {
    /** One value on the tape. */
    static final class Var {
        final double value;
        double grad;
        final Var[] parents;
        final double[] partials;

        Var(double value, Var[] parents, double[] partials) {
            this.value = value;
            this.parents = parents;
            this.partials = partials;
        }
    }

    private final List<Var> nodes = new ArrayList<>();

    private Var record(double value, Var[] parents, double[] partials) {
        Var v = new Var(value, parents, partials);
        nodes.add(v);
        return v;
    }

    Var leaf(double value) {
        return record(value, new Var[0], new double[0]);
    }

    Var add(Var a, Var b) {
        return record(a.value + b.value, new Var[] {a, b}, new double[] {1, 1});
    }

    Var sub(Var a, Var b) {
        return record(a.value - b.value, new Var[] {a, b}, new double[] {1, -1});
    }

    Var mul(Var a, Var b) {
        return record(a.value * b.value, new Var[] {a, b}, new double[] {b.value, a.value});
    }

    Var scale(Var a, double k) {
        return record(a.value * k, new Var[] {a}, new double[] {k});
    }

    Var sigmoid(Var a) {
        double s = ByHand.sigmoid(a.value);
        return record(s, new Var[] {a}, new double[] {s * (1 - s)});
    }

    Var tanh(Var a) {
        double t = Math.tanh(a.value);
        return record(t, new Var[] {a}, new double[] {1 - t * t});
    }

    Var exp(Var a) {
        double e = Math.exp(a.value);
        return record(e, new Var[] {a}, new double[] {e});
    }

    Var log(Var a) {
        return record(Math.log(a.value), new Var[] {a}, new double[] {1 / a.value});
    }

    /** Seeds d(loss) = 1 and propagates adjoints to every node, newest first. */
    void backward(Var loss) {
        loss.grad = 1;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Var v = nodes.get(i);
            for (int k = 0; k < v.parents.length; k++) {
                v.parents[k].grad += v.partials[k] * v.grad;
            }
        }
    }
}
