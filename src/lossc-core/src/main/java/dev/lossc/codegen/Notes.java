package dev.lossc.codegen;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/** The comments above generated statements that say where they come from: a rule of the primitive table, or a tangent rule. */
final class Notes {
    private final ClassWriter w;

    Notes(ClassWriter w) {
        this.w = w;
    }

    /** A backward statement's origin, in the generated class's names: {@code d h from tmp1 = mul: da += dy * b}. */
    String note(Stmt.Note n) {
        if (n == null) {
            return null;
        }
        String line = n.isTangent() ? tangentNote(n) : n.prim() == null ? n.text() : "d " + describe(n.operand()) + " from "
                + w.layout.primalName(n.result()) + " = " + n.prim().label(n.attributes()) + ": " + n.prim().describeRule(n.k(), n.attributes());
        return n.also() == null ? line : line + "\n// " + note(n.also());
    }

    /** {@code tangent of tmp1 = tanh: …}, {@code tangent of d h}: forward mode's statements (the next line, if any, says what they are the tangent of). */
    private String tangentNote(Stmt.Note n) {
        Value r = n.result();
        String of = r.kind() == Value.Kind.ADJOINT ? "d " + describe(r.primal()) : describe(r);
        if (n.prim() == null) {
            return "tangent of " + of;
        }
        String rule;
        if (n.prim().isElementwise()) {
            List<String> rules = new ArrayList<>();
            for (int k = 0; k < n.prim().arity(); k++) {
                rules.add(n.prim().describeRule(k, n.attributes()));
            }
            rule = String.join(", ", rules) + " (dy read as the operand's tangent)";
        } else {
            rule = n.prim().tangent().describe(n.prim());
        }
        return "tangent of " + of + " = " + n.prim().label(n.attributes()) + ": " + rule;
    }

    private String describe(Value v) {
        Value root = v.root();
        String base = root.kind() == Value.Kind.PARAM ? root.name() : w.layout.primalName(root);
        return v.kind() == Value.Kind.VIEW ? base + "[" + w.layout.affine(v.viewOffset()) + " + …]" : base;
    }

}
