package dev.lossc.ir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Drops operations and assignments whose results never reach the loss. */
final class Liveness {
    private Liveness() {}

    static List<Stmt> prune(List<Stmt> body, Value loss) {
        Set<Value> live = new HashSet<>();
        live.add(loss);
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
            if (s instanceof Stmt.Op op && live.contains(op.out())) {
                for (Value a : op.args()) {
                    changed |= live.add(a.root());
                }
            } else if (s instanceof Stmt.Assign a && live.contains(a.var())) {
                changed |= live.add(a.source().root());
            } else if (s instanceof Stmt.Loop l) {
                changed |= mark(l.body(), live);
            }
        }
        return changed;
    }

    private static List<Stmt> keep(List<Stmt> body, Set<Value> live) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) {
            if (s instanceof Stmt.Op op && live.contains(op.out())) {
                out.add(s);
            } else if (s instanceof Stmt.Assign a && live.contains(a.var())) {
                out.add(s);
            } else if (s instanceof Stmt.Loop l) {
                List<Stmt> inner = keep(l.body(), live);
                if (!inner.isEmpty()) {
                    out.add(new Stmt.Loop(l.loop(), inner, l.pos()));
                }
            }
        }
        return out;
    }
}
