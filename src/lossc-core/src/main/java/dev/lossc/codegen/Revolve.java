package dev.lossc.codegen;

/**
 * The binomial checkpointing schedule (Griewank and Walther's revolve) of a checkpointed loop, in
 * the form its generated class runs it. To reverse {@code n} iterations from a snapshot of the
 * state at the first, with {@code s} more snapshot slots free, the backward pass advances to the
 * iteration {@link #split} gives, snapshots it, reverses the iterations after it with {@code s - 1}
 * free slots and then those before it with {@code s}; with no slot free (or one iteration) it
 * recomputes each iteration from the snapshot. Each iteration is recomputed at most {@code r}
 * times, for the fewest {@code r} with {@code C(s + 1 + r, r) >= n}, and the total is the least
 * any schedule with those slots achieves: {@link #bound}.
 *
 * <p>The generated class has the same {@code split} as Java source ({@link #SPLIT_SOURCE}); a test
 * holds them equal, and both against the optimum found by search.
 */
public final class Revolve {
    private Revolve() {}

    /**
     * How many iterations after the first the next snapshot goes, for {@code n >= 2} iterations
     * and {@code s >= 1} free slots: between 1 and {@code n - 1}.
     */
    public static int split(int n, int s) {
        long snaps = s + 1;
        long reps = 0;
        long range = 1;
        while (range < n) {
            reps++;
            range = range * (snaps + reps) / reps;
        }
        long b1 = range * reps / (snaps + reps);
        long b2 = snaps > 1 ? b1 * snaps / (snaps + reps - 1) : 1;
        long b3 = snaps == 1 ? 0 : snaps > 2 ? b2 * (snaps - 1) / (snaps + reps - 2) : 1;
        long b4 = b2 * (reps - 1) / snaps;
        long b5 = snaps < 3 ? 0 : snaps > 3 ? b3 * (snaps - 2) / reps : 1;
        long m = n <= b1 + b3 ? b4 : n >= range - b5 ? b1 : n - b2 - b3;
        return (int) Math.max(1, Math.min(n - 1, m));
    }

    /** The generated class's copy of {@link #split}, a private static method of that name. */
    static final String SPLIT_SOURCE = """
            long snaps = s + 1;
            long reps = 0;
            long range = 1;
            while (range < n) {
                reps++;
                range = range * (snaps + reps) / reps;
            }
            long b1 = range * reps / (snaps + reps);
            long b2 = snaps > 1 ? b1 * snaps / (snaps + reps - 1) : 1;
            long b3 = snaps == 1 ? 0 : snaps > 2 ? b2 * (snaps - 1) / (snaps + reps - 2) : 1;
            long b4 = b2 * (reps - 1) / snaps;
            long b5 = snaps < 3 ? 0 : snaps > 3 ? b3 * (snaps - 2) / reps : 1;
            long m = n <= b1 + b3 ? b4 : n >= range - b5 ? b1 : n - b2 - b3;
            return (int) Math.max(1, Math.min(n - 1, m));
            """;

    /**
     * The iterations the backward pass of a loop of {@code n} iterations with {@code snapshots}
     * slots recomputes (each reversed iteration once, and the advances between snapshots), after a
     * forward pass that took the first snapshots of the schedule on its way: what the generated
     * driver does, counted.
     */
    public static long recomputed(int n, int snapshots) {
        if (n <= 0) {
            return 0;
        }
        int[] at = forwardSnapshots(n, snapshots);
        return reverse(0, n, 0, snapshots - 1, at);
    }

    private static long reverse(int from, int to, int k, int s, int[] at) {
        long steps = 0;
        while (to - from > 1 && s > 0) {
            int m = from + split(to - from, s);
            if (at[k + 1] != m) {
                steps += m - from;
                at[k + 1] = m;
            }
            steps += reverse(m, to, k + 1, s - 1, at);
            to = m;
        }
        for (int i = to - 1; i >= from; i--) {
            steps += i - from + 1;
        }
        return steps;
    }

    /** The iteration of the last snapshot the forward pass takes on its way (the first point of each level of the schedule). */
    public static int lastForwardSnapshot(int n, int snapshots) {
        int last = 0;
        for (int t : forwardSnapshots(n, snapshots)) {
            last = Math.max(last, t);
        }
        return last;
    }

    /**
     * The iteration each slot holds after the forward pass, which takes the first point of every
     * level of the schedule on its way (-1: a slot it leaves free).
     */
    private static int[] forwardSnapshots(int n, int snapshots) {
        int[] at = new int[snapshots];
        java.util.Arrays.fill(at, -1);
        int t = 0;
        for (int k = 0; k < snapshots; k++) {
            at[k] = t;
            if (n - t < 2 || snapshots - 1 - k < 1) {
                break;
            }
            t += split(n - t, snapshots - 1 - k);
        }
        return at;
    }

    /**
     * The least number of forward steps any schedule needs to reverse {@code n} iterations with
     * {@code snapshots} slots (the first at the start), the revolve bound {@code r n - C(s + r, r - 1)}
     * with {@code s = snapshots}, counting, like Griewank and Walther, the first forward sweep and
     * not the reversed iterations' own recomputation.
     */
    public static long bound(int n, int snapshots) {
        if (n <= 1) {
            return 0;
        }
        long reps = 0;
        long range = 1;
        while (range < n) {
            reps++;
            range = range * (snapshots + reps) / reps;
        }
        // C(snapshots + 1 + reps - 1, reps - 1)
        long b = 1;
        for (long i = 1; i <= reps - 1; i++) {
            b = b * (snapshots + 1 + i) / i;
        }
        return reps * n - b;
    }
}
