package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.ModelLayout;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code param W as "fc.weight"}: the name in a state dict, in the layout and in the class's parameterLayout(). */
class StateDictNamesTest {
    private static final String SOURCE = "model Net;\ndim D = 3, H = 2;\ninput x[D];\nparam W[H, D] as \"fc1.weight\" init he;\n"
            + "param b[H] init zeros as \"fc1.bias\";\nparam as[H];\nparam s;\nloss sum(tanh(W @ x + b) * as) + s * s;\n";

    @Test
    void theNameIsInTheLayoutInEitherOrderAndAsStaysAName() {
        LossCompiler.Result r = LossCompiler.compile("net.loss", SOURCE, LossCompiler.Options.DEFAULT);
        assertTrue(r.ok(), r.render());
        List<ModelLayout.Slot> params = r.layout().orElseThrow().params();
        assertEquals(List.of("fc1.weight", "fc1.bias", "as", "s"), params.stream().map(ModelLayout.Slot::key).toList());
        assertEquals(List.of("W", "b", "as", "s"), params.stream().map(ModelLayout.Slot::name).toList());
        assertTrue(r.output().orElseThrow().source().contains("initialized by {@code he}, {@code \"fc1.weight\"} in a state dict"));
    }

    @Test
    void theClassPublishesItsLayout() throws Exception {
        LossCompiler.Result r = LossCompiler.compile("net.loss", SOURCE, LossCompiler.Options.DEFAULT);
        Class<?> net = dev.lossc.ModelDriver.load(List.of(r), dev.lossc.testing.Compiled.JAVA8).get(0).type();
        Method layout = net.getMethod("parameterLayout");
        Object[][] rows = (Object[][]) layout.invoke(null);
        assertEquals(4, rows.length);
        assertEquals("W", rows[0][0]);
        assertEquals("fc1.weight", rows[0][1]);
        assertArrayEquals(new int[] {2, 3}, (int[]) rows[0][2]);
        assertEquals(0, rows[0][3]);
        assertEquals("fc1.bias", rows[1][1]);
        assertEquals(6, rows[1][3]);
        assertArrayEquals(new int[0], (int[]) rows[3][2]);
        assertEquals(10, rows[3][3]);
        assertTrue(rows != layout.invoke(null), "a new array on each call");
    }

    @Test
    void theClassPublishesItsInputsInCallOrder() throws Exception {
        String source = "model Seq;\ndim B <= 8, T = 3;\ninput X[B, T, 2];\ninput toks[B, T]: int;\ninput s;\nparam E[4, 2];\n"
                + "output emb = E[toks];\noutput total = sum(X);\nloss mean(X * E[toks]) * s;\n";
        for (boolean single : new boolean[] {false, true}) {
            LossCompiler.Options options = single ? LossCompiler.Options.DEFAULT.withPrecision(dev.lossc.types.Precision.FLOAT) : LossCompiler.Options.DEFAULT;
            LossCompiler.Result r = LossCompiler.compile("seq.loss", source, options);
            assertTrue(r.ok(), r.render());
            Class<?> seq = dev.lossc.ModelDriver.load(List.of(r), dev.lossc.testing.Compiled.JAVA8).get(0).type();
            Object[][] rows = (Object[][]) seq.getMethod("inputLayout").invoke(null);
            assertEquals(3, rows.length);
            assertEquals(List.of("X", single ? "float" : "double", "B"), List.of(rows[0][0], rows[0][1], rows[0][3]));
            assertArrayEquals(new int[] {8, 3, 2}, (int[]) rows[0][2]);
            assertEquals(List.of("toks", "int", "B"), List.of(rows[1][0], rows[1][1], rows[1][3]));
            assertArrayEquals(new int[] {8, 3}, (int[]) rows[1][2]);
            assertArrayEquals(new int[0], (int[]) rows[2][2]);
            assertEquals(null, rows[2][3]);
            Object[][] outs = (Object[][]) seq.getMethod("outputLayout").invoke(null);
            assertEquals(2, outs.length);
            assertEquals(List.of("emb", "B"), List.of(outs[0][0], outs[0][2]));
            assertArrayEquals(new int[] {8, 3, 2}, (int[]) outs[0][1]);
            assertArrayEquals(new String[] {"toks"}, (String[]) outs[0][3]);
            assertEquals(List.of("total"), List.of(outs[1][0]));
            assertArrayEquals(new int[0], (int[]) outs[1][1]);
            assertArrayEquals(new String[] {"X"}, (String[]) outs[1][3]);
            // The rows name the parameters of lossAndGradient after its varying dims, in order.
            Class<?> real = single ? float[].class : double[].class;
            seq.getMethod("lossAndGradient", int.class, real, int[].class, single ? float.class : double.class);
        }
    }
}
