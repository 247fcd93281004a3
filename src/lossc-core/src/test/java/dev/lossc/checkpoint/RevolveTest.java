package dev.lossc.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.codegen.Revolve;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checkpointing schedule: optimal against an exhaustive search of every split, within the
 * revolve bound, and the generated class's copy of the split the same as the compiler's.
 */
class RevolveTest {
    /** The fewest advances that reverse {@code n} iterations from a snapshot with {@code s} free slots, by search over every first split. */
    private static long[][] optimum(int maxN, int maxS) {
        long[][] f = new long[maxN + 1][maxS + 1];
        for (int n = 1; n <= maxN; n++) {
            for (int s = 0; s <= maxS; s++) {
                if (n == 1) {
                    f[n][s] = 0;
                } else if (s == 0) {
                    f[n][s] = (long) n * (n - 1) / 2;
                } else {
                    long best = Long.MAX_VALUE;
                    for (int m = 1; m < n; m++) {
                        best = Math.min(best, m + f[n - m][s - 1] + f[m][s]);
                    }
                    f[n][s] = best;
                }
            }
        }
        return f;
    }

    @Test
    void theScheduleIsOptimalAndMeetsTheRevolveBound() {
        int maxN = 160;
        int maxS = 9;
        long[][] f = optimum(maxN, maxS);
        for (int s = 1; s <= maxS; s++) {
            for (int n = 2; n <= maxN; n++) {
                int m = Revolve.split(n, s);
                assertTrue(m >= 1 && m < n, "split(" + n + ", " + s + ") = " + m);
                assertEquals(f[n][s], m + f[n - m][s - 1] + f[m][s], "split(" + n + ", " + s + ") = " + m + " is not an optimal split");
            }
        }
        for (int snapshots = 1; snapshots <= maxS + 1; snapshots++) {
            for (int n = 1; n <= maxN; n++) {
                assertEquals(f[n][snapshots - 1], Revolve.bound(n, snapshots), "bound(" + n + ", " + snapshots + ")");
                // Advances in all: those of the forward pass up to its last snapshot, and the backward pass's beyond its n reversed iterations.
                long advances = Revolve.recomputed(n, snapshots) - n + Revolve.lastForwardSnapshot(n, snapshots);
                assertEquals(Revolve.bound(n, snapshots), advances, "n = " + n + ", " + snapshots + " snapshots");
            }
        }
    }

    @Test
    void atTheSizesOfTheLongRnnTheScheduleMeetsTheBound() {
        for (int n : new int[] {1_000, 10_000}) {
            for (int snapshots : new int[] {10, (int) Math.ceil(Math.sqrt(n))}) {
                long advances = Revolve.recomputed(n, snapshots) - n + Revolve.lastForwardSnapshot(n, snapshots);
                assertEquals(Revolve.bound(n, snapshots), advances, "n = " + n + ", " + snapshots + " snapshots");
            }
        }
    }

    @Test
    void theGeneratedSplitIsTheCompilersSplit() throws Exception {
        LossCompiler.Result r = LossCompiler.compile("s.loss", CheckpointTest.rnn(50, "checkpoint(7)"), LossCompiler.Options.DEFAULT);
        ModelDriver m = ModelDriver.load(List.of(r), dev.lossc.testing.Compiled.JAVA8).get(0);
        Method split = m.type().getDeclaredMethod("checkpointSplit", int.class, int.class);
        split.setAccessible(true);
        for (int s = 1; s <= 40; s++) {
            for (int n = 2; n <= 3000; n += (n < 200 ? 1 : 37)) {
                assertEquals(Revolve.split(n, s), (int) split.invoke(null, n, s), "split(" + n + ", " + s + ")");
            }
        }
    }
}
