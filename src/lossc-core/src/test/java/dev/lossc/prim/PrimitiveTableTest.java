package dev.lossc.prim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.InMemoryJavaCompiler;
import dev.lossc.LossCompiler;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Erf;
import dev.lossc.testing.Values;
import dev.lossc.types.Shape;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The primitive table: its rules are right, its helpers are what the compiler folds with, and it is all a new primitive needs. */
class PrimitiveTableTest {
    static final long SEED = Long.getLong("lossc.seed", 20261123L);

    /** stop_gradient and a custom call's op: the identity forward, and no adjoint at all (so nothing is active through them). */
    @org.junit.jupiter.api.Test
    void stopGradientAndACustomCallPassTheirOperandAndNothingBack() {
        for (Prim p : List.of(Prim.STOP_GRADIENT, Prim.CUSTOM)) {
            org.junit.jupiter.api.Assertions.assertEquals(-1.25, p.fold(Attributes.NONE, -1.25), p.name());
            org.junit.jupiter.api.Assertions.assertFalse(p.hasAdjoint(0), p.name());
        }
    }

    /**
     * Every elementwise rule against central differences of the same primitive's forward rule, at
     * seeded random points away from kinks (the rules are the only derivatives; this checks them
     * at the source, before any code is generated).
     */
    @TestFactory
    Stream<DynamicTest> everyElementwiseRuleIsTheDerivativeOfItsForwardRule() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Prim p : Prim.all()) {
            if (!p.isElementwise() || p == Prim.TIE_SHARE || p == Prim.STOP_GRADIENT || p == Prim.CUSTOM) {
                // tie_share is zero with a chosen derivative on purpose (how a max reduction's adjoint
                // reaches its ties): checked by tieShareIsZeroWithTheShareAsDerivative and end to end.
                // stop_gradient and a custom call pass their operand with no derivative on purpose
                // (checked above and by CustomRulesTest).
                continue;
            }
            for (int k = 0; k < p.arity(); k++) {
                int operand = k;
                tests.add(DynamicTest.dynamicTest(p.name() + " operand " + k, () -> {
                    SplittableRandom rnd = new SplittableRandom(SEED + p.name().hashCode() + operand);
                    // Each real attribute (an exponent, an alpha) at a value of its own; an elementwise entry has no other kind.
                    double[] attrs = new double[p.attributeSpecs().size()];
                    for (int a = 0; a < attrs.length; a++) {
                        attrs[a] = p == Prim.POW ? 1.5 + rnd.nextInt(3) : 0.2 + a;
                    }
                    Attributes attribute = Attributes.reals(attrs);
                    int checked = 0;
                    for (int trial = 0; trial < 200 && checked < 40; trial++) {
                        double[] x = new double[p.arity()];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = 0.2 + 2.5 * rnd.nextDouble();
                            if (p != Prim.POW && p != Prim.LOG && p != Prim.SQRT && rnd.nextBoolean()) {
                                x[i] = -x[i];
                            }
                        }
                        if (x.length == 2 && Math.abs(x[0] - x[1]) < 0.1) {
                            continue; // max/min kink
                        }
                        double h = 1e-6;
                        double[] up = x.clone();
                        double[] down = x.clone();
                        up[operand] += h;
                        down[operand] -= h;
                        double numeric = (p.fold(attribute, up) - p.fold(attribute, down)) / (2 * h);
                        double y = p.fold(attribute, x);
                        double rule = Scalar.eval(p.derivative(operand), v -> {
                            if (v instanceof Scalar.Operand o) {
                                return x[o.index()];
                            } else if (v instanceof Scalar.Result) {
                                return y;
                            } else if (v instanceof Scalar.ResultAdjoint) {
                                return 1.0;
                            }
                            return attrs[((Scalar.Attribute) v).index()];
                        });
                        assertTrue(Values.close(rule, numeric, 1e-6, 1e-7),
                                p + " operand " + operand + " at " + java.util.Arrays.toString(x) + ": rule " + rule + ", numeric " + numeric);
                        checked++;
                    }
                    assertTrue(checked >= 20, "too few points for " + p);
                }));
            }
        }
        return tests.stream();
    }

    @org.junit.jupiter.api.Test
    void tieShareIsZeroWithTheShareAsDerivative() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        for (int i = 0; i < 100; i++) {
            double x = rnd.nextDouble() * 4 - 2;
            double w = rnd.nextDouble();
            assertEquals(0.0, Prim.TIE_SHARE.fold(Attributes.NONE, x, w), 0.0);
            double dx = Scalar.eval(Prim.TIE_SHARE.derivative(0), v -> v instanceof Scalar.Operand o ? (o.index() == 0 ? x : w)
                    : v instanceof Scalar.ResultAdjoint ? 3.0 : 0.0);
            assertEquals(3.0 * w, dx, 0.0);
            assertEquals(0.0, Scalar.eval(Prim.TIE_SHARE.derivative(1), v -> 1.0), 0.0);
        }
    }

    /**
     * Every structured primitive with a derivative names primitives of the right arity; an operand
     * without one is integer data (the indices of a gather), and at least one operand has one.
     */
    @Test
    void everyStructuredRuleIsComplete() {
        for (Prim p : Prim.all()) {
            if (p.isElementwise() || !p.isDifferentiable()) {
                continue;
            }
            int differentiable = 0;
            for (int k = 0; k < p.arity(); k++) {
                Prim.Contribution c = p.contribution(k, defaults(p));
                assertEquals(k, c.operand());
                if (c.prim() == null) {
                    assertEquals(List.of(), c.args(), p + " operand " + k);
                    assertEquals(p + " operand " + k + ": none (integer data)", p + " operand " + k + ": " + p.describeRule(k, defaults(p)).substring(4));
                    continue;
                }
                differentiable++;
                assertEquals(c.prim().arity(), c.args().size(), p + " operand " + k);
            }
            assertTrue(differentiable > 0, p.toString());
        }
    }

    /** The helpers the generated class carries compute exactly what the compiler folds constants with. */
    @Test
    void everyEntryHasAnOperationCountForTheReport() {
        List<String> missing = new ArrayList<>();
        for (Prim p : Prim.all()) {
            if (!Costs.known(p)) {
                missing.add(p.name());
            }
        }
        assertTrue(missing.isEmpty(), "no operation count in Costs for " + missing);
        // A product is a multiply-add per term; an elementwise entry is its expression's operations.
        assertEquals(2L * 3 * 4 * 5, Costs.flops(Prim.MATMUL, List.of(Shape.matrix(3, 4), Shape.matrix(4, 5)), Shape.matrix(3, 5), Attributes.NONE));
        assertEquals(2L * 3 * 4 * 5, Costs.flops(Prim.MATMUL_TN, List.of(Shape.matrix(4, 3), Shape.matrix(4, 5)), Shape.matrix(3, 5), Attributes.NONE));
        assertEquals(2L * 3 * 4 * 5, Costs.flops(Prim.MATMUL_NT, List.of(Shape.matrix(3, 4), Shape.matrix(5, 4)), Shape.matrix(3, 5), Attributes.NONE));
        // Two batches of [8, 4] @ [4, 8], stored as rows of the flattened matrices: the contraction is the attribute n.
        assertEquals(2L * 2 * 64 * 4, Costs.flops(Prim.BATCHED_MATMUL, List.of(Shape.matrix(2, 32), Shape.matrix(2, 32)), Shape.matrix(2, 64),
                Attributes.ints(8, 4, 8, 0, 0)));
        assertEquals(7L * 3, Costs.flops(Prim.TANH, List.of(Shape.vector(7)), Shape.vector(7), Attributes.NONE) * 3);
    }

    @Test
    void helpersEmittedAreTheFunctionsTheCompilerFoldsWith() throws Exception {
        StringBuilder src = new StringBuilder("public final class Helpers {\n");
        List<ScalarFn> helpers = new ArrayList<>();
        for (ScalarFn f : ScalarFn.values()) {
            if (f.isHelper()) {
                helpers.add(f);
                src.append(f.helperSource().replace("private static", "public static")).append('\n');
            }
        }
        src.append("}\n");
        Class<?> cls = InMemoryJavaCompiler.compile(Map.of("Helpers", src.toString()), Compiled.JAVA8).loadClass("Helpers");
        SplittableRandom rnd = new SplittableRandom(SEED);
        for (ScalarFn f : helpers) {
            Method m = cls.getMethod(f.java(), double.class);
            for (int i = 0; i < 2000; i++) {
                double x = (rnd.nextDouble() - 0.5) * (i < 1000 ? 10 : 80);
                assertEquals(Double.doubleToLongBits(f.apply(x)), Double.doubleToLongBits((double) m.invoke(null, x)), f + " at " + x);
            }
            for (double x : new double[] {0.0, -0.0, 0.46875, -0.46875, 4.0, -4.0, 26.6, 1e-300, Double.NaN,
                    Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                assertEquals(Double.doubleToLongBits(f.apply(x)), Double.doubleToLongBits((double) m.invoke(null, x)), f + " at " + x);
            }
        }
    }

    /** Java has no erf: ours is within a few ulps of a 40-digit series everywhere it matters. */
    @Test
    void erfIsAccurateToAFewUlps() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        double worst = 0;
        for (int i = 0; i < 3000; i++) {
            double x = (rnd.nextDouble() - 0.5) * 12;
            double exact = precise(x);
            double ulps = Math.abs(ScalarFn.ERF.apply(x) - exact) / Math.ulp(exact);
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst <= 4, "worst error " + worst + " ulps");
        assertEquals(1.0, ScalarFn.ERF.apply(30));
        assertEquals(-1.0, ScalarFn.ERF.apply(-30));
        assertEquals(0.0, ScalarFn.ERF.apply(0));
        assertTrue(Double.isNaN(ScalarFn.ERF.apply(Double.NaN)));
    }

    /** erf by its positive series in 40-digit arithmetic, rounded once. */
    private static double precise(double x) {
        MathContext mc = new MathContext(40);
        BigDecimal a = new BigDecimal(Math.abs(x));
        BigDecimal a2 = a.multiply(a, mc);
        BigDecimal term = a;
        BigDecimal sum = a;
        for (int n = 1; n < 2000; n++) {
            term = term.multiply(a2.multiply(BigDecimal.valueOf(2), mc), mc).divide(BigDecimal.valueOf(2L * n + 1), mc);
            sum = sum.add(term, mc);
            if (term.compareTo(sum.movePointLeft(42)) < 0) {
                break;
            }
        }
        // e^(-x^2) by its series on x^2 / 64, squared six times.
        BigDecimal small = a2.divide(BigDecimal.valueOf(64), mc).negate();
        BigDecimal e = BigDecimal.ONE;
        BigDecimal t = BigDecimal.ONE;
        for (int n = 1; n < 200; n++) {
            t = t.multiply(small, mc).divide(BigDecimal.valueOf(n), mc);
            e = e.add(t, mc);
        }
        for (int i = 0; i < 6; i++) {
            e = e.multiply(e, mc);
        }
        BigDecimal twoOverRootPi = new BigDecimal("1.128379167095512573896158903121545171688");
        double v = twoOverRootPi.multiply(e, mc).multiply(sum, mc).doubleValue();
        return Math.copySign(v, x);
    }

    /**
     * A primitive defined for this test only, through the table and nothing else: it is checked,
     * folded, differentiated, generated and compiled, and its gradient agrees with central
     * differences of the generated loss.
     */
    @Test
    void aPrimitiveAddedThroughTheTableAloneWorksEndToEnd() {
        Prim cube = Prim.defineElementwise("test_cube", "x * x * x - 2 * x", "dy * (3 * x * x - 2)");
        try {
            // Folding: a const uses it.
            String folded = "param w;\nconst c = test_cube(2);\nloss c * w;\n";
            Compiled f = Compiled.compile("f.loss", folded);
            f.setParams(Map.of("w", new double[] {1.0}));
            assertEquals(4.0, f.lossAndGradient(Map.of()), 0.0);
            assertTrue(LossCompiler.compile("f.loss", folded, new LossCompiler.Options("", java.util.Set.of(LossCompiler.Dump.IR)))
                    .dumps().get(LossCompiler.Dump.IR).contains("4.0"), "folded to a constant");
            // Differentiation and code generation, on a vector in a loop.
            String src = "param w[3];\ninput x[3];\nvar s = 0;\nfor t in 0..3 {\n  s = s + sum(test_cube(w * x[t]) * w);\n}\nloss s;\n";
            LossCompiler.Result r = LossCompiler.compile("cube.loss", src, LossCompiler.Options.DEFAULT);
            assertTrue(r.ok(), r.render());
            assertTrue(r.output().orElseThrow().source().contains("dx += dy * (3 * x * x - 2)"), "the rule is cited");
            Compiled c = Compiled.compile("cube.loss", src);
            Map<String, double[]> values = Map.of("w", new double[] {0.3, -0.7, 1.1}, "x", new double[] {0.5, -1.2, 0.9});
            c.setParams(values);
            c.lossAndGradient(values);
            double[] grad = c.gradientByName().get("w");
            for (int i = 0; i < 3; i++) {
                double h = 1e-6;
                double[] up = values.get("w").clone();
                double[] down = values.get("w").clone();
                up[i] += h;
                down[i] -= h;
                c.setParams(Map.of("w", up));
                double lossUp = c.loss(values);
                c.setParams(Map.of("w", down));
                double numeric = (lossUp - c.loss(values)) / (2 * h);
                assertTrue(Values.close(grad[i], numeric, 1e-7, 1e-9), "w[" + i + "]: " + grad[i] + " vs " + numeric);
            }
        } finally {
            Prim.remove(cube);
        }
        assertTrue(LossCompiler.compile("gone.loss", "param w;\nloss test_cube(w);\n", LossCompiler.Options.DEFAULT)
                .render().contains("unknown function 'test_cube'"));
    }

    @Test
    void geluIsPyTorchsExactGelu() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        for (int i = 0; i < 500; i++) {
            double x = (rnd.nextDouble() - 0.5) * 16;
            // Both compute x * 0.5 * (1 + erf(x / sqrt 2)), as PyTorch does: for large negative x the sum cancels, so compare absolutely there.
            assertTrue(Values.close(Prim.GELU.fold(Attributes.NONE, x), Erf.gelu(x), 1e-14, 1e-14), "gelu(" + x + ")");
        }
    }

    /** An application's attributes at their defaults (0 where the call must give one). */
    static Attributes defaults(Prim p) {
        List<dev.lossc.prim.Attribute> values = new ArrayList<>();
        for (AttributeSpec a : p.attributeSpecs()) {
            values.add(a.defaultValue() != null ? a.defaultValue()
                    : a.kind() == AttributeSpec.Kind.REAL ? new dev.lossc.prim.Attribute.Real(0) : new dev.lossc.prim.Attribute.Int(0));
        }
        return new Attributes(values);
    }
}
