package dev.lossc.runtime;

/**
 * Gradient clipping on a generated class's flat {@code gradient()}, as
 * {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_} do on all of a model's
 * parameters: in place, allocating nothing.
 */
public final class Gradients {
    private Gradients() {}

    /**
     * Scales {@code grad} so that its Euclidean norm is at most {@code maxNorm}: by
     * {@code maxNorm / (norm + 1e-6)} when that is below 1, as PyTorch does. Returns the norm before
     * clipping (NaN or infinite when the gradient is).
     */
    public static double clipNorm(double[] grad, double maxNorm) {
        checkPositive("max norm", maxNorm);
        double norm = norm(grad);
        double coefficient = Math.min(1.0, maxNorm / (norm + 1e-6));
        if (coefficient < 1) {
            for (int i = 0; i < grad.length; i++) {
                grad[i] *= coefficient;
            }
        }
        return norm;
    }

    /** As {@link #clipNorm(double[], double)}, for a float class (the norm in double). */
    public static double clipNorm(float[] grad, double maxNorm) {
        checkPositive("max norm", maxNorm);
        double sum = 0;
        for (float g : grad) {
            sum += (double) g * g;
        }
        double norm = Math.sqrt(sum);
        double coefficient = Math.min(1.0, maxNorm / (norm + 1e-6));
        if (coefficient < 1) {
            for (int i = 0; i < grad.length; i++) {
                grad[i] = (float) (grad[i] * coefficient);
            }
        }
        return norm;
    }

    /** Clamps every element of {@code grad} to {@code [-clip, clip]}. */
    public static void clipValue(double[] grad, double clip) {
        checkPositive("clip value", clip);
        for (int i = 0; i < grad.length; i++) {
            grad[i] = Math.max(-clip, Math.min(clip, grad[i]));
        }
    }

    /** As {@link #clipValue(double[], double)}, for a float class. */
    public static void clipValue(float[] grad, double clip) {
        checkPositive("clip value", clip);
        float c = (float) clip;
        for (int i = 0; i < grad.length; i++) {
            grad[i] = Math.max(-c, Math.min(c, grad[i]));
        }
    }

    /** The Euclidean norm, summed in order. */
    public static double norm(double[] grad) {
        double sum = 0;
        for (double g : grad) {
            sum += g * g;
        }
        return Math.sqrt(sum);
    }

    private static void checkPositive(String what, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " must be finite and above 0, but it is " + v);
        }
    }
}
