package dev.lossc.ad;

import dev.lossc.ir.Custom;
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
    private final java.util.Map<Value, Custom> customs;

    private Activity(java.util.Map<Value, Custom> customs) {
        this.customs = customs;
    }

    /** {@code customs}: a def's own derivative makes its call's value depend on its arguments (not on its body). */
    public static Activity of(List<Stmt> body, List<Value> params, java.util.Map<Value, Custom> customs) {
        Activity a = new Activity(customs);
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
            changed |= switch (s.kind()) {
                case OP -> {
                    Stmt.Op op = (Stmt.Op) s;
                    boolean added = false;
                    Custom c = customs.get(op.out());
                    if (c != null) {
                        yield c.args().stream().anyMatch(this::isActive) && active.add(op.out());
                    }
                    for (int k = 0; k < op.args().size(); k++) {
                        // An operand without an adjoint (integer data, a max kernel's) passes no dependence on.
                        if (isActive(op.args().get(k)) && op.prim().hasAdjoint(k)) {
                            added |= active.add(op.out());
                        }
                    }
                    yield added;
                }
                case ASSIGN -> {
                    Stmt.Assign as = (Stmt.Assign) s;
                    yield isActive(as.source()) && active.add(as.var());
                }
                case LOOP -> sweep(((Stmt.Loop) s).body());
                case MAP, ZERO -> throw new IllegalStateException("not a primal statement: " + s);
            };
        }
        return changed;
    }

    /** True if the value (or, for a view, the value it looks into) depends on a parameter. */
    public boolean isActive(Value v) {
        return active.contains(v.root());
    }
}
