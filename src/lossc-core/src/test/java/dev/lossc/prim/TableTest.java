package dev.lossc.prim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.RefEval;
import dev.lossc.testing.Repo;
import dev.lossc.testing.Values;
import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The table is complete: every entry has a shape rule, a rule for each operand that receives an
 * adjoint, a kernel (structured) or a forward rule (elementwise); every kernel belongs to one
 * entry; every primitive only the backward pass uses is some rule's; and every entry programs call
 * is documented in section 5 of docs/language.md and evaluated by the reference evaluator, which
 * agrees with the generated code on it.
 */
class TableTest {
    private static final long SEED = 20261204L;

    /** An application's attributes: defaults, and for a required one an axis of 1 or a real of 2. */
    private static Attributes sample(Prim p) {
        List<Attribute> values = new ArrayList<>();
        for (AttributeSpec a : p.attributeSpecs()) {
            values.add(a.defaultValue() != null ? a.defaultValue()
                    : a.kind() == AttributeSpec.Kind.REAL ? new Attribute.Real(2) : new Attribute.Int(1));
        }
        return new Attributes(values);
    }

    @Test
    void everyEntryIsWhole() {
        for (Prim p : Prim.all()) {
            assertNotNull(p.signature(), p + " has no shape rule");
            if (p.isElementwise()) {
                assertNotNull(p.forward(), p.toString());
                for (int k = 0; k < p.arity(); k++) {
                    assertNotNull(p.derivative(k), p + " operand " + k);
                }
                continue;
            }
            assertNotNull(p.kernel(), p + " is neither elementwise nor a kernel's");
            for (int k = 0; k < p.arity(); k++) {
                if (!p.hasAdjoint(k)) {
                    continue;
                }
                for (Attributes a : attributeChoices(p)) {
                    Prim.Contribution c = p.contribution(k, a);
                    assertNotNull(c.prim(), p + " operand " + k);
                    assertEquals(c.prim().arity(), c.args().size(), p + " operand " + k + ": its rule's arguments");
                    assertEquals(c.prim().attributeSpecs().size(), c.attributes().size(), p + " operand " + k + ": its rule's attributes");
                }
            }
        }
    }

