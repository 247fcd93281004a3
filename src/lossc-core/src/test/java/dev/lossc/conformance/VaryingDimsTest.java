package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Values;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Dims that vary per call (docs/language.md, "Sizes that vary per call"): one instance called at
 * sizes 1, 7 and the maximum gives, at each, the loss, gradient and outputs of a class compiled
 * with that size fixed (to the bit: the same operations in the same order); sizes and arrays are
 * checked on entry; rows beyond the actual size are ignored.
 */
class VaryingDimsTest {
    /** An MLP on a batch with class-index labels and two outputs. */
    static final String MLP = """
            model VaryMlp;
            dim B <= 9, D = 3, H = 5, K = 4;
            input X[B, D];
            input labels[B]: int;
            param W1[H, D];
            param b1[H];
            param W2[K, H];
            param b2[K];
            let Hd = tanh(X @ transpose(W1) + b1);
            let Z = Hd @ transpose(W2) + b2;
            output probs = softmax(Z);
            output colmean = mean(Z, 0);
            loss cross_entropy(Z, labels) + 0.01 * mean(Hd);
            """;

    /**
     * The batch as columns ([H, B], the column count varies), a product over the batch, axis-0
     * softmax and max over varying rows, outer products, mse and bce_logits on a batch.
     */
    static final String COLUMNS = """
            model VaryColumns;
            dim B <= 10, D = 4, H = 20;
            input X[B, D];
            input y[B];
            input t[B, D];
            param W[H, D];
            param v[H];
            param u[D];
            let A = sigmoid(W @ transpose(X));
            let p = transpose(A) @ v;
            let S = softmax(A, 0);
            let m = amax(X, 0);
            let G = A @ X;
            output pred = p;
            output colsums = sum(A, 0);
            output gram = transpose(A) @ A;
            loss mse(p, y) + 0.1 * sum(S * S) + bce_logits(X * u, t) + 0.01 * dot(m, u) + 0.001 * sum(outer(p, u) * X) + 0.01 * sum(G);
            """;

    /** A loop over the batch's rows, one label per row, a var carried across iterations, a look one row back. */
    static final String LOOP = """
            model VaryLoop;
            dim B <= 6, D = 3, K = 3;
            input X[B, D];
            input labels[B]: int;
            param W[K, D];
            param c[D];
            var total = 0;
            for i in 0..B {
              let z = W @ X[i];
              total = total + cross_entropy(z, labels[i]);
            }
            for i in 1..B {
              total = total + 0.1 * dot(X[i] - X[i - 1], c) ^ 2;
            }
            loss total;
            """;

    /** Token ids per row: a gather and cross-entropy with class indices over the batch, row means. */
    static final String GATHER = """
            model VaryGather;
            dim B <= 7, V = 6, D = 3;
            input toks[B]: int;
            input y[B];
            param E[V, D];
            param w[D];
            let G = E[toks];
            let s = G @ w;
            output scores = s;
            loss mse(s, y) + 0.1 * mean(mean(G, 1)) + cross_entropy(G @ transpose(E), toks);
            """;

    private static final Pattern VARYING = Pattern.compile("dim B <= (\\d+)");

    private static int max(String source) {
        Matcher m = VARYING.matcher(source);
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }

    /** The same program with {@code B} fixed at {@code size}, and another class name. */
    private static String fixed(String source, int size) {
        return VARYING.matcher(source).replaceFirst("dim B = " + size).replaceFirst("model (\\w+);", "model $1Fixed" + size + ";");
    }

