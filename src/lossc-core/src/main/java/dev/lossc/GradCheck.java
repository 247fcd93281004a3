package dev.lossc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The generated gradient against central finite differences of the generated loss, as
 * {@code torch.autograd.gradcheck} judges it: an entry passes when
 * {@code |analytic - numeric| <= atol + rtol * |numeric|}, with
 * {@code numeric = (loss(p + eps) - loss(p - eps)) / (2 eps)} and PyTorch's defaults
 * {@code eps = 1e-6, atol = 1e-5, rtol = 1e-3}. A param with more elements than
 * {@code maxPerParam} is checked at that many positions drawn with the seed (every element otherwise).
 */
public final class GradCheck {
    /** The tolerances and the sampling (the command's defaults are PyTorch's). */
    public record Settings(double eps, double atol, double rtol, int maxPerParam, long seed) {}

    /**
     * One param: how many elements were checked and failed, how many of the checked ones had an
     * analytic and a numeric derivative of exactly 0 (they agree, but test nothing), and its worst
     * entry: the one whose error is the largest share of its tolerance ({@code share} above 1 fails).
     */
    public record ParamResult(String name, int elements, int checked, int failed, int zeros, int worstIndex, double analytic, double numeric,
                              double absError, double share) {
        public boolean ok() {
            return failed == 0;
        }

        /** True when every checked entry was 0 on both sides: the check of this param checked nothing. */
        public boolean allZero() {
            return checked > 0 && zeros == checked;
        }
    }

    private GradCheck() {}

    /**
     * Checks every param of {@code model} at its current parameters and {@code inputs}; the
     * parameters are left unchanged. A model with dropout draws the same masks in every call
     * (its generator restarted from the seed before each), so the differences and the gradient
     * are of one function.
     */
    public static List<ParamResult> run(ModelDriver model, Map<String, double[]> inputs, Settings s) {
        double[] p = model.parameters();
        model.setSeed(s.seed());
        model.lossAndGradient(inputs);
        double[] analytic = model.gradient().clone();
        SplittableRandom rnd = new SplittableRandom(s.seed());
        List<ParamResult> results = new ArrayList<>();
        for (ModelLayout.Slot slot : model.layout().params()) {
            int n = slot.shape().size();
            int[] positions = positions(n, s.maxPerParam(), rnd);
            Judge judge = new Judge(s);
            for (int k : positions) {
                int at = slot.offset() + k;
                double saved = p[at];
                p[at] = saved + s.eps();
                model.setSeed(s.seed());
                double up = model.loss(inputs);
                p[at] = saved - s.eps();
                model.setSeed(s.seed());
                double down = model.loss(inputs);
                p[at] = saved;
                judge.add(k, analytic[at], (up - down) / (2 * s.eps()));
            }
            results.add(judge.result(slot, positions.length));
        }
        return results;
    }

    /**
     * Checks the class's Hessian-vector product ({@code hvp}, compiled with {@code --derivatives hvp})
     * along {@code directions} random directions (entries uniform in [-1, 1], drawn from the seed)
     * against central differences of its gradient, {@code (g(p + eps v) - g(p - eps v)) / 2 eps},
     * each entry judged as {@link #run} judges the gradient's; the parameters are left unchanged.
     */
    public static List<ParamResult> runHvp(ModelDriver model, Map<String, double[]> inputs, Settings s, int directions) {
        double[] snapshot = model.snapshot();
        int count = model.parameters().length;
        SplittableRandom rnd = new SplittableRandom(s.seed());
        List<ModelLayout.Slot> slots = model.layout().params();
        int[][] positions = new int[slots.size()][];
        for (int k = 0; k < slots.size(); k++) {
            positions[k] = positions(slots.get(k).shape().size(), s.maxPerParam(), rnd);
        }
        double[][] analytic = new double[directions][];
        double[][] numeric = new double[directions][];
        for (int d = 0; d < directions; d++) {
            double[] v = new double[count];
            for (int i = 0; i < count; i++) {
                v[i] = rnd.nextDouble(-1, 1);
            }
            model.restore(snapshot);
            model.setSeed(s.seed());
            analytic[d] = model.hvp(inputs, v);
            double[] up = gradientAt(model, inputs, snapshot, v, s.eps(), s.seed());
            double[] down = gradientAt(model, inputs, snapshot, v, -s.eps(), s.seed());
            numeric[d] = new double[count];
            for (int i = 0; i < count; i++) {
                numeric[d][i] = (up[i] - down[i]) / (2 * s.eps());
            }
        }
        model.restore(snapshot);
        List<ParamResult> results = new ArrayList<>();
        for (int k = 0; k < slots.size(); k++) {
            ModelLayout.Slot slot = slots.get(k);
            Judge judge = new Judge(s);
            for (int d = 0; d < directions; d++) {
                for (int j : positions[k]) {
                    judge.add(j, analytic[d][slot.offset() + j], numeric[d][slot.offset() + j]);
                }
            }
            results.add(judge.result(slot, positions[k].length * directions));
        }
        return results;
    }

