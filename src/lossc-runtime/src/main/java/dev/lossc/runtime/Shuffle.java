package dev.lossc.runtime;

import java.util.SplittableRandom;

/**
 * The order in which an epoch visits rows: what {@code lossc train} shuffles with its seed (one call
 * per epoch on one generator), and what lossc-spark uses to visit the same batches.
 */
public final class Shuffle {
    private Shuffle() {}

    /** {@code 0 … n-1} shuffled by Fisher–Yates from the end, each swap partner drawn by {@code rnd.nextInt(i + 1)}. */
    public static int[] order(int n, SplittableRandom rnd) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
