package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Compiled;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/language.md, statement by statement: what each construct means, checked on computed values. */
class LanguageTest {
    private static double lossOf(String source, Map<String, double[]> values) {
        Compiled c = Compiled.compile("t.loss", source);
        c.setParams(values);
        return c.loss(values);
    }

    private static double lossOf(String source) {
        return lossOf(source, Map.of());
    }


    // -- 1. Lexical structure

    @Test
    void commentsAreIgnored() {
        assertEquals(3.0, lossOf("// line comment\n/* block\n comment */ loss /* inline */ 3; // trailing\n"));
    }

    @Test
    void numberForms() {
        assertEquals(12 + 0.5 + .5 + 1e-3 + 2.5E+4, lossOf("loss 12 + 0.5 + .5 + 1e-3 + 2.5E+4;\n"));
    }

    @Test
    void javaKeywordsAreValidNames() {
        String src = "model class;\ndim int = 2;\nconst new = 3;\ninput double[int];\nparam public[int];\nparam static;\n"
                + "def void(this) = this * new;\nlet return_ = void(public) + double;\nvar while = static;\n"
                + "for if in 0..int {\n  while = while + sum(return_);\n}\nloss while;\n";
        Compiled c = Compiled.compile("kw.loss", src);
        assertEquals("class_", c.type().getSimpleName());
        c.setParams(Map.of("public", new double[] {1, 2}, "static", new double[] {0.5}));
        // return_ = 3 * public + double = [3 + 10, 6 + 20]; while = 0.5 + 2 * 39
        assertEquals(0.5 + 2 * 39, c.lossAndGradient(Map.of("double", new double[] {10, 20})));
        assertArrayEquals(new double[] {6, 6, 1}, c.gradient());
    }

    @Test
    void namesAreCaseSensitive() {
        assertEquals(5.0, lossOf("input a;\ninput A;\nloss a + A;\n", Map.of("a", new double[] {2}, "A", new double[] {3})));
    }

    // -- 2. Statements

    @Test
    void modelNamesTheClassAndDefaultsToTheFileName() {
        LossCompiler.Result named = LossCompiler.compile("x.loss", "model Foo;\nloss 1;\n", LossCompiler.Options.DEFAULT);
        assertEquals("Foo", named.output().orElseThrow().className());
        for (String[] f : new String[][] {{"two_layer.loss", "TwoLayer"}, {"dir/my-net.v2.loss", "MyNetV2"}, {"2x2.loss", "Model2x2"}}) {
            assertEquals(f[1], LossCompiler.compile(f[0], "loss 1;\n", LossCompiler.Options.DEFAULT).output().orElseThrow().className());
        }
    }

    @Test
    void dimsAndConstsAreScalarConstants() throws Exception {
        Compiled c = Compiled.compile("t.loss", "dim N = 4, M = 2;\nconst lambda = 0.5 * N + M;\nloss lambda * N;\n");
        assertEquals(16.0, c.loss(Map.of()));
        assertEquals(4, c.type().getField("N").getInt(null));
        assertEquals(2, c.type().getField("M").getInt(null));
    }

    @Test
    void inputsArePassedInDeclarationOrderAndMatricesRowMajor() {
        String src = "input s;\ninput v[3];\ninput m[2, 3];\nloss s * 100 + v[2] * 10 + m[1, 0];\n";
        assertEquals(2 * 100 + 7 * 10 + 4, lossOf(src, Map.of("s", new double[] {2}, "v", new double[] {5, 6, 7}, "m", new double[] {1, 2, 3, 4, 5, 6})));
    }

