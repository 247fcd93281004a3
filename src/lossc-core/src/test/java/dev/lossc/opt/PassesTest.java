package dev.lossc.opt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.ad.AdjointProgram;
import dev.lossc.ad.ReverseMode;
import dev.lossc.check.Checker;
import dev.lossc.diag.Pos;
import dev.lossc.diag.Reporter;
import dev.lossc.ir.IrProgram;
import dev.lossc.ir.Lowering;
import dev.lossc.ir.Stmt;
import dev.lossc.parser.SourceParser;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Each pass on its own, on the smallest program that needs it: the statement it exists to remove
 * or rewrite is there before and gone after. (That the passes keep every gradient is checked by
 * the gradient, random-program and example tests, which run with all of them.)
 */
class PassesTest {
    static Plan plan(String source) {
        Reporter r = new Reporter("t.loss");
        var ast = SourceParser.parse("t.loss", source, r).orElseThrow();
        var checked = Checker.check(ast, new Pos(1, 1), r).orElseThrow(() -> new AssertionError(r.diagnostics().toString()));
        IrProgram ir = Lowering.lower(checked);
        AdjointProgram adjoint = ReverseMode.differentiate(ir);
        return new ElementwiseToMaps().apply(new Plan(ir, ir.body(), adjoint.body()));
    }

    static long count(List<Stmt> body, Predicate<Stmt> p) {
        long n = 0;
        for (Stmt s : body) {
            n += s instanceof Stmt.Loop l ? count(l.body(), p) : p.test(s) ? 1 : 0;
        }
        return n;
    }

    /** A map that only copies one adjoint (of a temp or var) into another of the same shape. */
    static boolean plainCopy(Stmt s) {
        return s instanceof Stmt.Map m && m.expr() instanceof dev.lossc.prim.Scalar.In && m.args().size() == 1
                && workArray(m.out()) && workArray(m.args().get(0)) && m.out().shape().equals(m.args().get(0).shape());
    }

    private static boolean workArray(dev.lossc.ir.Value v) {
        return v.kind() == dev.lossc.ir.Value.Kind.ADJOINT && v.primal().kind() != dev.lossc.ir.Value.Kind.PARAM;
    }

    @Test
    void copyPropagationTurnsTheAdjointOfAnAdditionIntoAnAlias() {
        Plan p = plan("param a[3];\nparam b[3];\nloss sum(tanh(tanh(a) + b));\n");
        long before = count(p.backward(), PassesTest::plainCopy);
        Plan after = new CopyPropagation().apply(p);
        assertTrue(before >= 1, p.print());
        assertEquals(0, count(after.backward(), PassesTest::plainCopy), after.print());
    }

    @Test
    void copyPropagationRemovesAVarsRoundTrip() {
        // Once the clear before the copy back is folded into it (d_s = d_t), the round trip d_t = d_s … d_s = d_t goes.
        Plan before = new DeadStores().apply(new SinkZeros().apply(plan("param w;\nvar s = 0;\nfor t in 0..3 {\n  s = s + w * w;\n}\nloss s;\n")));
        assertTrue(count(before.backward(), PassesTest::plainCopy) >= 2, before.print());
        Plan p = new CopyPropagation().apply(before);
        List<Stmt> loopBody = p.backward().stream().filter(x -> x instanceof Stmt.Loop).map(x -> ((Stmt.Loop) x).body()).findFirst().orElseThrow();
        assertEquals(0, count(loopBody, PassesTest::plainCopy), p.print());
    }

    @Test
    void fusionMakesOneLoopOfAnElementwiseChain() {
        Plan p = plan("param a[4];\ninput x[4];\nloss sum(sigmoid(a * x + 1) * x);\n");
        Plan after = new Fusion().apply(p);
        long mapsBefore = count(p.forward(), s -> s instanceof Stmt.Map);
        long mapsAfter = count(after.forward(), s -> s instanceof Stmt.Map);
        assertTrue(mapsAfter < mapsBefore, after.print());
        // a * x + 1 feeds sigmoid, read by nothing else (sigmoid's rule reads its result): one loop.
        assertTrue(after.print().contains("= sigmoid(a * x + 1.0)"), after.print());
    }

