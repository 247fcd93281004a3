package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.testing.Compiled;
import dev.lossc.testing.RefEval;
import dev.lossc.testing.Values;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Integer inputs (docs/language.md, "Integer inputs"): labels, lookups, gathers, statement by statement. */
class IntInputsTest {
    /** A character model's shape: embedding lookups in a recurrence, a gather, both cross-entropy forms. */
    static final String CHAR_MODEL = """
            model Chars;
            dim V = 5, D = 3, H = 4, T = 6, B = 3;
            input toks[T]: int;
            input next: int;
            input batch[B]: int;
            input labels[B]: int;
            param E[V, D];
            param Wx[H, D];
            param Wh[H, H];
            param Wo[V, H];
            var h = tanh(Wx @ E[toks[0]]);
            for t in 1..T {
              h = tanh(Wx @ E[toks[t]] + Wh @ h);
            }
            let logits = Wo @ h;
            output probs = softmax(logits);
            output embedding = E[next];
            let Z = E[batch] @ transpose(Wx) @ transpose(Wo);
            loss cross_entropy(logits, next) + cross_entropy(Z, labels) + 0.1 * E[next, 1];
            """;

    @Test
    void intInputsArePassedAsIntAndIntArray() throws Exception {
        Compiled c = Compiled.of(CHAR_MODEL);
        Method loss = c.type().getMethod("loss", int[].class, int.class, int[].class, int[].class);
        assertEquals(double.class, loss.getReturnType());
        // An output takes only what it needs: probs the tokens, embedding the one token.
        c.type().getMethod("probs", int[].class, double[].class);
        c.type().getMethod("embedding", int.class, double[].class);
        assertEquals(List.of("toks"), c.layout().outputs().get(0).inputs());
        assertEquals(List.of("next"), c.layout().outputs().get(1).inputs());
    }

    @Test
    void lossGradientAndOutputsAgreeWithTheReferenceEvaluator() {
        Compiled c = Compiled.of(CHAR_MODEL);
        for (long seed = 1; seed <= 20; seed++) {
            Map<String, double[]> v = Values.random(c.model(), new SplittableRandom(seed), 1.0);
            c.setParams(v);
            double loss = c.lossAndGradient(v);
            RefEval.Result ref = RefEval.evaluate(CHAR_MODEL, v);
            assertTrue(Values.close(loss, ref.loss(), 1e-13, 1e-14), "seed " + seed + ": " + loss + " vs " + ref.loss());
            Map<String, double[]> g = c.gradientByName();
            for (String p : ref.gradient().keySet()) {
                double[] want = ref.gradient().get(p);
                for (int i = 0; i < want.length; i++) {
                    assertTrue(Values.close(g.get(p)[i], want[i], 1e-12, 1e-13), "seed " + seed + " d" + p + "[" + i + "]: " + g.get(p)[i] + " vs " + want[i]);
                }
            }
            Map<String, double[]> outs = c.outputs(v);
            assertArrayEquals(ref.outputs().get("probs"), outs.get("probs"), 1e-14);
            assertArrayEquals(ref.outputs().get("embedding"), outs.get("embedding"), 0.0);
        }
    }

    @Test
    void aRepeatedIndexReceivesTheSumOfItsAdjoints() {
        Compiled c = Compiled.of("dim V = 3, D = 2;\ninput toks[4]: int;\nparam E[V, D];\nloss sum(E[toks] * E[toks]);\n");
        double[] e = {1, 2, 3, 4, 5, 6};
        c.setParams(Map.of("E", e));
        Map<String, double[]> v = Map.of("toks", new double[] {2, 0, 2, 2});
        // Rows 2, 0, 2, 2: loss = 3 |E2|² + |E0|², so dE0 = 2 E0, dE1 = 0, dE2 = 6 E2.
        assertEquals(3 * (25 + 36) + (1 + 4), c.lossAndGradient(v), 0.0);
        assertArrayEquals(new double[] {2, 4, 0, 0, 30, 36}, c.gradient(), 0.0);
    }

