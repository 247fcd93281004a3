package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Prim;
import dev.lossc.prim.Scalar;
import java.util.ArrayList;
import java.util.List;

/**
 * Elementwise primitives and var assignments become {@link Stmt.Map}s of their scalar expression
 * (from the primitive table, with the attribute folded in): the form code generation and fusion
 * work on. Reverse mode has already used the primitives' rules, so nothing is lost.
 */
final class ElementwiseToMaps implements Pass {
    public String name() {
        return "elementwise-to-maps";
    }

    public String summary() {
        return "elementwise primitives and var assignments as maps of scalar expressions";
    }

    public Plan apply(Plan p) {
        return p.with(Blocks.rewrite(p.forward(), ElementwiseToMaps::lower), Blocks.rewrite(p.backward(), ElementwiseToMaps::lower));
    }

    private static List<Stmt> lower(Stmt s) {
        if (s instanceof Stmt.Op op && op.prim().isElementwise()) {
            List<Value> inputs = new ArrayList<>();
            Scalar expr = Scalar.replace(op.prim().forward(), v -> {
                if (v instanceof Scalar.Operand o) {
                    Value arg = op.args().get(o.index());
                    // An operand that is the constant 1 is the number 1, so that simplify drops "x * 1" exactly (a
                    // state's running mean is scaled by 1); other constants stay operands, printed at the class's precision.
                    return arg.kind() == Value.Kind.CONST && arg.constant() == 1.0 ? new Scalar.Num(1.0) : Blocks.in(inputs, arg);
                } else if (v instanceof Scalar.Attribute a) {
                    return new Scalar.Num(op.attributes().real(a.index()));
                }
                return null;
            });
            return List.of(new Stmt.Map(op.out(), Scalar.simplify(expr), inputs, op.out().shape(), op.accumulate(), op.pos(), op.note()));
        }
        if (s instanceof Stmt.Op op && (op.prim() == Prim.SUM || (op.prim() == Prim.SUM_AXIS && op.attributes().integer(0) == 0))) {
            // Sums are maps that add up their domain (into a scalar, or over the rows): an
            // elementwise chain that feeds one then fuses into the sum's loop.
            Value x = op.args().get(0);
            return List.of(new Stmt.Map(op.out(), new Scalar.In(0), List.of(x), x.shape(), op.accumulate(), op.pos(), op.note()));
        }
        if (s instanceof Stmt.Assign a) {
            return List.of(new Stmt.Map(a.var(), new Scalar.In(0), List.of(a.source()), a.var().shape(), false, a.pos(), null));
        }
        return List.of(s);
    }
}
