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
