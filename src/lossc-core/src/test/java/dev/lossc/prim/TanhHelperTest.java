package dev.lossc.prim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The generated classes' {@code tanh}: {@code Math.tanh}'s bits on every JDK. On Java 8 to 23 it
 * runs {@code StrictMath.tanh}'s algorithm in Java ({@link Helpers#strictTanh}), which must give
 * {@code StrictMath.tanh}'s bits on every argument; from Java 24 on it calls {@code Math.tanh}.
 */
class TanhHelperTest {
    private static final long SEED = Long.getLong("lossc.seed", new SplittableRandom().nextLong());

    private static void assertStrict(double x) {
        long want = Double.doubleToLongBits(StrictMath.tanh(x));
        long got = Double.doubleToLongBits(Helpers.strictTanh(x));
        if (want != got) {
            throw new AssertionError("seed " + SEED + ": strictTanh(" + Double.toHexString(x) + ") is "
                    + Double.toHexString(Helpers.strictTanh(x)) + ", StrictMath.tanh gives " + Double.toHexString(StrictMath.tanh(x)));
        }
    }

    /** x, one ulp either side, and their negations. */
    private static List<Double> near(double x) {
        List<Double> out = new ArrayList<>();
        for (double v : new double[] {Math.nextDown(x), x, Math.nextUp(x)}) {
            out.add(v);
            out.add(-v);
        }
        return out;
    }