    @Test
    void sinkZerosMovesAClearToTheNextUse() {
        Plan p = plan("param w[2];\nvar h = w;\nfor t in 0..2 {\n  h = tanh(h);\n}\nloss sum(h);\n");
        Plan after = new SinkZeros().apply(p);
        String text = after.print();
        String backward = text.substring(text.indexOf("backward:"));
        int zero = backward.indexOf("] = 0");
        assertTrue(zero > 0, text);
        assertFalse(p.print().equals(text), "nothing moved:\n" + text);
    }

    @Test
    void deadStoresDropsClearsNothingReads() {
        Plan p = plan("param w[2];\nvar h = w;\nh = tanh(h);\nloss sum(h);\n");
        long zerosBefore = count(p.backward(), s -> s instanceof Stmt.Zero);
        Plan after = new DeadStores().apply(new SinkZeros().apply(p));
        long zerosAfter = count(after.backward(), s -> s instanceof Stmt.Zero);
        assertTrue(zerosAfter < zerosBefore, p.print() + "\n-->\n" + after.print());
    }

    @Test
    void copyCoalescingComputesIntoTheDestination() {
        // V @ h is snapshotted from var h: its adjoint, computed by vecmat, is only added to d_h.
        Plan p = plan("param V[3, 3];\nparam w[3];\nvar h = w;\nfor t in 0..2 {\n  h = tanh(V @ h);\n}\nloss sum(h);\n");
        Plan before = new DeadStores().apply(new SinkZeros().apply(new CopyPropagation().apply(p)));
        Plan after = new CopyCoalescing().apply(before);
        assertTrue(count(after.backward(), PassesTest::plainCopy) < count(before.backward(), PassesTest::plainCopy),
                before.print() + "\n-->\n" + after.print());
    }

    @Test
    void epilogueFusionComputesBiasAndActivationAsEachRowIsSummed() {
        Plan p = new Fusion().apply(plan("param W[3, 2];\nparam b[3];\ninput x[2];\nloss sum(tanh(W @ x + b));\n"));
        Plan after = new EpilogueFusion().apply(p);
        assertTrue(count(after.forward(), s -> s instanceof Stmt.Map) < count(p.forward(), s -> s instanceof Stmt.Map), after.print());
        assertTrue(after.print().contains("= tanh(matvec(W, x) + b)"), after.print());
    }

    @Test
    void epilogueFusionTakesAMatrixProductsBroadcastBiasButNotAResultReadTwice() {
        Plan p = new Fusion().apply(plan("param W[3, 4];\nparam b[4];\ninput X[2, 3];\nlet h = tanh(X @ W + b);\nloss sum(h @ transpose(W));\n"));
        Plan after = new EpilogueFusion().apply(p);
        assertTrue(after.print().contains("= tanh(matmul(X, W) + b)"), after.print());
        Plan twice = new Fusion().apply(plan("param W[3, 4];\nparam b[4];\ninput X[2, 3];\nlet z = X @ W;\nloss sum(tanh(z + b) @ transpose(W)) + sum(z @ transpose(W));\n"));
        assertEquals(twice.print(), new EpilogueFusion().apply(twice).print(), "a product read by two statements keeps its array");
    }

    @Test
    void snapshotForwardingReadsTheTempAVarWasJustGiven() {
        Plan p = plan("param W[2, 2];\nparam w[2];\nvar h = w;\nvar s = 0;\nfor t in 0..2 {\n  h = tanh(W @ h);\n  s = s + sum(W @ h);\n}\nloss s;\n");
        Plan after = new SnapshotForwarding().apply(p);
        long copies = count(p.forward(), s -> s instanceof Stmt.Map m && m.expr() instanceof dev.lossc.prim.Scalar.In);
        long copiesAfter = count(after.forward(), s -> s instanceof Stmt.Map m && m.expr() instanceof dev.lossc.prim.Scalar.In);
        assertEquals(copies - 1, copiesAfter, after.print());
    }

    @Test
    void everyPassIsNamedAndDocumented() {
        for (Pass pass : Passes.ALL) {
            assertTrue(pass.name().matches("[a-z-]+") && !pass.summary().isBlank(), pass.getClass().getSimpleName());
        }
    }
}