    @Test
    void crossEntropyWithIndicesEqualsItWithOneHotTargets() {
        String indices = "dim M = 4, K = 3;\ninput labels[M]: int;\nparam Z[M, K];\nloss cross_entropy(Z, labels);\n";
        String oneHot = "dim M = 4, K = 3;\ninput Y[M, K];\nparam Z[M, K];\nloss cross_entropy(Z, Y);\n";
        Compiled a = Compiled.of(indices);
        Compiled b = Compiled.of(oneHot);
        double[] z = Values.vector(12, new SplittableRandom(7), 2.0);
        a.setParams(Map.of("Z", z));
        b.setParams(Map.of("Z", z));
        double[] labels = {2, 0, 1, 2};
        double[] y = new double[12];
        for (int i = 0; i < 4; i++) {
            y[i * 3 + (int) labels[i]] = 1;
        }
        assertEquals(b.lossAndGradient(Map.of("Y", y)), a.lossAndGradient(Map.of("labels", labels)), 1e-15);
        assertArrayEquals(b.gradient(), a.gradient(), 1e-16);
    }

    private static IllegalArgumentException thrown(Compiled c, Object... args) throws Exception {
        Method loss = null;
        for (Method m : c.type().getMethods()) {
            if (m.getName().equals("loss")) {
                loss = m;
            }
        }
        Method call = loss;
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> call.invoke(c.instance(), args));
        assertEquals(IllegalArgumentException.class, e.getCause().getClass(), String.valueOf(e.getCause()));
        return (IllegalArgumentException) e.getCause();
    }

    @Test
    void anIndexOutOfRangeIsAnIllegalArgumentNamingTheInputThePositionTheValueAndTheRange() throws Exception {
        Compiled c = Compiled.of(CHAR_MODEL);
        int[] toks = {0, 1, 2, 3, 4, 0};
        int[] three = {0, 1, 2};
        assertEquals("toks[3] is 5, outside the valid range 0..4",
                thrown(c, new int[] {0, 1, 2, 5, 4, 0}, 1, three, three).getMessage());
        assertEquals("toks[0] is -1, outside the valid range 0..4",
                thrown(c, new int[] {-1, 1, 2, 3, 4, 0}, 1, three, three).getMessage());
        assertEquals("next is 7, outside the valid range 0..4", thrown(c, toks, 7, three, three).getMessage());
        assertEquals("labels[2] is 5, outside the valid range 0..4", thrown(c, toks, 1, three, new int[] {0, 1, 5}).getMessage());
        assertEquals("batch has length 2 but must have length 3", thrown(c, toks, 1, new int[] {0, 1}, three).getMessage());
        assertEquals("toks must not be null (expected length 6)", thrown(c, null, 1, three, three).getMessage());
    }

    @Test
    void anIntInputIndexingAxesOfDifferentSizesIsBoundByTheSmallest() throws Exception {
        Compiled c = Compiled.of("input k: int;\nparam a[5];\nparam b[3];\nloss a[k] * b[k];\n");
        assertEquals(3, c.layout().inputs().get(0).limit());
        assertEquals("k is 3, outside the valid range 0..2", thrown(c, 3).getMessage());
        c.setParams(Map.of("a", new double[] {1, 2, 3, 4, 5}, "b", new double[] {10, 20, 30}));
        assertEquals(3 * 30, c.loss(Map.of("k", new double[] {2})), 0.0);
    }

    @Test
    void anIntInputNothingIndexesIsAcceptedWhateverItsValue() {
        Compiled c = Compiled.of("input unused: int;\nparam w;\nloss w * w;\n");
        c.setParams(Map.of("w", new double[] {3}));
        Map<String, double[]> v = new HashMap<>();
        v.put("unused", new double[] {-12});
        assertEquals(9.0, c.loss(v), 0.0);
    }

    @Test
    void intDataIsNeverDifferentiatedAndTheIndexInALoopFollowsTheLoop() {
        // Row t of E for each t: the gradient of E is the adjoint of each row read, in order.
        Compiled c = Compiled.of("dim T = 3;\ninput toks[T]: int;\nparam E[4, 1];\nvar s = 0;\nfor t in 0..T {\n  s = s + E[toks[t], 0] * (t + 1);\n}\nloss s;\n");
        c.setParams(Map.of("E", new double[] {1, 1, 1, 1}));
        assertEquals(6.0, c.lossAndGradient(Map.of("toks", new double[] {3, 1, 3})), 0.0);
        assertArrayEquals(new double[] {0, 2, 0, 4}, c.gradient(), 0.0);
    }
}
