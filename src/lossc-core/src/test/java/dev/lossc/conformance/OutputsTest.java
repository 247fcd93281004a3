package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.diag.Reporter;
import dev.lossc.parser.SourceParser;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.RefEval;
import dev.lossc.testing.Values;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Outputs (docs/language.md, section 8, "Outputs"): statement by statement. */
class OutputsTest {
    static final String CLASSIFIER = """
            model Cls;
            dim D = 4, H = 8, K = 3;
            input x[D];
            input y[K];
            param W1[H, D] init he;
            param b1[H];
            param W2[K, H];
            param b2[K];
            let logits = W2 @ relu(W1 @ x + b1) + b2;
            output probs = softmax(logits);
            output energy = -logsumexp(logits);
            output new = logits * 2;
            loss cross_entropy(logits, y) + energy * 0;
            """;

    private static Map<String, double[]> values(Compiled c, long seed) {
        return Values.random(c.model(), new SplittableRandom(seed), 1.0);
    }

    @Test
    void anOutputMethodTakesOnlyTheInputsItNeedsAndWritesIntoTheCallersArray() throws Exception {
        Compiled c = Compiled.of(CLASSIFIER);
        Method probs = c.type().getMethod("probs", double[].class, double[].class);
        assertEquals(double[].class, probs.getReturnType());
        Method energy = c.type().getMethod("energy", double[].class);
        assertEquals(double.class, energy.getReturnType());
        Map<String, double[]> v = values(c, 1);
        c.setParams(v);
        double[] out = new double[3];
        Object returned = probs.invoke(c.instance(), v.get("x"), out);
        assertTrue(returned == out, "returns the caller's array");
        RefEval.Result ref = RefEval.evaluate(SourceParser.parse("t.loss", CLASSIFIER, new Reporter("t.loss")).orElseThrow(), v);
        for (int i = 0; i < 3; i++) {
            assertTrue(Values.close(out[i], ref.outputs().get("probs")[i], 1e-14, 1e-15), Arrays.toString(out));
        }
        assertEquals(1.0, out[0] + out[1] + out[2], 1e-15);
        assertTrue(Values.close((double) energy.invoke(c.instance(), v.get("x")), ref.outputs().get("energy")[0], 1e-14, 1e-15));
    }

    @Test
    void aJavaKeywordOutputGetsAnUnderscore() throws Exception {
        Compiled c = Compiled.of(CLASSIFIER);
        Map<String, double[]> v = values(c, 2);
        c.setParams(v);
        double[] out = (double[]) c.type().getMethod("new_", double[].class, double[].class).invoke(c.instance(), v.get("x"), new double[3]);
        assertArrayEquals(RefEval.evaluate(SourceParser.parse("t.loss", CLASSIFIER, new Reporter("t.loss")).orElseThrow(), v).outputs().get("new"), out, 1e-13);
    }

    @Test
    void outputsDoNotDisturbTheGradient() {
        Compiled c = Compiled.of(CLASSIFIER);
        Map<String, double[]> v = values(c, 3);
        c.setParams(v);
        double loss = c.lossAndGradient(v);
        double[] before = c.gradient().clone();
        c.outputs(v);
        assertArrayEquals(before, c.gradient(), 0.0, "the gradient array is not touched by an output call");
        assertEquals(loss, c.lossAndGradient(v), 0.0);
    }

    @Test
    void anOutputSeesTheProgramUpToItsStatementOnly() {
        String src = """
                input x;
                input y;
                param w;
                var h = w * x;
                output early = h;
                h = h * y;
                output late = h;
                loss h * h;
                """;
        Compiled c = Compiled.of(src);
        assertTrue(c.layout().outputs().get(0).inputs().equals(List.of("x")), "early needs x only: " + c.layout().outputs());
        assertTrue(c.layout().outputs().get(1).inputs().equals(List.of("x", "y")), c.layout().outputs().toString());
        c.setParams(Map.of("w", new double[] {3}));
        Map<String, double[]> v = Map.of("x", new double[] {2}, "y", new double[] {5});
        assertEquals(6.0, c.outputs(v).get("early")[0], 0.0);
        assertEquals(30.0, c.outputs(v).get("late")[0], 0.0);
        assertEquals(900.0, c.lossAndGradient(v), 0.0);
    }

    @Test
    void anOutputOfOnlyParamsTakesNoInputs() throws Exception {
        Compiled c = Compiled.of("param W[2, 2];\ninput x[2];\noutput norm2 = sum(W * W);\noutput Wt = transpose(W);\nloss sum(W @ x);\n");
        c.setParams(Map.of("W", new double[] {1, 2, 3, 4}));
        assertEquals(30.0, (double) c.type().getMethod("norm2").invoke(c.instance()), 0.0);
        assertArrayEquals(new double[] {1, 3, 2, 4}, (double[]) c.type().getMethod("Wt", double[].class).invoke(c.instance(), new double[4]), 0.0);
    }

    @Test
    void aWrongDestinationIsAnIllegalArgumentNamingIt() throws Exception {
        Compiled c = Compiled.of(CLASSIFIER);
        Method probs = c.type().getMethod("probs", double[].class, double[].class);
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> probs.invoke(c.instance(), new double[4], new double[2]));
        assertEquals(IllegalArgumentException.class, e.getCause().getClass());
        assertEquals("out has length 2 but must have length 3", e.getCause().getMessage());
    }

    @Test
    void anOutputNamedOutIsNotConfusedWithTheDestination() throws Exception {
        Compiled c = Compiled.of("input out[2];\nparam w[2];\noutput r = out * w;\nloss sum(out * w);\n");
        c.setParams(Map.of("w", new double[] {2, 3}));
        Method r = Arrays.stream(c.type().getMethods()).filter(m -> m.getName().equals("r")).findFirst().orElseThrow();
        assertEquals(2, r.getParameterCount());
        assertArrayEquals(new double[] {2, 6}, (double[]) r.invoke(c.instance(), new double[] {1, 2}, new double[2]), 0.0);
    }

    @Test
    void outputIsStillAName() {
        LossCompiler.Result r = LossCompiler.compile("t.loss", "param output;\nlet x = output * 2;\noutput y = x;\nloss output + y;\n", LossCompiler.Options.DEFAULT);
        assertTrue(r.ok(), r.render());
    }

    @Test
    void programsWithoutOutputsGenerateNoOutputMembers() {
        String src = LossCompiler.compile("t.loss", "param w;\nloss w * w;\n", LossCompiler.Options.DEFAULT).output().orElseThrow().source();
        assertTrue(!src.contains("compute_") && !src.contains("double[] out"), src);
    }
}
