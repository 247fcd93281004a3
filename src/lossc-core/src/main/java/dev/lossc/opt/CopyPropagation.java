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
            } else if (s instanceof Stmt.Map m && isHandBack(m)) {
                List<Stmt> out = roundTrip(block, i, m, whole);
                if (out != null) {
                    return out;
                }
            }
            if (s instanceof Stmt.Map m && isCopy(m) && aliasable(block, i, m.out(), m.args().get(0), whole)) {
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

    /** {@code d_t = d_v}: a var's adjoint handed to the temp assigned to it. */
    private static boolean isHandBack(Stmt.Map m) {
        if (m.accumulate() || !(m.expr() instanceof Scalar.In) || m.args().size() != 1) {
            return false;
        }
        Value to = m.out();
        Value from = m.args().get(0);
        return adjointOfTemp(to) && from.kind() == Value.Kind.ADJOINT && from.primal().kind() == Value.Kind.VAR
                && to.shape().equals(from.shape()) && m.domain().equals(to.shape());
    }

    /**
     * {@code d_t = d_v; …; d_v = d_t} with {@code d_v} untouched in between and {@code d_t} unused
     * elsewhere: the two copies go, and what is between works on {@code d_v} itself (the adjoint of
     * {@code total = total + x} that the hand-back and the snapshot's adjoint pass around).
     */
    private static List<Stmt> roundTrip(List<Stmt> block, int i, Stmt.Map handBack, List<Stmt> whole) {
        Value t = handBack.out();
        Value v = handBack.args().get(0);
        for (int k = 0; k < i; k++) {
            if (Uses.mentions(block.get(k), t)) {
                return null;
            }
        }
        for (int j = i + 1; j < block.size(); j++) {
            Stmt s = block.get(j);
            if (s instanceof Stmt.Map back && !back.accumulate() && back.out() == v && back.expr() instanceof Scalar.In
                    && back.args().size() == 1 && back.args().get(0) == t) {
                int inBlock = 0;
                for (Stmt b : block) {
                    inBlock += Uses.count(b, t);
                }
                int everywhere = 0;
                for (Stmt b : whole) {
                    everywhere += Uses.count(b, t);
                }
                for (Stmt later : block.subList(j + 1, block.size())) {
                    if (Uses.mentions(later, t)) {
                        return null;
                    }
                }
                if (inBlock != everywhere) {
                    return null;
                }
                Map<Value, Value> rename = new IdentityHashMap<>();
                rename.put(t, v);
                List<Stmt> out = new ArrayList<>(block.subList(0, i));
                for (Stmt between : block.subList(i + 1, j)) {
                    out.add(Rename.stmt(between, rename));
                }
                out.addAll(block.subList(j + 1, block.size()));
                return out;
            }
            if (Uses.mentions(s, v)) {
                return null;
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
