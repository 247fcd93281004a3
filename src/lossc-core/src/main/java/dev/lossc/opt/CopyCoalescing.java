package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Scalar;
import java.util.ArrayList;
import java.util.IdentityHashMap;
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
        return Blocks.untilStable(p, CopyCoalescing::sweep);
    }

    /** One forward sweep: where each root was last written and last mentioned decides each copy. */
    private static List<Stmt> sweep(List<Stmt> block, Map<Value, Integer> reads, boolean[] changed) {
        List<Stmt> out = new ArrayList<>();
        Map<Value, Integer> lastWrite = new IdentityHashMap<>();
        Map<Value, Integer> lastMention = new IdentityHashMap<>();
        for (Stmt s : block) {
            if (s instanceof Stmt.Loop l) {
                s = new Stmt.Loop(l.loop(), sweep(l.body(), reads, changed), l.reversed(), l.pos());
            } else if (s instanceof Stmt.Map copy && copy.expr() instanceof Scalar.In && copy.args().size() == 1 && copy.isPointwise()) {
                Value t = copy.args().get(0);
                Value dest = copy.out();
                boolean temp = t.kind() == Value.Kind.TEMP || (t.kind() == Value.Kind.ADJOINT && t.primal().kind() == Value.Kind.TEMP);
                Integer at = lastWrite.get(t);
                if (temp && at != null && reads.getOrDefault(t, 0) == 1 && t.shape().equals(dest.shape())
                        && dest.kind() != Value.Kind.VIEW && copy.domain().equals(dest.shape())
                        && lastMention.getOrDefault(dest.root(), -1) < at) {
                    Stmt retargeted = retarget(out.get(at), t, dest, copy.accumulate());
                    if (retargeted != null) {
                        out.set(at, retargeted);
                        lastWrite.put(dest.root(), at);
                        lastMention.put(dest.root(), at);
                        changed[0] = true;
                        continue;
                    }
                }
            }
            int index = out.size();
            out.add(s);
            for (Value v : Uses.readRoots(s)) {
                lastMention.put(v, index);
            }
            for (Value v : Uses.writtenRoots(s)) {
                lastMention.put(v, index);
                lastWrite.put(v, index);
            }
        }
        return out;
    }

    /** The producer writing into {@code dest} instead of {@code t}; null if it does not write all of t once. */
    private static Stmt retarget(Stmt p, Value t, Value dest, boolean accumulate) {
        if (p instanceof Stmt.Op op && op.epilogue() == null && op.out() == t && !op.accumulate()) {
            return new Stmt.Op(dest, op.prim(), op.args(), op.attributes(), accumulate, op.pos(), op.note());
        }
        if (p instanceof Stmt.Map m && m.out() == t && !m.accumulate() && m.domain().equals(t.shape())) {
            return new Stmt.Map(dest, m.expr(), m.args(), m.domain(), accumulate, m.pos(), m.note());
        }
        return null;
    }
}
