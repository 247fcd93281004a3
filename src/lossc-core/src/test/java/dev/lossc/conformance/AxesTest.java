package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Values;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Axes in version 3 (docs/language.md, section 5): a negative axis counts from the end in every
 * function that takes one, and {@code transpose(X, a, b)} and {@code permute(X, …)} name axes the
 * same way; each form computes what its non-negative spelling does (to the bit), and agrees with
 * the reference evaluator. The errors are in {@link DiagnosticsTest}.
 */
class AxesTest {
    private static final String NEGATIVE = """
            param X[3, 4];
            param A[3, 4];
            param v[4];
            loss sum(sum(X, -1) * sum(X, axis = -1)) + sum(mean(X, -2)) + sum(softmax(X, -1) * A) + sum(log_softmax(X, -2) * A)
               + sum(logsumexp(X, -1)) + sum(cumsum(X, -1) * A) + sum(cumsum(v, -1) * v) + sum(amax(X, -1)) + sum(amin(X, -2))
               + sum(concat(X, A, -1) ^ 2) + sum(concat(X, A, axis = -2) * 0.5) + sum(transpose(X, -1, -2) @ A) + sum(transpose(X, 1, 1) * A)
               + sum(permute(X, 1, 0) @ A) + sum(permute(X, 0, 1) * A) + sum(permute(v, -1) * v) + sum(transpose(v, 0, -1) * v);
            """;

    private static final String POSITIVE = """
            param X[3, 4];
            param A[3, 4];
            param v[4];
            loss sum(sum(X, 1) * sum(X, axis = 1)) + sum(mean(X, 0)) + sum(softmax(X, 1) * A) + sum(log_softmax(X, 0) * A)
               + sum(logsumexp(X, 1)) + sum(cumsum(X, 1) * A) + sum(cumsum(v, 0) * v) + sum(amax(X, 1)) + sum(amin(X, 0))
               + sum(concat(X, A, 1) ^ 2) + sum(concat(X, A, axis = 0) * 0.5) + sum(transpose(X) @ A) + sum(X * A)
               + sum(transpose(X) @ A) + sum(X * A) + sum(v * v) + sum(v * v);
            """;

    @Test
    void negativeAxesAndNamedSwapsAreTheirNonNegativeSpellings() {
        Compiled negative = Compiled.of(NEGATIVE);
        Compiled positive = Compiled.of(POSITIVE);
        Map<String, double[]> values = Values.random(negative.model(), new SplittableRandom(17), 1.0);
        negative.setParams(values);
        positive.setParams(values);
        assertEquals(positive.lossAndGradient(values), negative.lossAndGradient(values), 0.0);
        assertArrayEquals(positive.gradient(), negative.gradient(), 0.0);
        Agreement.agrees("negative axes", negative, NEGATIVE, values, Agreement.Tolerance.of(1e-12, 1e-13));
    }
}
