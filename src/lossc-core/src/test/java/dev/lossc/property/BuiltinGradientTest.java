package dev.lossc.property;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.check.Symbol;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every built-in, operator and broadcasting case, differentiated by the compiler, against central
 * finite differences of the generated loss. Shapes and values are drawn from a seeded generator
 * (-Dlossc.seed=N); values are kept away from kinks and outside the domains of log and sqrt.
 */
class BuiltinGradientTest {
    static final long SEED = Long.getLong("lossc.seed", 20261123L);
    static final int ROUNDS = 3;

    /** One case: params a (and b) of the given shapes, an expression, and a check on the values. */
    record Case(String name, String aShape, String bShape, String expr, Predicate<double[][]> valid, String decls) {
        Case(String name, String aShape, String bShape, String expr, Predicate<double[][]> valid) {
            this(name, aShape, bShape, expr, valid, "");
        }
    }

    private static final Predicate<double[][]> ANY = v -> true;

    private static Predicate<double[][]> awayFromZero() {
        return v -> all(v[0], x -> Math.abs(x) > 0.05);
    }

    private static Predicate<double[][]> positive() {
        return v -> all(v[0], x -> x > 0.1);
    }

    private static boolean all(double[] xs, java.util.function.DoublePredicate p) {
        for (double x : xs) {
            if (!p.test(x)) {
                return false;
            }
        }
        return true;
    }

