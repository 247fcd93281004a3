package dev.lossc.prim;

/**
 * The helpers of {@link ScalarFn}, written once: the compiler calls these methods to fold
 * constants, and emits their text (this file, copied into the jar as a resource) as private static
 * methods of the generated class. So the generated class computes exactly what the compiler folds
 * with. Each method is written as generated code must be: Java 8, {@code java.lang.Math} only, its
 * comments inside its body; a method ends at the first line that is its closing brace.
 */
final class Helpers {
    private Helpers() {}

    /**
     * True where {@code Math.tanh} is {@code StrictMath.tanh}: Java 8 to 23, whose {@code Math.tanh}
     * calls {@code StrictMath.tanh} (a native call up to Java 20). From Java 24 on, HotSpot may
     * compile {@code Math.tanh} to an intrinsic of its own, with other bits.
     */
    static final boolean MATH_TANH_IS_STRICT = !System.getProperty("java.specification.version").matches("2[4-9]|[3-9]\\d|\\d{3,}");

    /**
     * {@code Math.tanh(x)}, bit for bit, on every JDK: where {@code Math.tanh} is
     * {@code StrictMath.tanh} (Java 8 to 23), the same algorithm in Java, which the JIT compiles
     * (JDK 17's native call takes about twice as long); from Java 24 on, {@code Math.tanh} itself.
     */
    static double tanh(double x) {
        // Math.tanh's bits on every JDK. On Java 8 to 23 (MATH_TANH_IS_STRICT) Math.tanh is StrictMath.tanh,
        // and strictTanh is its algorithm in Java (JDK 17's is a native call, twice as slow).
        return MATH_TANH_IS_STRICT ? strictTanh(x) : Math.tanh(x);
    }

    /**
     * {@code StrictMath.tanh(x)}, bit for bit, in Java: fdlibm's {@code tanh} (1 - 2 / (e + 2) from
     * |x| = 1 on, -e / (e + 2) below it, e = expm1(±2|x|)) with fdlibm's {@code expm1} written out.
     */
    static double strictTanh(double x) {
        // StrictMath.tanh's algorithm (fdlibm): tanh = 1 - 2 / (e + 2) from |x| = 1 on, -e / (e + 2)
        // below, e = expm1(2|x|) or expm1(-2|x|), the sign put back; x (1 + x) below 2^-55, 1 from 22.
        long bits = Double.doubleToRawLongBits(x);
        int ix = (int) (bits >>> 32) & 0x7fffffff;
        if (ix >= 0x7ff00000) {
            return bits >= 0 ? 1.0 / x + 1.0 : 1.0 / x - 1.0;
        }
        if (ix < 0x3c800000) {
            return x * (1.0 + x);
        }
        double z;
        if (ix >= 0x40360000) {
            z = 1.0;
        } else {
            boolean atLeastOne = ix >= 0x3ff00000;
            double u = atLeastOne ? 2.0 * Math.abs(x) : -2.0 * Math.abs(x);
            int hu = (int) (Double.doubleToRawLongBits(u) >>> 32) & 0x7fffffff;
            // expm1(u): u = k ln 2 + r + c, |r| <= 0.5 ln 2, ln 2 in two parts (0x1.62e42feep-1 and
            // 0x1.a39ef35793c76p-33), c the rounding error of r.
            int k;
            double r = u;
            double c = 0.0;
            if (hu > 0x3fd62e42) {
                double hi;
                double lo;
                if (hu < 0x3ff0a2b2) {
                    k = u > 0.0 ? 1 : -1;
                    hi = u - k * 0x1.62e42feep-1;
                    lo = k * 0x1.a39ef35793c76p-33;
                } else {
                    k = (int) (0x1.71547652b82fep0 * u + (u > 0.0 ? 0.5 : -0.5));
                    double tk = k;
                    hi = u - tk * 0x1.62e42feep-1;
                    lo = tk * 0x1.a39ef35793c76p-33;
                }
                r = hi - lo;
                c = (hi - r) - lo;
            } else {
                k = 0;
            }
            // expm1(r) by a rational approximation in r * r / 2.
            double hfx = 0.5 * r;
            double hxs = r * hfx;
            double r1 = 1.0 + hxs * (-0x1.11111111110f4p-5 + hxs * (0x1.a01a019fe5585p-10 + hxs * (-0x1.4ce199eaadbb7p-14
                    + hxs * (0x1.0cfca86e65239p-18 + hxs * -0x1.afdb76e09c32dp-23))));
            double t = 3.0 - r1 * hfx;
            double e = hxs * ((r1 - t) / (6.0 - r * t));
            double em;
            if (k == 0) {
                em = r - (r * e - hxs);
            } else {
                // Scale back by 2^k, put into the exponent's bits.
                e = r * (e - c) - c;
                e -= hxs;
                if (k == -1) {
                    em = 0.5 * (r - e) - 0.5;
                } else if (k == 1) {
                    em = r < -0.25 ? -2.0 * (e - (r + 0.5)) : 1.0 + 2.0 * (r - e);
                } else if (k <= -2 || k > 56) {
                    double y = 1.0 - (e - r);
                    em = Double.longBitsToDouble(Double.doubleToRawLongBits(y) + ((long) k << 52)) - 1.0;
                } else if (k < 20) {
                    double y = Double.longBitsToDouble((long) (0x3ff00000 - (0x200000 >> k)) << 32) - (e - r);
                    em = Double.longBitsToDouble(Double.doubleToRawLongBits(y) + ((long) k << 52));
                } else {
                    double y = r - (e + Double.longBitsToDouble((long) (0x3ff - k) << 52)) + 1.0;
                    em = Double.longBitsToDouble(Double.doubleToRawLongBits(y) + ((long) k << 52));
                }
            }
            z = atLeastOne ? 1.0 - 2.0 / (em + 2.0) : -em / (em + 2.0);
        }
        return bits >= 0 ? z : -z;
    }