    @TestFactory
    Stream<DynamicTest> oneInstanceAtSizes1And7AndTheMaximumMatchesFixedClasses() {
        return Stream.of(MLP, COLUMNS, LOOP, GATHER).map(source -> DynamicTest.dynamicTest(source.lines().findFirst().orElseThrow(), () -> {
            int max = max(source);
            int[] sizes = {max, 1, Math.min(7, max), max};
            List<LossCompiler.Result> results = new ArrayList<>();
            results.add(LossCompiler.compile("v.loss", source, LossCompiler.Options.DEFAULT));
            for (int size : sizes) {
                results.add(LossCompiler.compile("f.loss", fixed(source, size), LossCompiler.Options.DEFAULT));
            }
            List<Compiled> classes = Compiled.compileAll(results);
            Compiled varying = classes.get(0);
            for (int k = 0; k < sizes.length; k++) {
                Compiled fixed = classes.get(k + 1);
                for (long seed = 1; seed <= 3; seed++) {
                    String where = "B = " + sizes[k] + ", seed " + seed + ": ";
                    Map<String, double[]> v = Values.random(fixed.model(), new SplittableRandom(seed * 31 + k), 1.0);
                    fixed.setParams(v);
                    varying.setParams(v);
                    double want = fixed.lossAndGradient(v);
                    double got = varying.lossAndGradient(v);
                    assertEquals(want, got, 0.0, where + "loss");
                    assertArrayEquals(fixed.gradient(), varying.gradient(), 0.0, where + "gradient");
                    assertEquals(want, varying.loss(v), 0.0, where + "loss()");
                    Map<String, double[]> wantOut = fixed.outputs(v);
                    Map<String, double[]> gotOut = varying.outputs(v);
                    assertEquals(wantOut.keySet(), gotOut.keySet());
                    for (String o : wantOut.keySet()) {
                        assertArrayEquals(wantOut.get(o), gotOut.get(o), 0.0, where + "output " + o);
                    }
                }
            }
        }));
    }

    @Test
    void theSizeComesFirstAndTheMaximumIsAConstant() throws Exception {
        Compiled c = Compiled.compile("v.loss", MLP);
        c.type().getMethod("loss", int.class, double[].class, int[].class);
        c.type().getMethod("lossAndGradient", int.class, double[].class, int[].class);
        // An output takes the size and only the inputs it needs.
        c.type().getMethod("probs", int.class, double[].class, double[].class);
        assertEquals(9, c.type().getField("MAX_B").getInt(null));
        assertEquals(List.of("B"), c.layout().lossDims());
        assertEquals(List.of("B"), c.layout().outputs().get(0).dims());
    }

    /** A method that takes no input sized by the dim and computes nothing of its size does not take it. */
    @Test
    void anOutputThatDoesNotUseTheDimDoesNotTakeIt() throws Exception {
        String source = MLP.replace("output colmean = mean(Z, 0);", "output w1 = b1 @ W1;");
        Compiled c = Compiled.compile("v.loss", source);
        c.type().getMethod("w1", double[].class);
        assertEquals(List.of(), c.layout().outputs().get(1).dims());
    }

