package dev.lossc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link TanhForms#vectorTanh(double[], int, int)} gives {@code StrictMath.tanh}'s bits on every argument: fdlibm's thresholds and their neighbours, every {@code k} of its {@code expm1}, zeros,
 * subnormals, infinities, NaNs and random doubles of every magnitude. The first calls run before
 * C2 has compiled the method and the last after, so both get the same bits. Seeds are printed on
 * failure.
 */
class TanhFormsTest {

    private static double[] applied(double[] x, int from, int to) {
        double[] a = x.clone();
        TanhForms.vectorTanh(a, from, to);
        return a;
    }

    /** Every element of [from, to) is StrictMath.tanh of x's, to the bit (NaN as NaN); the rest untouched. */
    private static void assertStrict(String what, double[] x, int from, int to) {
        double[] got = applied(x, from, to);
        for (int i = 0; i < x.length; i++) {
            double want = i >= from && i < to ? StrictMath.tanh(x[i]) : x[i];
            if (Double.doubleToLongBits(got[i]) != Double.doubleToLongBits(want)) {
                throw new AssertionError(what + ": tanh(" + x[i] + " = " + Double.toHexString(x[i]) + ") is " + Double.toHexString(got[i])
                        + ", StrictMath gives " + Double.toHexString(want));
            }
        }
    }

    /** A random argument of one of four kinds: uniform over [-30, 30] or [-3, 3], of any binade from 2^-70 to 2^8, any bits. */
    private static double argument(SplittableRandom random, int kind) {
        return switch (kind) {
            case 0 -> random.nextDouble(-30, 30);
            case 1 -> random.nextDouble(-3, 3);
            case 2 -> Math.scalb(random.nextDouble(1, 2), random.nextInt(-70, 9)) * (random.nextBoolean() ? 1 : -1);
            default -> Double.longBitsToDouble(random.nextLong());
        };
    }

    private static double[] array(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** One ulp either side of each value, both signs. */
    private static List<Double> around(double... values) {
        List<Double> out = new ArrayList<>();
        for (double v : values) {
            for (double w : new double[] {Math.nextDown(v), v, Math.nextUp(v)}) {
                out.add(w);
                out.add(-w);
            }
        }
        return out;
    }

    /** fdlibm's thresholds and their neighbours, zeros, subnormals, the largest double, infinities and NaNs. */
    private static double[] specialArguments() {
        List<Double> x = around(0.0, Double.MIN_VALUE, Double.MIN_NORMAL, 0x1p-55, 0x1p-54,
                // 2|x| at expm1's thresholds: 0.5 ln 2 (its high word 0x3fd62e42), 1.5 ln 2 (0x3ff0a2b2).
                0x1.62e43p-3, 0x1.62e42fefa39efp-3, 0x1.0a2b2p-1, 0x1.0a2b23f3bab73p-1,
                1.0, 19.0, 19.0615, 22.0, 1e300, Double.MAX_VALUE);
        x.addAll(List.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, Double.longBitsToDouble(0xfff8000000000001L),
                Double.longBitsToDouble(0x7ff0000000000001L), Double.longBitsToDouble(0x7ff7ffffffffffffL)));
        return array(x);
    }

    /** Where expm1's k changes (2|x| / ln 2 + 0.5 = k, k from 2 to 64), one ulp either side, both signs. */
    private static List<Double> kBoundaries() {
        List<Double> x = new ArrayList<>();
        for (int k = 2; k <= 64; k++) {
            x.addAll(around((k - 0.5) * Math.log(2) / 2));
        }
        return x;
    }

    @Test
    void thresholdsAndSpecialValuesGiveStrictMathsBits() {
        double[] a = specialArguments();
        assertStrict("thresholds", a, 0, a.length);
        double[] r = applied(a, 0, a.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Double.isNaN(a[i]), Double.isNaN(r[i]), "NaN in, NaN out: " + a[i]);
        }
    }

    /** Every k of expm1 (0, −1, −2, −3 below 1; 3 to 63 from 1 on) and the ulps where it changes. */
    @Test
    void aSweepOverEveryBranchGivesStrictMathsBits() {
        List<Double> x = new ArrayList<>();
        for (int j = 0; j <= 23 * 2048; j++) {
            x.add(j / 2048.0);
            x.add(-j / 2048.0);
        }
        x.addAll(kBoundaries());
        double[] a = array(x);
        assertStrict("sweep", a, 0, a.length);
    }

    /** Random doubles: uniform over [-30, 30] and [-3, 3], every binade from 2^-70 to 2^8, and random bits. */
    @Test
    void randomArgumentsGiveStrictMathsBitsBeforeAndAfterCompilation() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        int n = 4099;
        for (int round = 0; round < 400; round++) {
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = argument(random, round % 4);
            }
            int from = random.nextInt(9);
            int to = n - random.nextInt(9);
            try {
                assertStrict("round " + round, a, from, to);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ", " + e.getMessage(), e);
            }
        }
    }
}
