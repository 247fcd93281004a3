package dev.lossc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every form of {@code WeightGradientForms} computes C = Aᵀ B to the bit of the product written by
 * hand with each sum over the shared index in order, on sizes with a part-tile (70 rows of C in
 * tiles of 32) and a part column block (600 columns in blocks of 512).
 */
class WeightGradientFormsTest {
    @Test
    void everyFormComputesATransposedTimesBInOrder() {
        WeightGradientForms f = new WeightGradientForms();
        f.m = 16;
        f.n = 70;
        f.k = 600;
        f.jb = 512;
        f.tb = 32;
        f.setup();
        double[] expected = new double[f.n * f.k];
        for (int i = 0; i < f.n; i++) {
            for (int j = 0; j < f.k; j++) {
                double c = 0.0;
                for (int p = 0; p < f.m; p++) {
                    c += f.aFlat[p * f.n + i] * f.bRows[p][j];
                }
                expected[i * f.k + j] = c;
            }
        }
        exact(expected, f::tn, "tn");
        exact(expected, f::tnBlocked, "tnBlocked");
        exact(expected, f::tnEight, "tnEight");
        exact(expected, f::tnTiled, "tnTiled");
    }

    private static void exact(double[] expected, Supplier<double[]> form, String name) {
        double[] c = form.get().clone();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(c[i]), name + ": element " + i);
        }
    }
}
