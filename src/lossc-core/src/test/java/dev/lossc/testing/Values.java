package dev.lossc.testing;

import dev.lossc.check.Symbol;
import dev.lossc.check.Typed;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Random values for every input and param of a model, flat and row-major. */
public final class Values {
    private Values() {}

    /**
     * Every input and param; a dim that varies per call gets one random size in 1 … its maximum,
     * shared by every input it sizes.
     */
    public static Map<String, double[]> random(Typed.Program model, SplittableRandom rnd, double scale) {
        Map<String, double[]> out = new LinkedHashMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (Symbol.Dim d : model.dims()) {
            if (d.varying()) {
                // A training call of batch norm needs two rows or more.
                sizes.put(d.name(), model.states().isEmpty() ? 1 + rnd.nextInt(d.value()) : 2 + rnd.nextInt(d.value() - 1));
            }
        }
        for (Symbol.Input in : model.inputs()) {
            int n = in.shape().size();
            if (!in.shape().isScalar() && in.shape().lengthAxis().varies()) {
                n = sizes.get(in.shape().lengthAxis().dim()) * (in.shape().rank() >= 2 ? in.shape().cols() : 1);
            }
            if (in.integer()) {
                // Class labels or token ids: integers in the range the model's uses allow.
                int limit = model.indexLimits().getOrDefault(in, 1);
                double[] v = new double[n];
                for (int i = 0; i < v.length; i++) {
                    v[i] = rnd.nextInt(limit);
                }
                out.put(in.name(), v);
            } else {
                out.put(in.name(), vector(n, rnd, scale));
            }
        }
        for (Symbol.Param p : model.params()) {
            out.put(p.name(), vector(p.shape().size(), rnd, scale));
        }
        for (Symbol.State st : model.states()) {
            // Running statistics: positive, as a variance must be.
            out.put(st.name(), rnd.doubles(st.shape().size(), 0.5, 1.5).toArray());
        }
        return out;
    }

    public static double[] vector(int n, SplittableRandom rnd, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * (2 * rnd.nextDouble() - 1);
        }
        return v;
    }

    /** True if {@code a} and {@code b} agree to a relative tolerance, with an absolute floor. */
    public static boolean close(double a, double b, double rel, double abs) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Double.isNaN(a) && Double.isNaN(b);
        }
        if (a == b) {
            return true;
        }
        return Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b));
    }
}
