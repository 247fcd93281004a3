package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Convolution and pooling (version 3): the gradient of random geometries (1-D and 2-D; stride,
 * padding, dilation, groups; odd sizes; max and average pools with padding) against central
 * differences, through both operands of a convolution (a second convolution and a pool carry the
 * first one's kernel's adjoint through their own input adjoints), and the forward values against
 * a direct evaluation of PyTorch's definitions written here.
 */
class ConvolutionTest {
    /** One random geometry: a program, and its sizes. */
    private record Case(String source, int n, int c, int h, int w, boolean twoD) {}

    private static int pick(Random r, int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    private static Case randomCase(long seed) {
        Random r = new Random(seed);
        boolean twoD = r.nextBoolean();
        int groups = pick(r, 1, 2);
        int c = groups * pick(r, 1, 2);
        int o = groups * pick(r, 1, 2);
        int h = twoD ? pick(r, 4, 8) : 1;
        int w = pick(r, 4, 9);
        int kh = twoD ? pick(r, 1, 3) : 1;
        int kw = pick(r, 1, 3);
        int sh = twoD ? pick(r, 1, 2) : 1;
        int sw = pick(r, 1, 2);
        int ph = twoD ? pick(r, 0, 1) : 0;
        int pw = pick(r, 0, 2);
        int dh = twoD ? pick(r, 1, 2) : 1;
        int dw = pick(r, 1, 2);
        int oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        int ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        if (oh < 2 || ow < 2) {
            return randomCase(seed + 1_000_003);
        }
        String d = twoD ? "2d" : "1d";
        String pair = twoD ? "(%d, %d)" : "%2$d";
        String x = twoD ? "[B, " + c + ", " + h + ", " + w + "]" : "[B, " + c + ", " + w + "]";
        String k1 = twoD ? "[" + o + ", " + c / groups + ", " + kh + ", " + kw + "]" : "[" + o + ", " + c / groups + ", " + kw + "]";
        String k2 = twoD ? "[2, " + o + ", 1, 2]" : "[2, " + o + ", 2]";
        String pool = r.nextBoolean() ? "max_pool" : "avg_pool";
        String bias = twoD ? "reshape(b, " + o + ", 1, 1)" : "reshape(b, " + o + ", 1)";
        String source = "dim B <= 3;\ninput X" + x + ";\nparam K1" + k1 + ";\nparam b[" + o + "];\nparam K2" + k2 + ";\n"
                + "let y = tanh(conv" + d + "(X, K1, stride = " + String.format(pair, sh, sw) + ", padding = " + String.format(pair, ph, pw)
                + ", dilation = " + String.format(pair, dh, dw) + ", groups = " + groups + ") + " + bias + ");\n"
                + "let z = conv" + d + "(y, K2, padding = 1);\n"
                + "let p = " + pool + d + "(y, 2, stride = 1, padding = 1);\n"
                + "loss sum(z * z) + sum(p * p * p) + mean(sum(y, 1));\n";
        return new Case(source, 1 + r.nextInt(3), c, h, w, twoD);
    }

    private static double[] random(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    @Test
    void gradientsOfRandomGeometriesAgreeWithCentralDifferences() {
        for (long seed = 1; seed <= 40; seed++) {
            Case k = randomCase(seed);
            String what = "seed " + seed + ":\n" + k.source();
            Compiled c = Compiled.of(k.source());
            Random r = new Random(seed);
            Map<String, double[]> v = new HashMap<>(c.withInitialParams(Map.of()));
            v.put("X", random(r, k.n() * k.c() * k.h() * k.w()));
            c.setParams(v);
            Agreement.centralDifferences(what, c, v, () -> { });
        }
    }

    @Test
    void aConvolutionComputesPyTorchsCrossCorrelation() {
        // conv2d(X[1, 2, 3, 4], K[2, 1, 2, 2], stride = (1, 2), padding = (1, 0), groups = 2), by its definition.
        String src = "input X[1, 2, 3, 4];\nparam K[2, 1, 2, 2];\noutput y = conv2d(X, K, stride = (1, 2), padding = (1, 0), groups = 2);\nloss sum(K);\n";
        Compiled c = Compiled.of(src);
        Random r = new Random(5);
        double[] x = random(r, 24);
        double[] kernel = random(r, 8);
        Map<String, double[]> v = Map.of("X", x, "K", kernel);
        c.setParams(v);
        double[] got = c.outputs(v).get("y");
        int oh = 4;
        int ow = 2;
        double[] want = new double[2 * oh * ow];
        for (int o = 0; o < 2; o++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double s = 0;
                    for (int a = 0; a < 2; a++) {
                        for (int b = 0; b < 2; b++) {
                            int ih = i - 1 + a;
                            int iw = j * 2 + b;
                            if (ih >= 0 && ih < 3) {
                                s += x[o * 12 + ih * 4 + iw] * kernel[o * 4 + a * 2 + b];
                            }
                        }
                    }
                    want[(o * oh + i) * ow + j] = s;
                }
            }
        }
        assertArrayEquals(want, got, 1e-15);
    }

    @Test
    void maxPoolSendsTheAdjointToTheFirstLargestElementOfAWindow() {
        // Ties: every window of 2 x 2 over a constant input; the adjoint goes to each window's first element.
        String src = "param X[1, 1, 4, 4];\nloss sum(max_pool2d(X, 2));\n";
        Compiled c = Compiled.of(src);
        double[] x = new double[16];
        java.util.Arrays.fill(x, 0.5);
        Map<String, double[]> v = Map.of("X", x);
        c.setParams(v);
        assertEquals(2.0, c.lossAndGradient(v), 0.0);
        double[] want = new double[16];
        for (int i : List.of(0, 2, 8, 10)) {
            want[i] = 1;
        }
        assertArrayEquals(want, c.gradient(), 0.0);
    }

    @Test
    void avgPoolCountsPaddedZeros() {
        String src = "param X[1, 1, 2, 2];\noutput y = avg_pool2d(X, 2, stride = 1, padding = 1);\nloss sum(X);\n";
        Compiled c = Compiled.of(src);
        Map<String, double[]> v = Map.of("X", new double[] {1, 2, 3, 4});
        c.setParams(v);
        // 3 x 3 windows of 2 x 2 over the padded input, each divided by 4 (PyTorch's count_include_pad).
        assertArrayEquals(new double[] {0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1}, c.outputs(v).get("y"), 1e-15);
    }
}
