package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Values;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code reshape}, {@code flatten}, {@code unsqueeze} and {@code squeeze} (docs/language.md,
 * "Shapes", version 3) on values of rank 2 and below: the same elements in row-major order, the
 * gradient back into the original's, against the reference evaluator and exact values; a view,
 * not a copy. The errors are in {@link DiagnosticsTest}.
 */
class ReshapesTest {
    static final String PROGRAM = """
            dim B <= 3, M = 2, N = 6;
            param X[M, N];
            param v[N];
            param s;
            input Z[B, N];
            let R = reshape(X, 3, 4);
            let S = reshape(X, -1, 3);
            let w = reshape(X, -1);
            output rows = reshape(v, 2, 3) @ reshape(v, 3, -1);
            loss sum(R @ transpose(reshape(w, 3, -1))) + sum(S ^ 2) * 0.1 + sum(w * reshape(transpose(X), 12))
               + sum(unsqueeze(v, 0) @ unsqueeze(v, -1)) + sum(squeeze(unsqueeze(v, 1), -1) * v) + sum(unsqueeze(s, 0)) * 2
               + squeeze(unsqueeze(s, axis = 0), 0) + sum(squeeze(X[0..1], 0) * v) + sum(flatten(Z) * flatten(reshape(Z, B, N)))
               + sum(flatten(X) ^ 3) + sum(reshape(s, 1, 1)) + sum(squeeze(reshape(v, 6, 1), 1) * v)
               + sum(unsqueeze(Z[.., 0], 1) * Z) + sum(squeeze(Z[.., 1..2], -1) * Z[.., 2]);
            """;

    @Test
    void theSameElementsInAnotherShapeAgreeWithTheReference() {
        Compiled c = Compiled.of(PROGRAM);
        SplittableRandom rnd = new SplittableRandom(23);
        for (int round = 0; round < 3; round++) {
            Map<String, double[]> values = Values.random(c.model(), rnd, 1.0);
            c.setParams(values);
            Agreement.agrees("round " + round, c, PROGRAM, values, Agreement.Tolerance.of(1e-12, 1e-13));
        }
    }

    @Test
    void aReshapeIsRowMajorAndItsGradientGoesBack() {
        Compiled c = Compiled.of("param X[2, 3];\nloss sum(reshape(X, 3, 2) * reshape(transpose(X), 3, 2));\n");
        double[] x = {1, 2, 3, 4, 5, 6};
        // reshape(X, 3, 2) is [[1, 2], [3, 4], [5, 6]]; Xᵀ row-major is 1 4 2 5 3 6: Σ = 1 + 8 + 6 + 20 + 15 + 36.
        c.setParams(Map.of("X", x));
        assertEquals(86, c.lossAndGradient(Map.of()), 0.0);
        // The loss is X0² + X1 X3 + X2 X1 + X3 X4 + X4 X2 + X5²: its gradient 2X0, X3 + X2, X1 + X4, X1 + X4, X3 + X2, 2X5.
        assertArrayEquals(new double[] {2, 7, 7, 7, 7, 12}, c.gradient(), 0.0);
    }

    @Test
    void aReshapeIsAViewNotACopy() {
        String java = LossCompiler.compile("r.loss", "param X[4, 6];\nparam W[6, 4];\nloss sum(reshape(X, 6, 4) * W);\n", LossCompiler.Options.DEFAULT)
                .output().orElseThrow().source();
        assertFalse(java.contains("private final double[] tmp"), "no array for the reshaped value\n" + java);
    }
}
