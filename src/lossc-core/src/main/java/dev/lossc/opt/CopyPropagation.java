package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Scalar;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adjoints of linear identities become aliases instead of copy loops: {@code d_a = d_y} (the
 * adjoint of {@code y = a + b} for {@code a}, of a copy, of a snapshot) is dropped, and what
 * follows uses {@code d_y}'s storage as {@code d_a}. Safe when, in the block that holds it,
 * {@code d_a} is not used before it, neither is used outside that block, and after it either
 * {@code d_y} is not used at all or neither is written again: then the two never hold different
 * values at once.
 */
final class CopyPropagation implements Pass {
    public String name() {
        return "copy-propagation";
    }

    public String summary() {
        return "adjoint copies d_a = d_y become aliases of one array";
    }

    public Plan apply(Plan p) {
        List<Stmt> backward = p.backward();
        boolean changed = true;
        while (changed) {
            changed = false;
            List<Stmt> next = propagate(backward, backward);
            if (next != null) {
                backward = next;
                changed = true;
            }
        }
        return p.with(p.forward(), backward);
    }

    /** One alias made somewhere in {@code block} (a block of {@code whole}); null if none can be. */
    private static List<Stmt> propagate(List<Stmt> block, List<Stmt> whole) {
        for (int i = 0; i < block.size(); i++) {
            Stmt s = block.get(i);
            if (s instanceof Stmt.Loop l) {
                List<Stmt> inner = propagate(l.body(), whole);
                if (inner != null) {
                    List<Stmt> out = new ArrayList<>(block);
                    out.set(i, new Stmt.Loop(l.loop(), inner, l.reversed(), l.pos()));
                    return out;
                }
            } else if (s instanceof Stmt.Map m && isCopy(m) && aliasable(block, i, m.out(), m.args().get(0), whole)) {
                Map<Value, Value> rename = new IdentityHashMap<>();
                rename.put(m.out(), m.args().get(0));
                List<Stmt> out = new ArrayList<>(block.subList(0, i));
                for (Stmt later : block.subList(i + 1, block.size())) {
                    out.add(Rename.stmt(later, rename));
                }
                return out;
            }
        }
        return null;
    }

    /** {@code d_a = d_y}, whole arrays of one shape, both adjoints of temps. */
    private static boolean isCopy(Stmt.Map m) {
        if (m.accumulate() || !(m.expr() instanceof Scalar.In) || m.args().size() != 1) {
            return false;
        }
        Value to = m.out();
        Value from = m.args().get(0);
        return adjointOfTemp(to) && adjointOfTemp(from) && to.shape().equals(from.shape()) && m.domain().equals(to.shape())
                && to.primal().loops().equals(from.primal().loops());
    }

    private static boolean adjointOfTemp(Value v) {
        return v.kind() == Value.Kind.ADJOINT && v.primal().kind() == Value.Kind.TEMP;
    }

    private static boolean aliasable(List<Stmt> block, int i, Value to, Value from, List<Stmt> whole) {
        boolean fromUsedAfter = false;
        boolean writtenAfter = false;
        for (int k = 0; k < block.size(); k++) {
            if (k < i && Uses.mentions(block.get(k), to)) {
                return false;
            }
            if (k > i) {
                fromUsedAfter |= Uses.mentions(block.get(k), from);
                writtenAfter |= Uses.writes(block.get(k), from) || Uses.writes(block.get(k), to);
            }
        }
        if (fromUsedAfter && writtenAfter) {
            return false;
        }
        // Outside this block, neither may appear at all.
        int inBlock = 0;
        for (Stmt s : block) {
            inBlock += Uses.count(s, to) + Uses.count(s, from);
        }
        int everywhere = 0;
        for (Stmt s : whole) {
            everywhere += Uses.count(s, to) + Uses.count(s, from);
        }
        return inBlock == everywhere;
    }
}
