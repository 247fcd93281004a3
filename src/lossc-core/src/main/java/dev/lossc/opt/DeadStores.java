package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.ArrayList;
import java.util.List;

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
        return p.with(p.forward(), prune(p.backward(), List.of()));
    }

    /** {@code after}: the statements that run after this block, innermost enclosing loop first. */
    private static List<Stmt> prune(List<Stmt> block, List<List<Stmt>> after) {
        List<Stmt> out = new ArrayList<>();
        for (int i = 0; i < block.size(); i++) {
            Stmt s = block.get(i);
            List<Stmt> rest = block.subList(i + 1, block.size());
            if (s instanceof Stmt.Loop l) {
                List<List<Stmt>> inner = new ArrayList<>();
                inner.add(l.body());
                inner.add(rest);
                inner.addAll(after);
                List<Stmt> body = prune(l.body(), inner);
                if (!body.isEmpty()) {
                    out.add(new Stmt.Loop(l.loop(), body, l.reversed(), l.pos()));
                }
                continue;
            }
            Value target = Stmt.written(s).root();
            boolean adjoint = target.kind() == Value.Kind.ADJOINT && target.primal().kind() != Value.Kind.PARAM;
            if (adjoint && (!readLater(target, rest, after) || (s instanceof Stmt.Zero && overwrittenNext(target, rest)))) {
                continue;
            }
            if (s instanceof Stmt.Zero && !rest.isEmpty() && accumulatesWhole(rest.get(0), target)) {
                out.add(assigning(rest.get(0)));
                i++;
                continue;
            }
            out.add(s);
        }
        return out;
    }

    /** {@code v += …} over all of v, reading v nowhere else. */
    private static boolean accumulatesWhole(Stmt s, Value v) {
        if (s instanceof Stmt.Op op) {
            return op.accumulate() && op.out() == v && op.args().stream().noneMatch(a -> a.root() == v);
        }
        if (s instanceof Stmt.Map m) {
            return m.accumulate() && m.out() == v && m.args().stream().noneMatch(a -> a.root() == v);
        }
        return false;
    }

    private static Stmt assigning(Stmt s) {
        if (s instanceof Stmt.Op op) {
            return new Stmt.Op(op.out(), op.prim(), op.args(), op.attribute(), false, op.pos(), op.note());
        }
        Stmt.Map m = (Stmt.Map) s;
        return new Stmt.Map(m.out(), m.expr(), m.args(), m.domain(), false, m.pos(), m.note());
    }

    private static boolean readLater(Value v, List<Stmt> rest, List<List<Stmt>> after) {
        for (Stmt s : rest) {
            if (Uses.reads(s, v)) {
                return true;
            }
        }
        for (List<Stmt> block : after) {
            for (Stmt s : block) {
                if (Uses.reads(s, v)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True if the next statement touching {@code v} in this block assigns all of it without reading it. */
    private static boolean overwrittenNext(Value v, List<Stmt> rest) {
        for (Stmt s : rest) {
            if (!Uses.mentions(s, v)) {
                continue;
            }
            if (s instanceof Stmt.Loop || Uses.reads(s, v)) {
                return false;
            }
            Value w = Stmt.written(s);
            boolean whole = w == v;
            boolean assigns = s instanceof Stmt.Map m ? !m.accumulate() : s instanceof Stmt.Op op && !op.accumulate();
            return whole && assigns;
        }
        return false;
    }
}