    /**
     * The thresholds of the algorithm (2^-55, |x| = 1, 22; expm1's 0.5 ln 2 and 1.5 ln 2 for 2|x|),
     * every point where expm1's k changes, zeros, subnormals, the largest double, infinities, NaNs.
     */
    @Test
    void strictTanhGivesStrictMathsBitsAtEveryThreshold() {
        List<Double> xs = new ArrayList<>();
        for (double t : new double[] {0.0, Double.MIN_VALUE, Double.MIN_NORMAL, 0x1p-55, 0x1p-54, 0x1p-28, 0.5 * Math.log(2) / 2,
                1.5 * Math.log(2) / 2, 0.25, 0.5, 1.0, 19.0, 19.0615, 20.0, 22.0, 1e300, Double.MAX_VALUE}) {
            xs.addAll(near(t));
        }
        for (int k = 1; k <= 64; k++) {
            xs.addAll(near((k - 0.5) * Math.log(2) / 2));
            xs.addAll(near((k + 0.5) * Math.log(2) / 2));
        }
        xs.addAll(List.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
                Double.longBitsToDouble(0x7ff0000000000001L), Double.longBitsToDouble(0xfff8000000000001L)));
        for (double x : xs) {
            assertStrict(x);
        }
    }

    /** A sweep of [-23, 23] in steps of 2^-11, and a million random arguments of four kinds. */
    @Test
    void strictTanhGivesStrictMathsBitsOnAMillionArguments() {
        for (int j = -23 * 2048; j <= 23 * 2048; j++) {
            assertStrict(j / 2048.0);
        }
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 1_000_000; i++) {
            double x = switch (i % 4) {
                case 0 -> random.nextDouble(-30, 30);
                case 1 -> random.nextDouble(-2, 2);
                case 2 -> Math.scalb(random.nextDouble(1, 2), random.nextInt(-70, 9)) * (random.nextBoolean() ? 1 : -1);
                default -> Double.longBitsToDouble(random.nextLong());
            };
            assertStrict(x);
        }
    }

    /** On the JDK the tests run on, the helper gives Math.tanh's bits (on JDK 17 through strictTanh). */
    @Test
    void theHelperGivesMathTanhsBitsOnThisJdk() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 200_000; i++) {
            double x = i % 2 == 0 ? random.nextDouble(-25, 25) : Math.scalb(random.nextDouble(-2, 2), random.nextInt(-60, 6));
            if (Double.doubleToLongBits(Math.tanh(x)) != Double.doubleToLongBits(Helpers.tanh(x))) {
                throw new AssertionError("seed " + SEED + ": tanh(" + Double.toHexString(x) + ") is " + Helpers.tanh(x)
                        + ", Math.tanh gives " + Math.tanh(x));
            }
        }
        assertEquals(Runtime.version().feature() < 24, Helpers.MATH_TANH_IS_STRICT);
    }

    /**
     * The field the generated class carries decides by java.specification.version: "1.8" and 9 to
     * 23 compute StrictMath's algorithm, 24 on call Math.tanh.
     */
    @Test
    void theVersionRuleSplitsAt24() {
        ScalarFn.HelperField field = ScalarFn.TANH.helperFields().get(0);
        assertEquals("MATH_TANH_IS_STRICT", field.name());
        Matcher m = Pattern.compile("!System\\.getProperty\\(\"java\\.specification\\.version\"\\)\\.matches\\(\"(.*)\"\\)")
                .matcher(field.initializer());
        assertTrue(m.matches(), field.initializer());
        String regex = m.group(1).replace("\\\\", "\\");
        for (String strict : new String[] {"1.8", "9", "10", "11", "17", "20", "21", "23"}) {
            assertFalse(strict.matches(regex), strict);
        }
        for (String intrinsic : new String[] {"24", "25", "29", "30", "99", "100", "123"}) {
            assertTrue(intrinsic.matches(regex), intrinsic);
        }
    }

    private static void assertFloat(double x) {
        double got = Helpers.tanhFloat(x);
        float want = (float) Helpers.tanh(x);
        if (Float.floatToRawIntBits((float) got) != Float.floatToRawIntBits(want) || (double) (float) got != got && !Double.isNaN(got)) {
            throw new AssertionError("seed " + SEED + ": tanhFloat(" + Double.toHexString(x) + ") is " + Double.toHexString(got)
                    + ", (float) tanh gives " + Float.toHexString(want));
        }
    }

    /**
     * tanhFloat is a float's value, and that float is (float) tanh(x), at the ends of its branches
     * (0, 2^-10, 22), zeros, subnormals of either precision, the largest values, infinities and NaNs.
     */
    @Test
    void tanhFloatGivesTheFloatOfTanhAtItsEdges() {
        List<Double> xs = new ArrayList<>();
        for (double t : new double[] {0.0, Double.MIN_VALUE, Float.MIN_VALUE, Float.MIN_NORMAL, Double.MIN_NORMAL, 0x1p-55, 0x1p-13,
                0x1p-12, 0x1p-11, 0x1p-10, 0x1p-9, 0.25, 0.5, 0.55, 1.0, 9.0, 9.01, 10.0, 21.0, 22.0, 23.0, 1e30, Float.MAX_VALUE,
                Double.MAX_VALUE}) {
            xs.addAll(near(t));
            xs.addAll(near((float) t));
        }
        xs.addAll(List.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN));
        // The only floats whose fast result rounds to another float than tanh's (all 2^32 floats
        // tried, JDK 17 and 25): there the rounding test must send them to tanh.
        for (float hard : new float[] {0x1.e83fbp-10f, 0x1.f93eaep-10f}) {
            xs.add((double) hard);
            xs.add((double) -hard);
        }
        for (double x : xs) {
            assertFloat(x);
        }
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(Helpers.tanhFloat(-0.0)), "-0 stays -0");
        assertTrue(Double.isNaN(Helpers.tanhFloat(Double.NaN)));
    }

    /**
     * Every 997th float (4.3 million bit patterns: every exponent, both signs, NaNs), and a million
     * random arguments: floats, doubles in [-25, 25], any double. Every float runs with
     * {@code -Dlossc.tanhFloat.all=true} (about 40 seconds).
     */
    @Test
    void tanhFloatGivesTheFloatOfTanhOnMillionsOfArguments() {
        long step = Boolean.getBoolean("lossc.tanhFloat.all") ? 1 : 997;
        for (long bits = 0; bits < 1L << 32; bits += step) {
            assertFloat(Float.intBitsToFloat((int) bits));
        }
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 1_000_000; i++) {
            double x = switch (i % 3) {
                case 0 -> Float.intBitsToFloat(random.nextInt());
                case 1 -> random.nextDouble(-25, 25);
                default -> Double.longBitsToDouble(random.nextLong());
            };
            assertFloat(x);
        }
    }

    /** The generated class carries the field, the helper and strictTanh, and no other helper. */
    @Test
    void tanhBringsItsFieldAndStrictTanh() {
        assertEquals(List.of("tanh", "strictTanh"), ScalarFn.TANH.helperMethods());
        assertEquals(List.of("tanh", "strictTanh"), ScalarFn.TANH.helperMethods(false));
        assertEquals(List.of("tanhFloat", "tanh", "strictTanh"), ScalarFn.TANH.helperMethods(true), "a float class calls tanhFloat");
        assertEquals(ScalarFn.TANH.helperFields(), ScalarFn.TANH.helperFields(true));
        assertEquals(List.of("sigmoid"), ScalarFn.SIGMOID.helperMethods(true));
        assertEquals("tanhFloat", ScalarFn.TANH.java(true));
        assertEquals("tanh", ScalarFn.TANH.java(false));
        assertEquals(List.of("sigmoid"), ScalarFn.SIGMOID.helperMethods());
        assertEquals(List.of(), ScalarFn.SIGMOID.helperFields());
        assertEquals(List.of(), ScalarFn.EXP.helperMethods());
        assertTrue(ScalarFn.helperMemberNames().containsAll(List.of("tanh", "strictTanh", "MATH_TANH_IS_STRICT", "sigmoid", "erf")));
    }
}
