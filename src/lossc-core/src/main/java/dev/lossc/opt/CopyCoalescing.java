package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Scalar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A temp computed only to be copied into (or added to) another array is computed there directly:
 * {@code d_t = vecmat(…); d_h += d_t} becomes {@code d_h += vecmat(…)}. Applies when the copy
 * is the temp's only reader, follows its one write in the same block, and nothing in between uses
 * the destination, which the producer does not read either.
 */
final class CopyCoalescing implements Pass {
    public String name() {
        return "copy-coalescing";
    }

    public String summary() {
        return "a temp only copied into another array is computed there";
    }

    public Plan apply(Plan p) {
        Plan current = p;
        while (true) {
            Map<Value, Integer> reads = Blocks.readCounts(List.of(current.forward(), current.backward()));
            reads.merge(current.primal().loss(), 1, Integer::sum);
            List<Stmt> f = coalesce(current.forward(), reads);
            if (f != null) {
                current = current.with(f, current.backward());
                continue;
            }
            List<Stmt> b = coalesce(current.backward(), reads);
            if (b == null) {
                return current;
            }
            current = current.with(current.forward(), b);
        }
    }

    private static List<Stmt> coalesce(List<Stmt> block, Map<Value, Integer> reads) {
        for (int j = 0; j < block.size(); j++) {
            Stmt s = block.get(j);
            if (s instanceof Stmt.Loop l) {
                List<Stmt> inner = coalesce(l.body(), reads);
                if (inner != null) {
                    List<Stmt> out = new ArrayList<>(block);
                    out.set(j, new Stmt.Loop(l.loop(), inner, l.reversed(), l.pos()));
                    return out;
                }
                continue;
            }
            if (!(s instanceof Stmt.Map copy) || !(copy.expr() instanceof Scalar.In) || copy.args().size() != 1 || !copy.isPointwise()) {
                continue;
            }
            Value t = copy.args().get(0);
            Value dest = copy.out();
            boolean temp = t.kind() == Value.Kind.TEMP || (t.kind() == Value.Kind.ADJOINT && t.primal().kind() == Value.Kind.TEMP);
            if (!temp || reads.getOrDefault(t, 0) != 1 || !t.shape().equals(dest.shape()) || dest.kind() == Value.Kind.VIEW
                    || !copy.domain().equals(dest.shape())) {
                continue;
            }
            for (int i = j - 1; i >= 0; i--) {
                Stmt p = block.get(i);
                if (Uses.mentions(p, dest.root())) {
                    break;
                }
                if (!Uses.mentions(p, t)) {
                    continue;
                }
                Stmt retargeted = retarget(p, t, dest, copy.accumulate());
                if (retargeted != null) {
                    List<Stmt> out = new ArrayList<>(block);
                    out.set(i, retargeted);
                    out.remove(j);
                    return out;
                }
                break;
            }
        }
        return null;
    }

    /** The producer writing into {@code dest} instead of {@code t}; null if it does not write all of t once. */
    private static Stmt retarget(Stmt p, Value t, Value dest, boolean accumulate) {
        if (p instanceof Stmt.Op op && op.out() == t && !op.accumulate()) {
            return new Stmt.Op(dest, op.prim(), op.args(), op.attribute(), accumulate, op.pos(), op.note());
        }
        if (p instanceof Stmt.Map m && m.out() == t && !m.accumulate() && m.domain().equals(t.shape())) {
            return new Stmt.Map(dest, m.expr(), m.args(), m.domain(), accumulate, m.pos(), m.note());
        }
        return null;
    }
}