    static List<Case> cases(SplittableRandom rnd) {
        int m = 1 + rnd.nextInt(4);
        int n = 1 + rnd.nextInt(4);
        int k = 1 + rnd.nextInt(4);
        String s = "";
        String v = "[" + n + "]";
        String mat = "[" + m + ", " + n + "]";
        List<Case> cs = new ArrayList<>();
        for (String shape : List.of(s, v, mat)) {
            String tag = shape.isEmpty() ? "scalar" : shape;
            cs.add(new Case("sigmoid " + tag, shape, null, "sigmoid(a)", ANY));
            cs.add(new Case("tanh " + tag, shape, null, "tanh(a)", ANY));
            cs.add(new Case("gelu " + tag, shape, null, "gelu(a)", ANY));
            cs.add(new Case("sin " + tag, shape, null, "sin(a)", ANY));
            cs.add(new Case("cos " + tag, shape, null, "cos(a)", ANY));
            cs.add(new Case("relu " + tag, shape, null, "relu(a)", awayFromZero()));
            cs.add(new Case("softplus " + tag, shape, null, "softplus(a)", ANY));
            cs.add(new Case("exp " + tag, shape, null, "exp(a)", ANY));
            cs.add(new Case("log " + tag, shape, null, "log(a)", positive()));
            cs.add(new Case("sqrt " + tag, shape, null, "sqrt(a)", positive()));
            cs.add(new Case("abs " + tag, shape, null, "abs(a)", awayFromZero()));
            cs.add(new Case("leaky_relu " + tag, shape, null, "leaky_relu(a)", awayFromZero()));
            cs.add(new Case("leaky_relu alpha " + tag, shape, null, "leaky_relu(a, 0.3)", awayFromZero()));
            cs.add(new Case("leaky_relu named alpha " + tag, shape, null, "leaky_relu(a, alpha = 0.3)", awayFromZero()));
            cs.add(new Case("elu " + tag, shape, null, "elu(a)", awayFromZero()));
            cs.add(new Case("elu alpha " + tag, shape, null, "elu(a, alpha = 0.4)", awayFromZero()));
            cs.add(new Case("neg " + tag, shape, null, "-a", ANY));
            cs.add(new Case("pow 2 " + tag, shape, null, "a ^ 2", ANY));
            cs.add(new Case("pow 3 " + tag, shape, null, "a ^ 3", ANY));
            cs.add(new Case("pow -1 " + tag, shape, null, "a ^ -1", awayFromZero()));
            cs.add(new Case("pow 0.5 " + tag, shape, null, "a ^ 0.5", positive()));
            cs.add(new Case("pow -1.5 " + tag, shape, null, "a ^ -1.5", positive()));
            cs.add(new Case("sum " + tag, shape, null, "sum(a)", ANY));
            cs.add(new Case("mean " + tag, shape, null, "mean(a)", ANY));
            cs.add(new Case("l2 " + tag, shape, null, "l2(a)", ANY));
            cs.add(new Case("l1 " + tag, shape, null, "l1(a)", awayFromZero()));
            cs.add(new Case("mse " + tag, shape, shape, "mse(a, b)", ANY));
            cs.add(new Case("bce_logits " + tag, shape, shape, "bce_logits(a, sigmoid(b))", ANY));
        }
        // Elementwise binary operators and max/min with every broadcasting case.
        // Version 2 adds NumPy's size-1 axes: a column [m, 1], a row [1, n], a one-element vector [1].
        String col = "[" + m + ", 1]";
        String row = "[1, " + n + "]";
        String[][] pairs = {{s, s}, {v, v}, {mat, mat}, {v, s}, {s, v}, {mat, s}, {s, mat}, {v, mat}, {mat, v},
            {col, row}, {row, col}, {col, mat}, {mat, col}, {row, mat}, {mat, row}, {col, v}, {v, col}, {"[1]", v}, {mat, "[1]"}};
        for (String[] p : pairs) {
            String tag = (p[0].isEmpty() ? "scalar" : p[0]) + " with " + (p[1].isEmpty() ? "scalar" : p[1]);
            cs.add(new Case("+ " + tag, p[0], p[1], "a + b", ANY));
            cs.add(new Case("- " + tag, p[0], p[1], "a - b", ANY));
            cs.add(new Case("* " + tag, p[0], p[1], "a * b", ANY));
            cs.add(new Case("/ " + tag, p[0], p[1], "a / b", v2 -> all(v2[1], x -> Math.abs(x) > 0.2)));
            cs.add(new Case("max " + tag, p[0], p[1], "max(a, b)", BuiltinGradientTest::noTies));
            cs.add(new Case("min " + tag, p[0], p[1], "min(a, b)", BuiltinGradientTest::noTies));
        }
        cs.add(new Case("@ matrix-vector", mat, v, "a @ b", ANY));
        cs.add(new Case("@ vector-matrix", "[" + m + "]", mat, "a @ b", ANY));
        cs.add(new Case("@ matrix-matrix", mat, "[" + n + ", " + k + "]", "a @ b", ANY));
        // Rows of 16 or more: the products run on row arrays (forward, and both adjoint forms).
        cs.add(new Case("@ matrix-matrix on rows", "[3, 16]", "[16, 17]", "tanh(a @ b)", ANY));
        cs.add(new Case("@ products accumulating on rows", "[3, 16]", "[16, 16]", "tanh(a @ b) + a @ tanh(b)", ANY));
        cs.add(new Case("@ vector-vector", v, v, "a @ b", ANY));
        // Transposes folded into the products (version 3): each form, small and on row arrays.
        cs.add(new Case("@ transposed right operand", mat, "[" + k + ", " + n + "]", "a @ transpose(b)", ANY));
        cs.add(new Case("@ transposed left operand", mat, "[" + m + ", " + k + "]", "transpose(a) @ b", ANY));
        cs.add(new Case("@ both transposed", mat, "[" + k + ", " + m + "]", "transpose(a) @ transpose(b)", ANY));
        cs.add(new Case("@ transposed matrix-vector", mat, "[" + m + "]", "transpose(a) @ b", ANY));
        cs.add(new Case("@ vector-transposed matrix", mat, v, "b @ transpose(a)", ANY));
        cs.add(new Case("@ transposed right operand on rows", "[3, 16]", "[17, 16]", "tanh(a @ transpose(b))", ANY));
        cs.add(new Case("@ transposed left operand on rows", "[16, 3]", "[16, 17]", "tanh(transpose(a) @ b)", ANY));
        cs.add(new Case("@ transpose also read elsewhere", "[3, 16]", "[17, 16]", "tanh(a @ transpose(b)) + sum(transpose(b) * 0.5)", ANY));
        cs.add(new Case("dot", v, v, "dot(a, b)", ANY));
        cs.add(new Case("outer", "[" + m + "]", v, "outer(a, b)", ANY));
        cs.add(new Case("transpose", mat, null, "transpose(a)", ANY));
        cs.add(new Case("sum axis 0", mat, null, "sum(a, 0)", ANY));
        cs.add(new Case("cumsum vector", v, null, "cumsum(a, 0)", ANY));
        cs.add(new Case("cumsum axis 0", mat, null, "cumsum(a, 0)", ANY));
        cs.add(new Case("cumsum axis 1", mat, null, "cumsum(a, axis = 1)", ANY));
        cs.add(new Case("cumsum twice", mat, null, "cumsum(cumsum(a, 1) ^ 2, 0)", ANY));
        cs.add(new Case("sum axis 1", mat, null, "sum(a, 1)", ANY));
        cs.add(new Case("mean axis 0", mat, null, "mean(a, 0)", ANY));
        cs.add(new Case("mean axis 1", mat, null, "mean(a, 1)", ANY));
        for (String shape : List.of(v, mat)) {
            cs.add(new Case("softmax " + shape, shape, null, "softmax(a)", ANY));
            cs.add(new Case("log_softmax " + shape, shape, null, "log_softmax(a)", ANY));
            cs.add(new Case("logsumexp " + shape, shape, null, "logsumexp(a)", ANY));
            cs.add(new Case("cross_entropy " + shape, shape, shape, "cross_entropy(a, softmax(b))", ANY));
        }
        // Slices and concatenation (version 2): ranges drawn inside the shapes.
        int lo = rnd.nextInt(n);
        int hi = lo + 1 + rnd.nextInt(n - lo);
        int top = rnd.nextInt(m);
        int bottom = top + 1 + rnd.nextInt(m - top);
        String cols = lo + ".." + hi;
        String rows = top + ".." + bottom;
        cs.add(new Case("slice vector " + cols, v, null, "a[" + cols + "] * 2", ANY));
        cs.add(new Case("slice rows " + rows, mat, null, "tanh(a[" + rows + "])", ANY));
        cs.add(new Case("slice column", mat, null, "a[.., " + lo + "] ^ 2", ANY));
        cs.add(new Case("slice part of a row", mat, null, "a[" + top + ", " + cols + "] * 3", ANY));
        cs.add(new Case("slice part of a column", mat, null, "a[" + rows + ", " + lo + "] ^ 2", ANY));
        cs.add(new Case("slice block", mat, null, "sigmoid(a[" + rows + ", " + cols + "])", ANY));
        cs.add(new Case("slice whole", mat, null, "a[.., ..] * a", ANY));
        cs.add(new Case("overlapping slices", mat, null, "a[.., " + cols + "] * a[.., " + (n - (hi - lo)) + ".." + n + "]", ANY));
        cs.add(new Case("concat vectors", "[" + m + "]", v, "tanh(concat(a, b))", ANY));
        cs.add(new Case("concat rows", mat, "[" + k + ", " + n + "]", "tanh(concat(a, b, 0))", ANY));
        cs.add(new Case("concat columns", mat, "[" + m + ", " + k + "]", "tanh(concat(a, b, 1))", ANY));
        cs.add(new Case("concat with itself", v, null, "concat(a, a ^ 2)", ANY));
        cs.add(new Case("row", v, null, "row(a) * column(a)", ANY));
        cs.add(new Case("centred rows", mat, null, "(a - column(mean(a, 1))) ^ 2", ANY));
        cs.add(new Case("rows scaled by their norm", mat, null, "a / column(sqrt(sum(a ^ 2, 1) + 1))", ANY));
        cs.add(new Case("index vector", v, null, "a[" + (n - 1) + "]", ANY));
        cs.add(new Case("index row", mat, null, "a[" + (m - 1) + "]", ANY));
        cs.add(new Case("index element", mat, null, "a[" + (m - 1) + ", " + (n - 1) + "]", ANY));
        // Version 2 operators. Values are drawn without ties for max/min and away from clamp's bounds
        // (the corners are tested exactly in V2OperatorsTest and against PyTorch).
        for (String[] p : pairs) {
            String tag = (p[0].isEmpty() ? "scalar" : p[0]) + " with " + (p[1].isEmpty() ? "scalar" : p[1]);
            cs.add(new Case("comparison mask " + tag, p[0], p[1], "(a < b) * a + (a >= b) * b * 2 + (a != b) - (a == b)", BuiltinGradientTest::noTies));
            cs.add(new Case("where " + tag, p[0], p[1], "where(a > 0, a * b, b - a)", v2 -> all(v2[0], x -> Math.abs(x) > 0.05)));
            cs.add(new Case("clamp by " + tag, p[0], p[1], "clamp(a, b - 0.5, b + 0.5)",
                    v2 -> all(v2[0], x -> all(v2[1], y -> Math.abs(Math.abs(x - y) - 0.5) > 0.05))));
        }
        for (String shape : List.of(s, v, mat)) {
            String tag = shape.isEmpty() ? "scalar" : shape;
            cs.add(new Case("max of all " + tag, shape, null, "max(a) * 3", BuiltinGradientTest::distinct));
            cs.add(new Case("min of all " + tag, shape, null, "min(a) * 3", BuiltinGradientTest::distinct));
            cs.add(new Case("norm " + tag, shape, null, "norm(a)", awayFromZero()));
            cs.add(new Case("clamp constant bounds " + tag, shape, null, "clamp(a, -0.5, 0.5)", v2 -> all(v2[0], x -> Math.abs(Math.abs(x) - 0.5) > 0.05)));
        }
        cs.add(new Case("amax axis 0", mat, null, "amax(a, 0)", BuiltinGradientTest::distinct));
        cs.add(new Case("amax axis 1", mat, null, "amax(a, 1)", BuiltinGradientTest::distinct));
        cs.add(new Case("amin axis 0", mat, null, "amin(a, 0)", BuiltinGradientTest::distinct));
        cs.add(new Case("amin axis 1", mat, null, "amin(a, 1)", BuiltinGradientTest::distinct));
        cs.add(new Case("softmax axis 0", mat, null, "softmax(a, 0)", ANY));
        cs.add(new Case("softmax axis 1", mat, null, "softmax(a, 1)", ANY));
        cs.add(new Case("log_softmax axis 0", mat, null, "log_softmax(a, 0)", ANY));
        cs.add(new Case("logsumexp axis 0", mat, null, "logsumexp(a, 0)", ANY));
        cs.add(new Case("logsumexp axis 1", mat, null, "logsumexp(a, 1)", ANY));
        // Integer data (version 2): lookups, gathers with repeated indices (more indices than rows),
        // and cross_entropy with class indices.
        String tok = "input tok: int;\n";
        String toks = "input toks[" + (2 * m + 1) + "]: int;\n";
        String toksV = "input toks[" + (2 * n + 1) + "]: int;\n";
        cs.add(new Case("lookup row E[tok]", mat, null, "a[tok] * 1.5", ANY, tok));
        cs.add(new Case("lookup element v[tok]", v, null, "a[tok] * a[tok]", ANY, tok));
        cs.add(new Case("lookup element A[i, tok]", mat, null, "a[" + (m - 1) + ", tok]", ANY, tok));
        cs.add(new Case("gather rows E[toks], repeated", mat, null, "tanh(a[toks])", ANY, toks));
        cs.add(new Case("gather elements v[toks], repeated", v, null, "a[toks] ^ 2", ANY, toksV));
        cs.add(new Case("cross_entropy vector with an int label", v, null, "cross_entropy(a, tok)", ANY, tok));
        cs.add(new Case("cross_entropy matrix with int labels", mat, null, "cross_entropy(a, labels)", ANY,
                "input labels[" + m + "]: int;\n"));
        return cs;
    }