    /** The attribute values an entry's rules may depend on: the sample, and each axis at 0 and 1. */
    private static List<Attributes> attributeChoices(Prim p) {
        List<Attributes> out = new ArrayList<>(List.of(sample(p)));
        List<AttributeSpec> specs = p.attributeSpecs();
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).kind() != AttributeSpec.Kind.REAL) {
                for (int v = 0; v <= 1; v++) {
                    out.add(sample(p).with(i, new Attribute.Int(v)));
                }
            }
        }
        return out;
    }

    @Test
    void everyKernelIsOneEntrysAndEveryBackwardPrimitiveIsSomeRules() {
        Map<Prim.Kernel, Prim> owners = new EnumMap<>(Prim.Kernel.class);
        Set<Prim> used = new HashSet<>();
        for (Prim p : Prim.all()) {
            if (p.kernel() != null) {
                Prim before = owners.put(p.kernel(), p);
                assertTrue(before == null, p.kernel() + " belongs to " + before + " and " + p);
            }
            if (!p.isElementwise()) {
                used.addAll(p.tangent().uses());
            }
            for (int k = 0; k < p.arity(); k++) {
                if (!p.isElementwise() && p.hasAdjoint(k)) {
                    for (Attributes a : attributeChoices(p)) {
                        used.add(p.contribution(k, a).prim());
                    }
                }
            }
        }
        assertEquals(Set.of(Prim.Kernel.values()), owners.keySet(), "kernels without an entry");
        for (Prim p : Prim.all()) {
            if (p.signature() == Signatures.BACKWARD_ONLY && p != Prim.SLICE) {
                // SLICE is the lowering's (a strided view); every other backward-only entry is some adjoint or tangent rule's.
                assertTrue(used.contains(p), p + " is neither called nor any rule's");
            }
        }
    }

    @Test
    void everyForwardEntrysTangentCarriesExactlyTheOperandsItsAdjointReaches() {
        for (Prim p : Prim.all()) {
            if (p.isElementwise() || p.signature() == Signatures.BACKWARD_ONLY) {
                continue;
            }
            Set<Integer> adjoint = new HashSet<>();
            for (int k = 0; k < p.arity(); k++) {
                if (p.hasAdjoint(k)) {
                    adjoint.add(k);
                }
            }
            assertEquals(adjoint, new HashSet<>(p.tangent().operands()), p + ": forward and reverse mode must differentiate the same operands");
            assertEquals(adjoint.isEmpty(), p.tangent().kind() == dev.lossc.prim.Tangent.Kind.CONSTANT, p + ": held constant exactly when nothing flows back");
        }
    }

    @Test
    void everyCallableEntryIsDocumentedInSectionFive() {
        String doc = Repo.read(Repo.root().resolve("docs/language.md"));
        String section = doc.substring(doc.indexOf("## 5. Built-in functions"), doc.indexOf("## 6. Derivatives"));
        for (Prim p : Prim.all()) {
            if (p.callName() != null) {
                assertTrue(section.contains("`" + p.callName() + "(") || section.contains("`" + p.callName() + " ")
                        || section.contains(" " + p.callName() + "`") || section.contains(" " + p.callName() + " "),
                        p.callName() + " is not in section 5 of docs/language.md");
            }
        }
    }

    /** For each callable entry, a call it accepts: operands of one shape (a matrix, else a vector, else a scalar). */
    private static String call(Prim p) {
        Attributes a = sample(p);
        for (String shape : List.of("[3, 4]", "[4]", "")) {
            Shape s = shape.equals("[3, 4]") ? Shape.matrix(3, 4) : shape.equals("[4]") ? Shape.vector(4) : Shape.SCALAR;
            List<Shape> ops = new ArrayList<>();
            for (int k = 0; k < p.arity(); k++) {
                ops.add(s);
            }
            boolean[] rejected = new boolean[1];
            Shape result = p.result(ops, a, new Signature.Problems() {
                public void expected(int at, String shownAs, String expects) {
                    rejected[0] = true;
                }

                public void mismatch(Shape x, Shape y) {
                    rejected[0] = true;
                }

                public void badAttribute(int index, String expects) {
                    rejected[0] = true;
                }
            });
            if (result == null || rejected[0]) {
                continue;
            }
            StringBuilder src = new StringBuilder();
            List<String> args = new ArrayList<>();
            for (int k = 0; k < p.arity(); k++) {
                src.append("param a").append(k).append(shape).append(";\n");
                args.add("a" + k);
            }
            List<AttributeSpec> specs = p.attributeSpecs();
            for (int i = 0; i < specs.size(); i++) {
                if (!specs.get(i).internal() && specs.get(i).required()) {
                    // Required attributes by name, so the test covers named arguments too.
                    args.add(specs.get(i).name() + " = " + a.get(i));
                }
            }
            String out = result.isScalar() ? "" : result.isVector() ? "[" + result.cols() + "]" : "[" + result.rows() + ", " + result.cols() + "]";
            src.append("input w").append(out).append(";\n");
            src.append("loss sum(").append(p.callName()).append("(").append(String.join(", ", args)).append(") * w);\n");
            return src.toString();
        }
        throw new AssertionError("no operand shape fits " + p);
    }

    @Test
    void theReferenceEvaluatorCoversEveryCallableEntryAndAgreesWithTheGeneratedCode() {
        List<String> sources = new ArrayList<>();
        List<LossCompiler.Result> results = new ArrayList<>();
        for (Prim p : Prim.all()) {
            if (p.callName() == null) {
                continue;
            }
            String source = call(p);
            LossCompiler.Result r = LossCompiler.compile(p.lowerName() + ".loss", "model T_" + p.name() + ";\n" + source,
                    LossCompiler.Options.DEFAULT);
            assertTrue(r.ok(), p + ":\n" + source + r.render());
            sources.add(source);
            results.add(r);
        }
        List<Compiled> compiled = Compiled.compileAll(results);
        for (int i = 0; i < compiled.size(); i++) {
            Compiled c = compiled.get(i);
            String source = sources.get(i);
            // Values away from every kink (0) and tie: positive, distinct.
            SplittableRandom rnd = new SplittableRandom(SEED + i);
            Map<String, double[]> values = Values.random(c.model(), rnd, 1.0);
            values.replaceAll((k, v) -> {
                double[] out = new double[v.length];
                for (int j = 0; j < v.length; j++) {
                    out[j] = 0.3 + 0.1 * j + 0.05 * rnd.nextDouble() + (k.equals("a1") ? 0.02 : 0);
                }
                return out;
            });
            c.setParams(values);
            double loss = c.lossAndGradient(values);
            RefEval.Result ref = RefEval.evaluate(source, values);
            assertTrue(Values.close(loss, ref.loss(), 1e-12, 1e-14), source + "loss " + loss + ", reference " + ref.loss());
            Map<String, double[]> grad = c.gradientByName();
            ref.gradient().forEach((name, g) -> {
                for (int j = 0; j < g.length; j++) {
                    assertTrue(Values.close(grad.get(name)[j], g[j], 1e-10, 1e-12), source + "d " + name + "[" + j + "]: " + grad.get(name)[j] + ", reference " + g[j]);
                }
            });
        }
    }
}