    /** The gradient with the parameters at {@code snapshot + t v} (the states as in the snapshot). */
    private static double[] gradientAt(ModelDriver model, Map<String, double[]> inputs, double[] snapshot, double[] v, double t, long seed) {
        double[] q = snapshot.clone();
        for (int i = 0; i < v.length; i++) {
            q[i] += t * v[i];
        }
        model.restore(q);
        model.setSeed(seed);
        model.lossAndGradient(inputs);
        return model.gradient().clone();
    }

    /** Judges a param's checked entries as {@code torch.autograd.gradcheck} does, and keeps the worst. */
    private static final class Judge {
        private final Settings s;
        private int failed;
        private int zeros;
        private int worst = -1;
        private double worstShare = -1;
        private double worstAnalytic;
        private double worstNumeric;

        Judge(Settings s) {
            this.s = s;
        }

        void add(int k, double analytic, double numeric) {
            if (numeric == 0 && analytic == 0) {
                zeros++;
            }
            double error = Math.abs(analytic - numeric);
            double tolerance = s.atol() + s.rtol() * Math.abs(numeric);
            // A NaN anywhere fails; an error of 0 is 0 of any tolerance, even of 0.
            double share = error == 0 ? 0 : Double.isNaN(error) ? Double.POSITIVE_INFINITY : error / tolerance;
            if (!(error <= tolerance)) {
                failed++;
            }
            if (share > worstShare) {
                worst = k;
                worstShare = share;
                worstAnalytic = analytic;
                worstNumeric = numeric;
            }
        }

        ParamResult result(ModelLayout.Slot slot, int checked) {
            return new ParamResult(slot.name(), slot.shape().size(), checked, failed, zeros, worst, worstAnalytic, worstNumeric,
                    Math.abs(worstAnalytic - worstNumeric), Math.max(worstShare, 0));
        }
    }

    /** Every index below {@code n}, or {@code max} distinct ones drawn at random, ascending. */
    private static int[] positions(int n, int max, SplittableRandom rnd) {
        if (n <= max) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        // Floyd's sampling: max distinct values from 0..n-1.
        java.util.TreeSet<Integer> chosen = new java.util.TreeSet<>();
        for (int j = n - max; j < n; j++) {
            int t = rnd.nextInt(j + 1);
            chosen.add(chosen.contains(t) ? j : t);
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Values for every input at random, from the seed: reals drawn from a standard normal (clipped to
     * [-3, 3]), ints uniform over their valid range, and each varying dim at its largest size.
     */
    public static Map<String, double[]> randomInputs(ModelLayout layout, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, double[]> inputs = new java.util.LinkedHashMap<>();
        for (ModelLayout.Slot in : layout.inputs()) {
            double[] v = new double[in.shape().size()];
            for (int i = 0; i < v.length; i++) {
                if (in.integer()) {
                    v[i] = in.limit() > 0 ? rnd.nextInt(in.limit()) : 0;
                } else {
                    v[i] = Math.max(-3, Math.min(3, rnd.nextGaussian()));
                }
            }
            inputs.put(in.name(), v);
        }
        return inputs;
    }

}
