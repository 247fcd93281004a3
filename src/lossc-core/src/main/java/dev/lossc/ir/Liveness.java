package dev.lossc.ir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Drops operations and assignments whose results never reach the loss. */
final class Liveness {
    private Liveness() {}

    /** The statements that reach one of {@code roots} (the loss and the states, or an output's value). */
    static List<Stmt> prune(List<Stmt> body, List<Value> roots) {
        Set<Value> live = new HashSet<>(roots);
        boolean changed = true;
        while (changed) {
            changed = mark(body, live);
        }
        return keep(body, live);
    }

    /** One backward sweep; true if anything new became live (loops need repeated sweeps). */
    private static boolean mark(List<Stmt> body, Set<Value> live) {
        boolean changed = false;
        for (int i = body.size() - 1; i >= 0; i--) {
            Stmt s = body.get(i);
            changed |= switch (s.kind()) {
                case OP -> {
                    Stmt.Op op = (Stmt.Op) s;
                    boolean added = false;
                    if (live.contains(op.out())) {
                        for (Value a : op.args()) {
                            added |= live.add(a.root());
                        }
                    }
                    yield added;
                }
                case ASSIGN -> {
                    Stmt.Assign a = (Stmt.Assign) s;
                    yield live.contains(a.var()) && live.add(a.source().root());
                }
                case LOOP -> mark(((Stmt.Loop) s).body(), live);
                case MAP, ZERO -> throw new IllegalStateException("not a primal statement: " + s);
            };
        }
        return changed;
    }

    private static List<Stmt> keep(List<Stmt> body, Set<Value> live) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) {
            Stmt kept = switch (s.kind()) {
                case OP -> live.contains(((Stmt.Op) s).out()) ? s : null;
                case ASSIGN -> live.contains(((Stmt.Assign) s).var()) ? s : null;
                case LOOP -> {
                    Stmt.Loop l = (Stmt.Loop) s;
                    List<Stmt> inner = keep(l.body(), live);
                    yield inner.isEmpty() ? null : new Stmt.Loop(l.loop(), inner, l.pos());
                }
                case MAP, ZERO -> throw new IllegalStateException("not a primal statement: " + s);
            };
            if (kept != null) {
                out.add(kept);
            }
        }
        return out;
    }
}
