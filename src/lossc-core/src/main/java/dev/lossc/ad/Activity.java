package dev.lossc.ad;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which values depend on a parameter through differentiable operations. Only those get adjoints:
 * an input, a constant, anything computed only from them, or a value computed by an operand the
 * table gives no adjoint (a max kernel's result) needs no backward code at all.
 */
public final class Activity {
    private final Set<Value> active = new HashSet<>();

    private Activity() {}

    public static Activity of(List<Stmt> body, List<Value> params) {
        Activity a = new Activity();
        a.active.addAll(params);
        boolean changed = true;
        while (changed) {
            changed = a.sweep(body);
        }
        return a;
    }

    private boolean sweep(List<Stmt> body) {
        boolean changed = false;
        for (Stmt s : body) {
            if (s instanceof Stmt.Op op) {
                for (int k = 0; k < op.args().size(); k++) {
                    // An operand without an adjoint (integer data, a max kernel's) passes no dependence on.
                    if (isActive(op.args().get(k)) && op.prim().hasAdjoint(k)) {
                        changed |= active.add(op.out());
                    }
                }
            } else if (s instanceof Stmt.Assign as && isActive(as.source())) {
                changed |= active.add(as.var());
            } else if (s instanceof Stmt.Loop l) {
                changed |= sweep(l.body());
            }
        }
        return changed;
    }

    /** True if the value (or, for a view, the value it looks into) depends on a parameter. */
    public boolean isActive(Value v) {
        return active.contains(v.root());
    }
}