    /** No two elements of a within 0.05 of each other: a max/min reduction has one winner. */
    private static boolean distinct(double[][] v) {
        for (int i = 0; i < v[0].length; i++) {
            for (int j = i + 1; j < v[0].length; j++) {
                if (Math.abs(v[0][i] - v[0][j]) < 0.05) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean noTies(double[][] v) {
        // Any pairing the broadcast could make: compare every a with every b.
        for (double x : v[0]) {
            for (double y : v[1]) {
                if (Math.abs(x - y) < 0.05) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String source(Case c, String outShape) {
        StringBuilder src = new StringBuilder();
        src.append("param a").append(c.aShape()).append(";\n");
        if (c.bShape() != null) {
            src.append("param b").append(c.bShape()).append(";\n");
        }
        src.append(c.decls());
        src.append("input w").append(outShape).append(";\n");
        src.append("let y = ").append(c.expr()).append(";\n");
        src.append("loss sum(y * w);\n");
        return src.toString();
    }

    @TestFactory
    Stream<DynamicTest> gradientsMatchCentralDifferences() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            long seed = SEED + round;
            SplittableRandom rnd = new SplittableRandom(seed);
            List<Case> cases = cases(rnd);
            List<LossCompiler.Result> results = new ArrayList<>();
            List<String> sources = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                // Find the result shape by checking a probe program with a scalar weight.
                String probe = source(c, "").replace("loss sum(y * w);", "loss sum(y) * w;");
                LossCompiler.Result pr = LossCompiler.compile("probe.loss", probe, LossCompiler.Options.DEFAULT);
                String shape = outShape(pr);
                String src = "model Case" + i + ";\n" + source(c, shape);
                sources.add(src);
                results.add(LossCompiler.compile("case" + i + ".loss", src, LossCompiler.Options.DEFAULT));
            }
            List<Compiled> compiled = Compiled.compileAll(results);
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                Compiled cc = compiled.get(i);
                String src = sources.get(i);
                long caseSeed = seed * 1000 + i;
                tests.add(DynamicTest.dynamicTest(c.name() + " (seed " + caseSeed + ")", () -> check(cc, c, src, caseSeed)));
            }
        }
        return tests.stream();
    }

    private static String outShape(LossCompiler.Result probe) {
        if (!probe.ok()) {
            throw new AssertionError(probe.render());
        }
        // The let y is the only let: read its shape off the checked program.
        var stmt = probe.checked().orElseThrow().statements().get(0);
        var shape = ((dev.lossc.check.Typed.Let) stmt).symbol().shape();
        return shape.isScalar() ? "" : shape.isVector() ? "[" + shape.cols() + "]" : "[" + shape.rows() + ", " + shape.cols() + "]";
    }

    private static void check(Compiled c, Case kase, String src, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, double[]> values;
        int attempts = 0;
        do {
            values = Values.random(c.model(), rnd, 1.0);
            if (++attempts > 10_000) {
                throw new AssertionError("could not draw valid values for " + kase.name());
            }
        } while (!kase.valid().test(new double[][] {values.get("a"), values.getOrDefault("b", new double[0])}));
        c.setParams(values);
        double loss = c.lossAndGradient(values);
        assertTrue(Double.isFinite(loss), "loss " + loss);
        double[] grad = c.gradient().clone();
        double[] p = c.parameters();
        for (int i = 0; i < p.length; i++) {
            double x = p[i];
            double h = 1e-6 * Math.max(1, Math.abs(x));
            p[i] = x + h;
            double up = c.loss(values);
            p[i] = x - h;
            double down = c.loss(values);
            p[i] = x;
            double fd = (up - down) / (2 * h);
            assertTrue(Values.close(grad[i], fd, 1e-5, 1e-6), kase.name() + ": d/d param[" + i + "] = " + grad[i]
                    + " but central difference gives " + fd + "\n" + src + "values " + describe(values, c.model().params()));
        }
    }

    private static String describe(Map<String, double[]> values, List<Symbol.Param> params) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, java.util.Arrays.toString(v)));
        return out.toString();
    }
}