    private static Object call(Method m, Object target, Object... args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void rowsBeyondTheActualSizeAreIgnored() throws Throwable {
        Compiled c = Compiled.compile("v.loss", MLP);
        Method lossAndGradient = c.type().getMethod("lossAndGradient", int.class, double[].class, int[].class);
        Method probs = c.type().getMethod("probs", int.class, double[].class, double[].class);
        SplittableRandom rnd = new SplittableRandom(5);
        double[] x = Values.vector(4 * 3, rnd, 1.0);
        int[] labels = {3, 0, 2, 1};
        double exact = (double) call(lossAndGradient, c.instance(), 4, x, labels);
        double[] grad = c.gradient().clone();
        double[] p = (double[]) call(probs, c.instance(), 4, x, new double[16]);
        // Longer arrays, with values past row 4 that would poison any read: NaNs and a bad label.
        double[] longX = Arrays.copyOf(x, 9 * 3);
        Arrays.fill(longX, 12, longX.length, Double.NaN);
        int[] longLabels = {3, 0, 2, 1, 99, -1};
        assertEquals(exact, (double) call(lossAndGradient, c.instance(), 4, longX, longLabels), 0.0);
        assertArrayEquals(grad, c.gradient(), 0.0);
        double[] longOut = new double[9 * 4];
        Arrays.fill(longOut, -7);
        call(probs, c.instance(), 4, longX, longOut);
        assertArrayEquals(p, Arrays.copyOf(longOut, 16), 0.0);
        assertEquals(-7, longOut[16], "the output writes only the actual rows");
    }

    @Test
    void sizesAndArraysAreCheckedOnEntry() throws Exception {
        Compiled c = Compiled.compile("v.loss", MLP);
        Method loss = c.type().getMethod("loss", int.class, double[].class, int[].class);
        double[] x = new double[9 * 3];
        int[] labels = new int[9];
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("0", "dim B is 0, outside its range 1..9");
        cases.put("10", "dim B is 10, outside its range 1..9");
        cases.put("-1", "dim B is -1, outside its range 1..9");
        for (Map.Entry<String, String> e : cases.entrySet()) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> call(loss, c.instance(), Integer.parseInt(e.getKey()), x, labels));
            assertEquals(e.getValue(), ex.getMessage());
        }
        IllegalArgumentException shortX = assertThrows(IllegalArgumentException.class, () -> call(loss, c.instance(), 3, new double[8], labels));
        assertEquals("X has length 8 but must have at least B * 3 = 9", shortX.getMessage());
        IllegalArgumentException shortLabels = assertThrows(IllegalArgumentException.class, () -> call(loss, c.instance(), 3, x, new int[2]));
        assertEquals("labels has length 2 but must have at least B = 3", shortLabels.getMessage());
        IllegalArgumentException badLabel = assertThrows(IllegalArgumentException.class, () -> call(loss, c.instance(), 3, x, new int[] {0, 4, 0}));
        assertEquals("labels[1] is 4, outside the valid range 0..3", badLabel.getMessage());
        IllegalArgumentException nullX = assertThrows(IllegalArgumentException.class, () -> call(loss, c.instance(), 3, null, labels));
        assertEquals("X must not be null (expected length B * 3 = 9)", nullX.getMessage());
        Method probs = c.type().getMethod("probs", int.class, double[].class, double[].class);
        IllegalArgumentException shortOut = assertThrows(IllegalArgumentException.class, () -> call(probs, c.instance(), 3, x, new double[11]));
        assertEquals("out has length 11 but must have at least B * 4 = 12", shortOut.getMessage());
    }

    @Test
    void theDriverTakesTheSizeFromTheInputsWhichMustAgree() {
        Compiled c = Compiled.compile("v.loss", MLP);
        Map<String, double[]> v = new LinkedHashMap<>();
        v.put("X", new double[2 * 3]);
        v.put("labels", new double[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.loss(v));
        assertEquals("inputs X and labels disagree on dim B: 2 and 3", e.getMessage());
    }

    /** mean over a varying axis divides by the actual size: the loss of B copies of one row is that row's loss. */
    @Test
    void meanDividesByTheActualSize() {
        Compiled c = Compiled.compile("v.loss", MLP);
        SplittableRandom rnd = new SplittableRandom(11);
        c.setParams(Values.random(c.model(), rnd, 1.0));
        double[] row = Values.vector(3, rnd, 1.0);
        double one = Double.NaN;
        for (int b = 1; b <= 9; b++) {
            Map<String, double[]> v = new LinkedHashMap<>();
            double[] x = new double[b * 3];
            for (int i = 0; i < b; i++) {
                System.arraycopy(row, 0, x, i * 3, 3);
            }
            v.put("X", x);
            double[] labels = new double[b];
            Arrays.fill(labels, 2);
            v.put("labels", labels);
            double loss = c.loss(v);
            if (b == 1) {
                one = loss;
            }
            assertTrue(Values.close(loss, one, 1e-14, 1e-15), "B = " + b + ": " + loss + " vs " + one);
        }
    }
}
