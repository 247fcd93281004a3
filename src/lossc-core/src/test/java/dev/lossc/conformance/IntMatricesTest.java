package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Repo;
import dev.lossc.testing.Values;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Int matrices (docs/language.md, "Integer inputs", version 3): token batches {@code [B, T]} whose
 * rows, columns and elements gather and label; against the reference evaluator and central
 * differences. PyTorch agrees on tools/pytorch_int_matrix.loss (tools/pytorch_check.py).
 */
class IntMatricesTest {
    /** Every form on a fixed batch: rows and elements in a loop, a column gathered and a column as labels, an element as a label. */
    static final String FIXED = """
            dim B = 3, T = 4, V = 6;
            input toks[B, T]: int;
            param E[V, V];
            param w[V];
            var s = 0;
            for i in 0..B {
              s = s + sum(E[toks[i]] @ w) + E[toks[i, T - 1], 1];
            }
            output column = E[toks[.., 2]] @ w;
            loss s + cross_entropy(E[toks[.., 2]], toks[.., 0]) + cross_entropy(E @ w, toks[2, 1]) + cross_entropy(E[toks[1]], toks[1]);
            """;

    private static String languageModel() {
        return Repo.read(Repo.root().resolve("tools/pytorch_int_matrix.loss"));
    }

    @Test
    void aBatchedLanguageModelAgreesWithTheReferenceAtEveryBatchSize() {
        String source = languageModel();
        Compiled c = Compiled.of(source);
        for (long seed = 1; seed <= 12; seed++) {
            Map<String, double[]> v = Values.random(c.model(), new SplittableRandom(seed), 1.0);
            c.setParams(v);
            Agreement.agrees("seed " + seed + ", B = " + v.get("toks").length / 5, c, source, v, Agreement.Tolerance.of(1e-12, 1e-13));
        }
    }

    @Test
    void rowsColumnsAndElementsAgreeWithTheReferenceAndWithCentralDifferences() {
        Compiled c = Compiled.of(FIXED);
        for (long seed = 1; seed <= 8; seed++) {
            Map<String, double[]> v = Values.random(c.model(), new SplittableRandom(seed), 1.0);
            c.setParams(v);
            Agreement.agrees("seed " + seed, c, FIXED, v, Agreement.Tolerance.of(1e-12, 1e-13));
            Agreement.centralDifferences("seed " + seed, c, v, () -> { });
        }
    }

    /** A column with repeated ids: each gathered row's adjoint is added into the row it came from. */
    @Test
    void aRepeatedIdInAColumnReceivesTheSumOfItsAdjoints() {
        Compiled c = Compiled.of("dim B = 4, T = 2, V = 3;\ninput toks[B, T]: int;\nparam E[V, 2];\nloss sum(E[toks[.., 1]] * E[toks[.., 1]]);\n");
        c.setParams(Map.of("E", new double[] {1, 2, 3, 4, 5, 6}));
        // Column 1 holds 2, 0, 2, 2: loss = 3 |E2|² + |E0|², so dE0 = 2 E0, dE1 = 0, dE2 = 6 E2.
        Map<String, double[]> v = Map.of("toks", new double[] {1, 2, 1, 0, 0, 2, 1, 2});
        assertEquals(3 * (25 + 36) + (1 + 4), c.lossAndGradient(v), 0.0);
        assertArrayEquals(new double[] {2, 4, 0, 0, 30, 36}, c.gradient(), 0.0);
    }

    @Test
    void anIntMatrixIsAnIntArrayRowMajorCheckedBeforeAnythingIsComputed() throws Exception {
        Compiled c = Compiled.of(languageModel());
        Method loss = c.type().getMethod("loss", int.class, int[].class);
        int[] ok = {1, 2, 3, 4, 5, 6, 0, 1, 2, 3};
        double value = (Double) loss.invoke(c.instance(), 2, ok);
        assertEquals("toks[7] is 9, outside the valid range 0..6",
                thrown(loss, c, 2, new int[] {1, 2, 3, 4, 5, 6, 0, 9, 2, 3}).getMessage());
        assertEquals("toks has length 9 but must have at least B * 5 = 10", thrown(loss, c, 2, new int[9]).getMessage());
        // Values past the actual rows are neither read nor checked.
        assertEquals(value, (Double) loss.invoke(c.instance(), 2, new int[] {1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 99}), 0.0);
        String javadoc = dev.lossc.LossCompiler.compile("t.loss", languageModel(), dev.lossc.LossCompiler.Options.DEFAULT).output().orElseThrow().source();
        assertTrue(javadoc.contains("{@code int[B * 5]}, row-major, each in 0..6"), "the class's javadoc gives the int matrix's type");
    }

    private static IllegalArgumentException thrown(Method m, Compiled c, Object... args) {
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> m.invoke(c.instance(), args));
        assertEquals(IllegalArgumentException.class, e.getCause().getClass(), String.valueOf(e.getCause()));
        return (IllegalArgumentException) e.getCause();
    }
}