    @Test
    void paramsAreLaidOutFlatInDeclarationOrder() throws Exception {
        Compiled c = Compiled.compile("t.loss", "param a[2, 3];\nparam b;\nparam c[2];\nloss sum(a) + 2 * b + 3 * sum(c);\n");
        assertEquals(0, c.type().getField("a_OFFSET").getInt(null));
        assertEquals(6, c.type().getField("b_OFFSET").getInt(null));
        assertEquals(7, c.type().getField("c_OFFSET").getInt(null));
        assertEquals(9, c.type().getField("PARAMETER_COUNT").getInt(null));
        c.lossAndGradient(Map.of());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 2, 3, 3}, c.gradient());
    }

    @Test
    void letBindsOnceAndVarCanBeReassigned() {
        String src = "input x;\nlet a = x * 2;\nvar h = a;\nh = h + a;\nh = h * h;\nloss h;\n";
        assertEquals(36.0, lossOf(src, Map.of("x", new double[] {1.5})));
    }

    @Test
    void forRunsFromLowerBoundToUpperBoundMinusOne() {
        String src = "dim T = 5;\nvar s = 0;\nfor t in 0..T {\n  s = s + t;\n}\nvar p = 0;\nfor t in 2..4 {\n  p = p * 10 + t;\n}\nloss s * 100 + p;\n";
        assertEquals(10 * 100 + 23, lossOf(src));
    }

    @Test
    void nestedLoopsWithLetsScopedToTheirBodies() {
        String src = "input m[3, 2];\nvar s = 0;\nfor i in 0..3 {\n  let row = m[i];\n  for j in 0..2 {\n    let e = row[j];\n    s = s + e * (i + 1);\n  }\n}\n"
                + "for i in 0..1 {\n  let row = m[2];\n  s = s + row[1] * 1000;\n}\nloss s;\n";
        assertEquals((1 + 2) * 1 + (3 + 4) * 2 + (5 + 6) * 3 + 6000, lossOf(src, Map.of("m", new double[] {1, 2, 3, 4, 5, 6})));
    }

    @Test
    void defsAreInlinedWithShapesInferredPerCall() {
        String src = "def sq(x) = x * x;\ndef norm2(v) {\n  let s = sq(v);\n  return sum(s);\n}\ninput a[3];\ninput b;\nloss norm2(a) + sq(b);\n";
        assertEquals(1 + 4 + 9 + 16, lossOf(src, Map.of("a", new double[] {1, 2, 3}, "b", new double[] {4})));
    }

    @Test
    void defBodiesSeeNamesDeclaredBeforeThem() {
        String src = "const k = 10;\ninput x;\ndef f(a) = a * k + x;\nloss f(2);\n";
        assertEquals(23.0, lossOf(src, Map.of("x", new double[] {3})));
    }

    @Test
    void defParametersShadowOuterNames() {
        assertEquals(14.0, lossOf("input x;\ndef f(x) = x * 2;\nloss f(7);\n", Map.of("x", new double[] {100})));
    }

    @Test
    void lossIsTheLastStatement() {
        assertFalse(LossCompiler.compile("t.loss", "loss 1;\nloss 2;\n", LossCompiler.Options.DEFAULT).ok());
    }

    // -- 4. Expressions and precedence

    @Test
    void unaryMinusBindsLooserThanPower() {
        assertEquals(-9.0, lossOf("input x;\nloss -x ^ 2;\n", Map.of("x", new double[] {3})));
        assertEquals(9.0, lossOf("input x;\nloss (-x) ^ 2;\n", Map.of("x", new double[] {3})));
    }

    @Test
    void powerIsRightAssociativeAndMayHaveANegativeExponent() {
        assertEquals(512.0, lossOf("loss 2 ^ 3 ^ 2;\n"));
        assertEquals(0.25, lossOf("input q;\nloss q ^ -1;\n", Map.of("q", new double[] {4})));
        assertEquals(0.5, lossOf("input q;\nloss q ^ -0.5;\n", Map.of("q", new double[] {4})));
    }

    @Test
    void leftAssociativityAndPrecedence() {
        assertEquals(1.0, lossOf("loss 8 - 4 - 3;\n"));
        assertEquals(1.0, lossOf("loss 8 / 4 / 2;\n"));
        assertEquals(14.0, lossOf("loss 2 + 3 * 4;\n"));
        // '*' and '@' share a level, left to right: (2 * A) @ v
        assertEquals(2 * (1 * 1 + 2 * 1), lossOf("input A[1, 2];\ninput v[2];\nloss sum(2 * A @ v);\n",
                Map.of("A", new double[] {1, 2}, "v", new double[] {1, 1})));
    }

    @Test
    void indexing() {
        Map<String, double[]> v = Map.of("v", new double[] {1, 2, 3}, "A", new double[] {1, 2, 3, 4, 5, 6});
        assertEquals(3.0, lossOf("input v[3];\ninput A[2, 3];\nloss v[2];\n", v));
        assertEquals(15.0, lossOf("input v[3];\ninput A[2, 3];\nloss sum(A[1]);\n", v));
        assertEquals(6.0, lossOf("input v[3];\ninput A[2, 3];\nloss A[1, 2];\n", v));
        assertEquals(6.0, lossOf("dim N = 3;\ninput v[N];\ninput A[2, N];\nloss A[1][N - 1];\n", v));
        assertEquals(2 + 3, lossOf("dim N = 3;\ninput v[N];\ninput A[2, N];\nvar s = 0;\nfor t in 1..N {\n  s = s + v[t - 1] * 0 + v[t];\n}\nloss s;\n", v));
    }

    // -- 4. Broadcasting and products

    @Test
    void broadcasting() {
        Map<String, double[]> v = Map.of("m", new double[] {1, 2, 3, 4}, "r", new double[] {10, 20}, "s", new double[] {100});
        // vector [n] with matrix [m, n]: the vector is repeated for every row
        assertEquals(1 + 10 + 2 + 20 + 3 + 10 + 4 + 20, lossOf("input m[2, 2];\ninput r[2];\ninput s;\nloss sum(m + r);\n", v));
        assertEquals(1 * 10 + 2 * 20 + 3 * 10 + 4 * 20, lossOf("input m[2, 2];\ninput r[2];\ninput s;\nloss sum(r * m);\n", v));
        assertEquals(4 * 100 - 10, lossOf("input m[2, 2];\ninput r[2];\ninput s;\nloss sum(s - m);\n", v));
    }

    @Test
    void matrixProducts() {
        Map<String, double[]> v = Map.of("A", new double[] {1, 2, 3, 4, 5, 6}, "x", new double[] {1, 1, 1}, "y", new double[] {1, 2});
        assertEquals(6 + 15, lossOf("input A[2, 3];\ninput x[3];\ninput y[2];\nloss sum(A @ x);\n", v));
        assertEquals((1 + 8) + (2 + 10) + (3 + 12), lossOf("input A[2, 3];\ninput x[3];\ninput y[2];\nloss sum(y @ A);\n", v));
        assertEquals(3.0, lossOf("input A[2, 3];\ninput x[3];\ninput y[2];\nloss x @ x;\n", v));
        // A @ transpose(A) = [[14, 32], [32, 77]]
        assertEquals(14 + 32 + 32 + 77, lossOf("input A[2, 3];\ninput x[3];\ninput y[2];\nloss sum(A @ transpose(A));\n", v));
        assertEquals((1 + 2) * 3, lossOf("input A[2, 3];\ninput x[3];\ninput y[2];\nloss sum(outer(y, x));\n", v));
    }

    // -- 5. Built-in values, against their definitions

    @Test
    void builtinValues() {
        Map<String, double[]> v = Map.of("z", new double[] {0.5, -1, 2}, "t", new double[] {0.2, 0.3, 0.5});
        String decl = "input z[3];\ninput t[3];\n";
        double[] z = v.get("z");
        double[] t = v.get("t");
        double lse = Math.log(Math.exp(0.5) + Math.exp(-1) + Math.exp(2));
        assertEquals(lse, lossOf(decl + "loss logsumexp(z);\n", v), 1e-15);
        assertEquals(Math.exp(2 - lse), lossOf(decl + "loss softmax(z)[2];\n", v), 1e-15);
        assertEquals(-1 - lse, lossOf(decl + "loss log_softmax(z)[1];\n", v), 1e-15);
        double ce = 0;
        double bce = 0;
        double mse = 0;
        for (int i = 0; i < 3; i++) {
            ce -= t[i] * (z[i] - lse);
            bce += Math.log1p(Math.exp(z[i])) - t[i] * z[i];
            mse += (z[i] - t[i]) * (z[i] - t[i]);
        }
        assertEquals(ce, lossOf(decl + "loss cross_entropy(z, t);\n", v), 1e-14);
        assertEquals(bce / 3, lossOf(decl + "loss bce_logits(z, t);\n", v), 1e-14);
        assertEquals(mse / 3, lossOf(decl + "loss mse(z, t);\n", v), 1e-15);
        assertEquals(0.25 + 1 + 4, lossOf(decl + "loss l2(z);\n", v), 1e-15);
        assertEquals(3.5, lossOf(decl + "loss l1(z);\n", v), 1e-15);
        assertEquals(0.5 - 0.01 + 2, lossOf(decl + "loss sum(leaky_relu(z));\n", v), 1e-15);
        assertEquals(0.5 + 2, lossOf(decl + "loss sum(relu(z));\n", v), 1e-15);
        assertEquals(1.5 / 3, lossOf(decl + "loss mean(z);\n", v), 1e-15);
        assertEquals(0.3 + 1.3 + 1.5, lossOf(decl + "loss sum(max(z, t)) - sum(min(z, t));\n", v), 1e-15);
    }

    /** Version 3, named arguments: a constant attribute by name means what it means by position. */
    @Test
    void namedArgumentsNameConstantAttributes() {
        Map<String, double[]> v = Map.of("m", new double[] {1, -2, 3, -4, 5, 6});
        String decl = "input m[2, 3];\n";
        assertEquals(1 - 0.4 + 3 - 0.8 + 5 + 6, lossOf(decl + "loss sum(leaky_relu(m, alpha = 0.2));\n", v), 1e-15);
        assertEquals(lossOf(decl + "loss sum(leaky_relu(m, 0.2));\n", v), lossOf(decl + "loss sum(leaky_relu(m, alpha = 0.2));\n", v));
        assertEquals((-2 + 5) * 10 + (-4 + 5 + 6), lossOf(decl + "loss sum(m, axis = 0)[1] * 10 + sum(m, axis = 1)[1];\n", v), 1e-15);
        assertEquals((-4 + 5 + 6) / 3.0, lossOf(decl + "loss mean(m, axis = 1)[1];\n", v), 1e-15);
        assertEquals(6.0, lossOf(decl + "loss amax(m, axis = 1)[1];\n", v));
        assertEquals(lossOf(decl + "loss sum(softmax(m, 0) * m);\n", v), lossOf(decl + "loss sum(softmax(m, axis = 0) * m);\n", v));
    }

    /** Version 3: elu (PyTorch's, with expm1) and cumsum along each axis. */
    @Test
    void eluAndCumsum() {
        Map<String, double[]> v = Map.of("m", new double[] {1, -2, 3, -4, 5, 6});
        String decl = "input m[2, 3];\n";
        assertEquals(1 + Math.expm1(-2) + 3 + Math.expm1(-4) + 5 + 6, lossOf(decl + "loss sum(elu(m));\n", v), 1e-15);
        assertEquals(0.5 * Math.expm1(-2), lossOf(decl + "loss elu(m, alpha = 0.5)[0, 1];\n", v), 1e-17);
        // Along each row: [1, -1, 2], [-4, 1, 7]; down each column: [1, -2, 3], [-3, 3, 9].
        assertEquals(1 - 1 + 2 - 4 + 1 + 7, lossOf(decl + "loss sum(cumsum(m, 1));\n", v));
        assertEquals(1 - 2 + 3 - 3 + 3 + 9, lossOf(decl + "loss sum(cumsum(m, axis = 0));\n", v));
        assertEquals(2.0, lossOf(decl + "loss cumsum(m[0], 0)[2];\n", v));
    }

    @Test
    void matrixReductionsAndRowwiseFunctions() {
        Map<String, double[]> v = Map.of("m", new double[] {1, 2, 3, 4, 5, 6});
        String decl = "input m[2, 3];\n";
        assertEquals(5 + 7 + 9, lossOf(decl + "loss sum(sum(m, 0));\n", v));
        assertEquals(7.0, lossOf(decl + "loss sum(m, 0)[1];\n", v));
        assertEquals(15.0, lossOf(decl + "loss sum(m, 1)[1];\n", v));
        assertEquals(2.5, lossOf(decl + "loss mean(m, 0)[0];\n", v));
        assertEquals(5.0, lossOf(decl + "loss mean(m, 1)[1];\n", v));
        assertEquals(2.0, lossOf(decl + "loss sum(softmax(m));\n", v), 1e-15);
        double lse = Math.log(Math.exp(4) + Math.exp(5) + Math.exp(6));
        assertEquals(lse, lossOf(decl + "loss logsumexp(m)[1];\n", v), 1e-14);
        // cross_entropy on matrices is the mean of the row values
        double ce0 = -(Math.log(Math.exp(1) / (Math.exp(1) + Math.exp(2) + Math.exp(3))));
        double ce1 = -(Math.log(Math.exp(6) / (Math.exp(4) + Math.exp(5) + Math.exp(6))));
        assertEquals((ce0 + ce1) / 2, lossOf(decl + "input t[2, 3];\nloss cross_entropy(m, t);\n",
                Map.of("m", v.get("m"), "t", new double[] {1, 0, 0, 0, 0, 1})), 1e-14);
    }

    // -- 7. Initializers

    @Test
    void initializers() throws Exception {
        Compiled c = Compiled.compile("t.loss", "param z[50] init zeros;\nparam o[50] init ones;\nparam u[1000] init uniform(-2, 3);\n"
                + "param n[4000] init normal(1, 2);\nparam x[40, 60] init xavier;\nparam h[40, 60] init he;\nparam dm[40, 60];\nparam dv[7];\nloss 1;\n");
        c.type().getMethod("initParameters", long.class).invoke(c.instance(), 42L);
        double[] p = c.parameters().clone();
        int o = 0;
        for (int i = 0; i < 50; i++) {
            assertEquals(0.0, p[o++]);
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(1.0, p[o++]);
        }
        double[] stats = stats(p, o, 1000);
        assertTrue(stats[2] >= -2 && stats[3] < 3 && Math.abs(stats[0] - 0.5) < 0.2, "uniform " + java.util.Arrays.toString(stats));
        o += 1000;
        stats = stats(p, o, 4000);
        assertTrue(Math.abs(stats[0] - 1) < 0.15 && Math.abs(stats[1] - 2) < 0.15, "normal " + java.util.Arrays.toString(stats));
        o += 4000;
        double bound = Math.sqrt(6.0 / (60 + 40));
        stats = stats(p, o, 2400);
        assertTrue(stats[2] >= -bound && stats[3] <= bound && stats[3] > 0.9 * bound, "xavier " + java.util.Arrays.toString(stats));
        o += 2400;
        stats = stats(p, o, 2400);
        assertTrue(Math.abs(stats[1] - Math.sqrt(2.0 / 60)) < 0.01 && Math.abs(stats[0]) < 0.01, "he " + java.util.Arrays.toString(stats));
        o += 2400;
        stats = stats(p, o, 2400);
        assertTrue(stats[2] >= -bound && stats[3] <= bound && stats[1] > 0.1, "default for matrices is xavier " + java.util.Arrays.toString(stats));
        o += 2400;
        for (int i = 0; i < 7; i++) {
            assertEquals(0.0, p[o++], "default for vectors is zeros");
        }
        // Reproducible for a seed, different for another seed.
        c.type().getMethod("initParameters", long.class).invoke(c.instance(), 42L);
        assertArrayEquals(p, c.parameters());
        c.type().getMethod("initParameters", long.class).invoke(c.instance(), 43L);
        assertFalse(java.util.Arrays.equals(p, c.parameters()));
    }

    /** mean, standard deviation, min, max of p[from, from + n). */
    private static double[] stats(double[] p, int from, int n) {
        double sum = 0;
        double sq = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + n; i++) {
            sum += p[i];
            sq += p[i] * p[i];
            min = Math.min(min, p[i]);
            max = Math.max(max, p[i]);
        }
        double mean = sum / n;
        return new double[] {mean, Math.sqrt(sq / n - mean * mean), min, max};
    }

    // -- 8. The generated class

    @Test
    void generatedClassContract() throws Exception {
        LossCompiler.Result r = LossCompiler.compile("t.loss", "dim N = 3;\ninput x[N];\ninput M[2, N];\nparam w[N];\nloss sum(M @ (w * x));\n",
                new LossCompiler.Options("com.example.nets"));
        String src = r.output().orElseThrow().source();
        assertTrue(src.startsWith("// Generated by lossc from t.loss. Do not edit.\npackage com.example.nets;\n"), src);
        for (String line : src.split("\n")) {
            if (line.startsWith("import ")) {
                assertTrue(line.startsWith("import java."), line);
            }
        }
        assertTrue(src.contains("used by one thread at a time"));
        Compiled c = Compiled.compileAll(java.util.List.of(r)).get(0);
        assertTrue(Modifier.isPublic(c.type().getModifiers()) && Modifier.isFinal(c.type().getModifiers()));
        assertEquals("com.example.nets.T", c.type().getName());
        for (Field f : c.type().getDeclaredFields()) {
            if (Modifier.isPublic(f.getModifiers())) {
                assertTrue(Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers()), f.getName());
            }
        }
        var method = c.type().getMethod("lossAndGradient", double[].class, double[].class);
        InvocationTargetException e = assertThrows(InvocationTargetException.class,
                () -> method.invoke(c.instance(), new double[2], new double[6]));
        assertEquals(IllegalArgumentException.class, e.getCause().getClass());
        assertEquals("x has length 2 but must have length 3", e.getCause().getMessage());
        e = assertThrows(InvocationTargetException.class, () -> method.invoke(c.instance(), new double[3], null));
        assertEquals("M must not be null (expected length 6)", e.getCause().getMessage());
    }

    @Test
    void generatedCodeCitesItsSourceLines() {
        String src = LossCompiler.compile("t.loss", "param w[2];\nlet h = tanh(w);\nloss sum(h * h);\n", LossCompiler.Options.DEFAULT)
                .output().orElseThrow().source();
        assertTrue(src.contains("// line 2: let h = tanh(w);"), src);
        assertTrue(src.contains("// line 3: loss sum(h * h);"), src);
        assertTrue(src.contains("// d h from tmp1 = mul: da += dy * b"), src);
    }

}