    /**
     * {@code (float) tanh(x)}, bit for bit, as a double (a float's value), for the float classes:
     * from {@code Math.exp}, an intrinsic, instead of {@code tanh}'s {@code expm1}. Its result r is
     * within 2^-42.9 of tanh(x), relative ({@code Math.exp} within 1 ulp, the cancellation of
     * exp(2|x|) - 1 at most 2^9 times that from |x| = 2^-10 on; below, three terms of the series,
     * whose rest is under 2^-64 relative); {@code tanh(x)} is within 2.5 ulps (Math.tanh's bound).
     * So both lie within r ± |r| 2^-40, and where that interval rounds to one float, it is
     * {@code (float) tanh(x)}; elsewhere (about 1 argument in 2^16) tanh itself is called. From
     * Java 24 on, whose {@code Math.tanh} is an intrinsic as fast as this, it calls it.
     */
    static double tanhFloat(double x) {
        // (float) tanh(x), bit for bit: r from Math.exp within 2^-42.9 of tanh(x) and tanh(x) within 2.5 ulps, so
        // both lie in r +- |r| 2^-40; where that interval rounds to one float, that float is (float) tanh(x).
        // From Java 24 on, Math.tanh is an intrinsic, as fast: tanh itself.
        if (!MATH_TANH_IS_STRICT) {
            return (float) Math.tanh(x);
        }
        double a = Math.abs(x);
        double r;
        if (a < 0x1p-10) {
            if (x == 0.0) {
                return x;
            }
            double x2 = x * x;
            r = x - x * x2 * (1.0 / 3.0) + x * x2 * x2 * (2.0 / 15.0);
        } else if (a < 22.0) {
            double t = Math.exp(2.0 * a);
            r = Math.copySign((t - 1.0) / (t + 1.0), x);
        } else if (a >= 22.0) {
            return Math.copySign(1.0, x);
        } else {
            return (float) tanh(x);
        }
        float f = (float) r;
        double d = Math.abs(r) * 0x1p-40;
        if ((float) (r - d) == f && (float) (r + d) == f) {
            return f;
        }
        return (float) tanh(x);
    }

    /** The logistic function 1 / (1 + exp(-x)). */
    static double sigmoid(double x) {
        // Stable for large |x|: never exponentiates a positive number.
        if (x >= 0.0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** softplus(x) = log(1 + exp(x)). */
    static double softplus(double x) {
        // log(1 + exp(x)), stable for large |x|.
        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /**
     * The error function by W. J. Cody's rational Chebyshev approximations (CALERF, 1969): three
     * ranges, relative error near 1e-16 in each; Java has no erf of its own.
     */
    static double erf(double x) {
        // W. J. Cody's rational Chebyshev approximations (CALERF), relative error near 1e-16.
        double y = Math.abs(x);
        double r;
        if (y <= 0.46875) {
            double z = y * y;
            double num = 1.85777706184603153e-1 * z;
            double den = z;
            num = (num + 3.16112374387056560e00) * z;
            den = (den + 2.36012909523441209e01) * z;
            num = (num + 1.13864154151050156e02) * z;
            den = (den + 2.44024637934444173e02) * z;
            num = (num + 3.77485237685302021e02) * z;
            den = (den + 1.28261652607737228e03) * z;
            return x * (num + 3.20937758913846947e03) / (den + 2.84423683343917062e03);
        }
        if (y <= 4.0) {
            double num = 2.15311535474403846e-8 * y;
            double den = y;
            num = (num + 5.64188496988670089e-1) * y;
            den = (den + 1.57449261107098347e01) * y;
            num = (num + 8.88314979438837594e00) * y;
            den = (den + 1.17693950891312499e02) * y;
            num = (num + 6.61191906371416295e01) * y;
            den = (den + 5.37181101862009858e02) * y;
            num = (num + 2.98635138197400131e02) * y;
            den = (den + 1.62138957456669019e03) * y;
            num = (num + 8.81952221241769090e02) * y;
            den = (den + 3.29079923573345963e03) * y;
            num = (num + 1.71204761263407058e03) * y;
            den = (den + 4.36261909014324716e03) * y;
            num = (num + 2.05107837782607147e03) * y;
            den = (den + 3.43936767414372164e03) * y;
            r = (num + 1.23033935479799725e03) / (den + 1.23033935480374942e03);
        } else if (y < 26.6) {
            double z = 1.0 / (y * y);
            double num = 1.63153871373020978e-2 * z;
            double den = z;
            num = (num + 3.05326634961232344e-1) * z;
            den = (den + 2.56852019228982242e00) * z;
            num = (num + 3.60344899949804439e-1) * z;
            den = (den + 1.87295284992346725e00) * z;
            num = (num + 1.25781726111229246e-1) * z;
            den = (den + 5.27905102951428412e-1) * z;
            num = (num + 1.60837851487422766e-2) * z;
            den = (den + 6.05183413124413191e-2) * z;
            r = z * (num + 6.58749161529837803e-4) / (den + 2.33520497626869185e-3);
            r = (5.6418958354775628695e-1 - r) / y;
        } else {
            return Double.isNaN(x) ? x : Math.copySign(1.0, x);
        }
        // erfc(y) = exp(-y^2) * r, with y^2 split so that exp(-y^2) keeps its precision.
        double head = Math.floor(y * 16.0) / 16.0;
        double tail = (y - head) * (y + head);
        double erfc = Math.exp(-head * head) * Math.exp(-tail) * r;
        return x < 0 ? erfc - 1.0 : 1.0 - erfc;
    }
}
