package dev.lossc.opt;

import dev.lossc.ir.Rename;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Scalar;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of a var taken right after the var was assigned from a temp is that temp: in
 * {@code h = tanh(…); let s = W @ h}, the copy of {@code h} that {@code W @ h} reads (kept per
 * iteration for the backward pass) is the {@code tanh} result, already kept. The snapshot is
 * dropped and its readers, forward and backward, read the temp. One sweep per block.
 */
final class SnapshotForwarding implements Pass {
    public String name() {
        return "snapshot-forwarding";
    }

    public String summary() {
        return "a var's snapshot right after the var is assigned a temp is that temp";
    }

    public Plan apply(Plan p) {
        Map<Value, Value> rename = new IdentityHashMap<>();
        List<Stmt> forward = sweep(p.forward(), rename, p.primal().loss());
        if (rename.isEmpty()) {
            return p;
        }
        List<Stmt> f = Blocks.rewrite(forward, s -> List.of(Rename.stmt(s, rename)));
        List<Stmt> b = Blocks.rewrite(p.backward(), s -> List.of(Rename.stmt(s, rename)));
        return p.with(f, b);
    }

    /** {@code loss}: the value the class returns keeps its own storage. */
    private static List<Stmt> sweep(List<Stmt> block, Map<Value, Value> rename, Value loss) {
        List<Stmt> out = new ArrayList<>();
        // var → the temp it was last assigned whole, while neither has been written since.
        Map<Value, Value> holds = new IdentityHashMap<>();
        for (Stmt s : block) {
            if (s instanceof Stmt.Loop l) {
                out.add(new Stmt.Loop(l.loop(), sweep(l.body(), rename, loss), l.reversed(), l.pos()));
                holds.clear();
                continue;
            }
            if (s instanceof Stmt.Map m && isCopy(m)) {
                Value from = m.args().get(0);
                Value to = m.out();
                Value temp = holds.get(from);
                if (from.kind() == Value.Kind.VAR && to.kind() == Value.Kind.TEMP && to != loss && temp != null
                        && temp.loops().equals(to.loops()) && temp.shape().equals(to.shape())) {
                    rename.put(to, temp);
                    continue;
                }
            }
            Value written = Stmt.written(s).root();
            holds.remove(written);
            holds.values().removeIf(t -> t == written);
            if (s instanceof Stmt.Map m && isCopy(m) && m.out().kind() == Value.Kind.VAR && m.args().get(0).kind() == Value.Kind.TEMP) {
                holds.put(m.out(), m.args().get(0));
            }
            out.add(s);
        }
        return out;
    }

    private static boolean isCopy(Stmt.Map m) {
        return !m.accumulate() && m.expr() instanceof Scalar.In && m.args().size() == 1 && m.isPointwise()
                && m.args().get(0).kind() != Value.Kind.VIEW && m.out().kind() != Value.Kind.VIEW
                && m.args().get(0).shape().equals(m.out().shape());
    }
}
