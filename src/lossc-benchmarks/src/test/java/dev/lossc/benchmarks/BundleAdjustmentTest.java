package dev.lossc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@code BundleAdjustment} computes what gradbench's {@code ba} eval asks for: its residuals and
 * its sparse Jacobian agree with the output of gradbench's own reference tool ({@code manual},
 * hand-derived C++, compiled with {@code -O3 -march=native} and run on {@code ba1_n49_m7776_p31843};
 * gradbench prints the first observation's rows and the last entry, since every observation has
 * the same values).
 */
class BundleAdjustmentTest {
    /** gradbench manual's {@code jacobian} output on ba1: {@code vals}, then the last entry. */
    private static final double[] MANUAL_VALS = {
        -461.4463210015993, 178.8679280144455, -19.423916472206248, -3.0615983420410315, 6.392457556226442,
        -3.340282281299017, 0.26476024920703156, 0.417022, 0.0, 243.62824566083003, 676.4867782658688,
        3.0615983420410315, -6.392457556226442, 3.340282281299017, 0.24299878163378708, -803.7436233648792,
        -309.5954175234488, 604.7802846625028, -15.049628170340545, 6.248486312079824, 3.2194799516049235,
        0.8381960857313306, 0.0, 0.417022, 771.2949451366334, 2141.6680611599554, 15.049628170340545,
        -6.248486312079824, -3.2194799516049235, -0.16538160078960118, -0.834044
    };
    private static final int[] MANUAL_COLS = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 539, 540, 541, 23867, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 539, 540, 541,
        23867, 55709
    };
    private static final int MANUAL_LAST_ROW = 987133;

    @Test
    void residualsAndJacobianMatchGradbenchsManualToolOnBa1() {
        BundleAdjustment b = new BundleAdjustment();
        b.input = "ba1_n49_m7776_p31843";
        b.setup();
        b.objective();
        assertEquals(0.10133583791450886, b.reprojErr[0], 1e-9);
        assertEquals(-0.06896776592424401, b.reprojErr[1], 1e-9);
        assertEquals(0.826092651516, b.wErr[0], 1e-15);
        assertEquals(b.reprojErr[0], b.reprojErr[2 * b.p - 2], 0);
        assertEquals(b.wErr[0], b.wErr[b.p - 1], 0);

        b.jacobian();
        double[] vals = new double[MANUAL_VALS.length];
        int[] cols = new int[MANUAL_COLS.length];
        System.arraycopy(b.vals, 0, vals, 0, 30);
        System.arraycopy(b.cols, 0, cols, 0, 30);
        vals[30] = b.vals[b.vals.length - 1];
        cols[30] = b.cols[b.cols.length - 1];
        for (int i = 0; i < vals.length; i++) {
            assertEquals(MANUAL_VALS[i], vals[i], 1e-11 * Math.max(1, Math.abs(MANUAL_VALS[i])), "vals[" + i + "]");
        }
        assertArrayEquals(MANUAL_COLS, cols);
        assertEquals(MANUAL_LAST_ROW, b.rows[b.rows.length - 1]);
        for (int r = 0; r < 3 * b.p; r++) {
            assertEquals(r < 2 * b.p ? 15 : 1, b.rows[r + 1] - b.rows[r], "row " + r);
        }
    }

    @Test
    void eachBlockRowHasItsObservationsColumns() {
        BundleAdjustment b = new BundleAdjustment();
        b.input = "ba2_n21_m11315_p36455";
        b.setup();
        b.jacobian();
        int cameras = 11 * b.n;
        for (int i : new int[] {0, 1, 20, 21, 11314, 11315, b.p - 1}) {
            int[] expected = new int[15];
            for (int j = 0; j < 11; j++) {
                expected[j] = 11 * (i % b.n) + j;
            }
            for (int j = 0; j < 3; j++) {
                expected[11 + j] = cameras + 3 * (i % b.m) + j;
            }
            expected[14] = cameras + 3 * b.m + i;
            for (int r = 2 * i; r <= 2 * i + 1; r++) {
                assertArrayEquals(expected, Arrays.copyOfRange(b.cols, b.rows[r], b.rows[r + 1]), "observation " + i);
            }
            assertEquals(cameras + 3 * b.m + i, b.cols[b.rows[2 * b.p + i]]);
            assertEquals(-2 * BundleAdjustment.WEIGHT, b.vals[b.rows[2 * b.p + i]], 1e-15);
        }
    }
}
