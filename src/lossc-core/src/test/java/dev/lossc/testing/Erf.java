package dev.lossc.testing;

/**
 * An error function independent of the compiler's (which uses Cody's rational approximations):
 * the everywhere-positive series erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), which
 * has no cancellation; beyond |x| = 6, erf is ±1 to double precision.
 */
public final class Erf {
    private Erf() {}

    public static double erf(double x) {
        double a = Math.abs(x);
        if (Double.isNaN(x)) {
            return x;
        }
        if (a >= 6) {
            return Math.copySign(1.0, x);
        }
        double term = a;
        double sum = a;
        for (int n = 1; n < 400 && term > sum * 1e-18; n++) {
            term *= 2 * a * a / (2 * n + 1);
            sum += term;
        }
        return Math.copySign(2 / Math.sqrt(Math.PI) * Math.exp(-a * a) * sum, x);
    }

    /** PyTorch's exact GELU, x Φ(x). */
    public static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** Its derivative, Φ(x) + x φ(x). */
    public static double geluDerivative(double x) {
        return 0.5 * (1 + erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }
}
