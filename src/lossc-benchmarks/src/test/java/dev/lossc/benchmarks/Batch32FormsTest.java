package dev.lossc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every form of {@code Batch32Forms} computes its product: the forms that add over the shared index
 * in order to the bit of a product written by hand in that order, the tree-grouped forms to
 * rounding. The comparison is of forms, not of results.
 */
class Batch32FormsTest {
    @Test
    void forwardFormsComputeXTimesW() {
        Batch32Forms f = new Batch32Forms();
        f.setup();
        double[][] expected = new double[Batch32Forms.M][Batch32Forms.K];
        for (int i = 0; i < Batch32Forms.M; i++) {
            for (int j = 0; j < Batch32Forms.K; j++) {
                double c = 0.0;
                for (int p = 0; p < Batch32Forms.N; p++) {
                    c += f.x[i * Batch32Forms.N + p] * f.w[p * Batch32Forms.K + j];
                }
                expected[i][j] = c;
            }
        }
        exact(expected, f::forwardWholeCopy, "forwardWholeCopy");
        exact(expected, f::forwardWholeCopyEight, "forwardWholeCopyEight");
        exact(expected, f::forwardPanel, "forwardPanel");
        exact(expected, f::forwardPanelEight, "forwardPanelEight");
        exact(expected, f::forwardPanelSixteen, "forwardPanelSixteen");
        close(expected, f::forwardPanelTree, "forwardPanelTree");
        close(expected, f::forwardPanelEightTree, "forwardPanelEightTree");
    }

    @Test
    void gradientFormsComputeXTransposedTimesDz() {
        Batch32Forms f = new Batch32Forms();
        f.setup();
        double[][] expected = new double[Batch32Forms.N][Batch32Forms.K];
        for (int i = 0; i < Batch32Forms.N; i++) {
            for (int j = 0; j < Batch32Forms.K; j++) {
                double c = 0.0;
                for (int p = 0; p < Batch32Forms.M; p++) {
                    c += f.x[p * Batch32Forms.N + i] * f.dz[p * Batch32Forms.K + j];
                }
                expected[i][j] = c;
            }
        }
        exact(expected, rows(f::tnFour), "tnFour");
        exact(expected, rows(f::tnEight), "tnEight");
        exact(expected, rows(f::tnSixteen), "tnSixteen");
        exact(expected, rows(f::tnEightTiles8), "tnEightTiles8");
        exact(expected, rows(f::tnEightTiles16), "tnEightTiles16");
        exact(expected, rows(f::tnEightTiles32), "tnEightTiles32");
        close(expected, rows(f::tnFourTree), "tnFourTree");
        close(expected, rows(f::tnEightTree), "tnEightTree");
    }

    /** The flat N × K gradient as rows. */
    private static Supplier<double[][]> rows(Supplier<double[]> flat) {
        return () -> {
            double[] g = flat.get();
            double[][] out = new double[Batch32Forms.N][Batch32Forms.K];
            for (int i = 0; i < Batch32Forms.N; i++) {
                System.arraycopy(g, i * Batch32Forms.K, out[i], 0, Batch32Forms.K);
            }
            return out;
        };
    }

    private static void exact(double[][] expected, Supplier<double[][]> form, String name) {
        double[][] got = form.get();
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(Double.doubleToLongBits(expected[i][j]), Double.doubleToLongBits(got[i][j]), name + "[" + i + ", " + j + "]");
            }
        }
    }

    private static void close(double[][] expected, Supplier<double[][]> form, String name) {
        double[][] got = form.get();
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(expected[i][j], got[i][j], 1e-12, name + "[" + i + ", " + j + "]");
            }
        }
    }
}
