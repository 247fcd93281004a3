package dev.lossc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Every form of {@code TransposedProducts} computes the same product to the bit: the comparison is of forms, not of results. */
class TransposedProductsTest {
    @Test
    void everyFormGivesThePlainKernelsBits() {
        TransposedProducts t = new TransposedProducts();
        t.m = 5;
        t.n = 128;
        t.k = 600;
        t.setup();
        double[][] expected = copy(t.plain());
        // By hand, in the kernel's order: four terms at a time, left to right.
        for (int i = 0; i < t.m; i++) {
            for (int j = 0; j < t.k; j++) {
                double c = 0;
                for (int p = 0; p < t.n; p += 4) {
                    c = c + t.a[i * t.n + p] * t.w[j * t.n + p] + t.a[i * t.n + p + 1] * t.w[j * t.n + p + 1]
                            + t.a[i * t.n + p + 2] * t.w[j * t.n + p + 2] + t.a[i * t.n + p + 3] * t.w[j * t.n + p + 3];
                }
                org.junit.jupiter.api.Assertions.assertEquals(c, expected[i][j], 0.0);
            }
        }
        assertArrayEquals(expected, copy(t.wholeTranspose()));
        assertArrayEquals(expected, copy(t.panels8()));
        assertArrayEquals(expected, copy(t.panelsLoop()));
        assertArrayEquals(expected, copy(t.panels32()));
        assertArrayEquals(expected, copy(t.panels64()));
        assertArrayEquals(expected, copy(t.wholeTransposeByColumn()));
        assertArrayEquals(expected, copy(t.wholeTransposeTiled()));
        double[][] transposed = t.transposedResult();
        for (int i = 0; i < t.m; i++) {
            for (int j = 0; j < t.k; j++) {
                org.junit.jupiter.api.Assertions.assertEquals(expected[i][j], transposed[i][j], 1e-12 * t.n);
            }
        }
    }

    private static double[][] copy(double[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
        }
        return out;
    }
}
