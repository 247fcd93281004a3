package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Writes nobody reads are dropped from the backward pass: a zero fill right before a write that
 * covers the whole array, and any write to an adjoint that no later statement reads (a var's
 * adjoint cleared after its last hand-back, say). A zero fill right before an accumulation into
 * the whole array makes that accumulation an assignment instead. Later means after it in its block, anywhere in
 * an enclosing loop's body (the next iteration), or after that loop. Gradients are never dead.
 */
final class DeadStores implements Pass {
    public String name() {
        return "dead-stores";
    }

    public String summary() {
        return "zero fills and adjoint writes that nothing reads are dropped";
    }

    public Plan apply(Plan p) {
        return p.with(p.forward(), prune(p.backward(), Collections.newSetFromMap(new IdentityHashMap<>())));
    }

    /**
     * {@code liveAfter}: the roots read by whatever runs after this block (the rest of the enclosing
     * blocks and, inside a loop, the loop's own body again). One backward sweep over the block.
     */
    private static List<Stmt> prune(List<Stmt> block, Set<Value> liveAfter) {
        Set<Value> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(liveAfter);
        List<Stmt> reversed = new ArrayList<>();
        for (int i = block.size() - 1; i >= 0; i--) {
            Stmt s = block.get(i);
            if (s instanceof Stmt.Loop l) {
                // The body runs again after itself: what it reads anywhere is live at its end.
                Set<Value> inner = Collections.newSetFromMap(new IdentityHashMap<>());
                inner.addAll(live);
                inner.addAll(Uses.readRoots(l));
                List<Stmt> body = prune(l.body(), inner);
                if (!body.isEmpty()) {
                    Stmt.Loop kept = new Stmt.Loop(l.loop(), body, l.reversed(), l.pos());
                    reversed.add(kept);
                    live.addAll(Uses.readRoots(kept));
                }
                continue;
            }
            Value target = Stmt.written(s).root();
            boolean adjoint = target.kind() == Value.Kind.ADJOINT && target.primal().kind() != Value.Kind.PARAM;
            if (adjoint && !live.contains(target)) {
                continue;
            }
            live.addAll(Uses.readRoots(s));
            reversed.add(s);
        }
        List<Stmt> out = new ArrayList<>();
        for (int i = reversed.size() - 1; i >= 0; i--) {
            out.add(reversed.get(i));
        }
        // A fill right before a write of the whole array goes; before an accumulation, it makes it an assignment.
        List<Stmt> result = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            Stmt s = out.get(i);
            if (s instanceof Stmt.Zero z && i + 1 < out.size()) {
                Value v = z.target().root();
                Stmt next = out.get(i + 1);
                if (overwrites(next, v)) {
                    continue;
                }
                if (accumulatesWhole(next, v)) {
                    result.add(assigning(next));
                    i++;
                    continue;
                }
            }
            result.add(s);
        }
        return result;
    }

    /** True if {@code s} assigns all of {@code v} without reading it. */
    private static boolean overwrites(Stmt s, Value v) {
        if (s instanceof Stmt.Loop || Stmt.written(s) != v || Uses.reads(s, v)) {
            return false;
        }
        return s instanceof Stmt.Map m ? !m.accumulate() : s instanceof Stmt.Op op && op.epilogue() == null && !op.accumulate();
    }

    /** {@code v += …} over all of v, reading v nowhere else. */
    private static boolean accumulatesWhole(Stmt s, Value v) {
        if (s instanceof Stmt.Op op) {
            return op.epilogue() == null && op.accumulate() && op.out() == v && op.args().stream().noneMatch(a -> a.root() == v);
        }
        if (s instanceof Stmt.Map m) {
            return m.accumulate() && m.out() == v && m.args().stream().noneMatch(a -> a.root() == v);
        }
        return false;
    }

    private static Stmt assigning(Stmt s) {
        if (s instanceof Stmt.Op op) {
            return new Stmt.Op(op.out(), op.prim(), op.args(), op.attributes(), false, op.pos(), op.note());
        }
        Stmt.Map m = (Stmt.Map) s;
        return new Stmt.Map(m.out(), m.expr(), m.args(), m.domain(), false, m.pos(), m.note());
    }


}
