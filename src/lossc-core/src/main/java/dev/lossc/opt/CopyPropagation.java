package dev.lossc.opt;

import dev.lossc.ir.Rename;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Scalar;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Adjoints of linear identities become aliases instead of copy loops: {@code d_a = d_y} (the
 * adjoint of {@code y = a + b} for {@code a}, of a copy, of a snapshot) is dropped, and what
 * follows uses {@code d_y}'s storage as {@code d_a}. Safe when, in the block that holds it,
 * {@code d_a} is not used before it, neither is used outside that block, and after it either
 * {@code d_y} is not used at all or neither is written again: then the two never hold different
 * values at once. A var adjoint's round trip {@code d_t = d_v; …; d_v = d_t} (with {@code d_v}
 * untouched in between) becomes the statements in between working on {@code d_v} itself, and so does
 * {@code d_t = d_v; …; d_v = x} when nothing after the overwrite uses {@code d_t}. One
 * sweep per block over an index of where each array is used: linear in the program.
 */
final class CopyPropagation implements Pass {
    public String name() {
        return "copy-propagation";
    }

    public String summary() {
        return "adjoint copies d_a = d_y become aliases of one array";
    }

    public Plan apply(Plan p) {
        // An alias found late in a sweep can enable one earlier in it (a round trip through an
        // added temp): sweep again until nothing changes, usually twice.
        // Hand-offs to an overwritten var adjoint go last, so they never take a copy a round trip or
        // a temp alias would have removed whole.
        List<Stmt> backward = p.backward();
        for (boolean overwritten : new boolean[] {false, true}) {
            while (true) {
                Map<Value, Integer> global = new IdentityHashMap<>(Uses.mentionCounts(backward));
                int[] changes = {0};
                List<Stmt> next = block(backward, global, changes, overwritten);
                if (changes[0] == 0) {
                    break;
                }
                backward = next;
            }
        }
        return p.with(p.forward(), backward);
    }

    /** Where each root is mentioned and written in one block (a loop counts as all of its body). */
    private static final class Index {
        final Map<Value, TreeSet<Integer>> mentions = new IdentityHashMap<>();
        final Map<Value, TreeSet<Integer>> writes = new IdentityHashMap<>();
        final Map<Value, Integer> count = new IdentityHashMap<>();

        Index(List<Stmt> block) {
            for (int i = 0; i < block.size(); i++) {
                Stmt s = block.get(i);
                for (Value v : Uses.readRoots(s)) {
                    mentions.computeIfAbsent(v, x -> new TreeSet<>()).add(i);
                }
                for (Value v : Uses.writtenRoots(s)) {
                    mentions.computeIfAbsent(v, x -> new TreeSet<>()).add(i);
                    writes.computeIfAbsent(v, x -> new TreeSet<>()).add(i);
                }
            }
            for (Map.Entry<Value, Integer> e : Uses.mentionCounts(block).entrySet()) {
                count.put(e.getKey(), e.getValue());
            }
        }

        TreeSet<Integer> mentions(Value v) {
            return mentions.getOrDefault(v, new TreeSet<>());
        }

        TreeSet<Integer> writes(Value v) {
            return writes.getOrDefault(v, new TreeSet<>());
        }

        /** After {@code from}'s statements are renamed to {@code to}, their uses are {@code to}'s. */
        void merge(Value from, Value to) {
            mentions.computeIfAbsent(to, x -> new TreeSet<>()).addAll(mentions(from));
            writes.computeIfAbsent(to, x -> new TreeSet<>()).addAll(writes(from));
            count.merge(to, count.getOrDefault(from, 0), Integer::sum);
            mentions.remove(from);
            writes.remove(from);
            count.remove(from);
        }
    }

    private static List<Stmt> block(List<Stmt> original, Map<Value, Integer> global, int[] changes, boolean overwritten) {
        List<Stmt> block = new ArrayList<>();
        for (Stmt s : original) {
            block.add(s instanceof Stmt.Loop l ? new Stmt.Loop(l.loop(), block(l.body(), global, changes, overwritten), l.reversed(), l.pos()) : s);
        }
        Index index = new Index(block);
        Map<Value, Value> alias = new IdentityHashMap<>();
        boolean[] drop = new boolean[block.size()];
        for (int i = 0; i < block.size(); i++) {
            if (!(block.get(i) instanceof Stmt.Map m) || m.accumulate() || !(m.expr() instanceof Scalar.In) || m.args().size() != 1) {
                continue;
            }
            Value to = find(alias, m.out());
            Value from = find(alias, m.args().get(0).root());
            if (m.out().kind() == Value.Kind.VIEW || m.args().get(0).kind() == Value.Kind.VIEW || to == from
                    || !to.shape().equals(from.shape()) || !m.domain().equals(to.shape())) {
                continue;
            }
            if (adjointOfTemp(to) && adjointOfTemp(from) && to.primal().loops().equals(from.primal().loops())
                    && aliasable(index, i, to, from, global, alias)) {
                alias(alias, index, global, to, from);
                drop[i] = true;
            } else if (adjointOfTemp(to) && isVarAdjoint(from)) {
                Integer back = index.mentions(from).higher(i);
                if (back == null || index.mentions(to).first() != i || !outsideFree(index, to, global, alias)) {
                    continue;
                }
                if (isCopy(block.get(back), from, to, alias) && index.mentions(to).last() == back) {
                    alias(alias, index, global, to, from);
                    drop[i] = true;
                    drop[back] = true;
                } else if (overwritten && index.mentions(to).last() < back && overwrites(block.get(back), from, alias)) {
                    // d_t = d_v; … (d_v untouched) …; d_v = something else: d_t can live in d_v.
                    alias(alias, index, global, to, from);
                    drop[i] = true;
                }
            }
        }
        if (alias.isEmpty()) {
            return block;
        }
        changes[0] += alias.size();
        Map<Value, Value> resolved = new IdentityHashMap<>();
        for (Value v : alias.keySet()) {
            resolved.put(v, find(alias, v));
        }
        List<Stmt> out = new ArrayList<>();
        for (int i = 0; i < block.size(); i++) {
            if (!drop[i]) {
                out.add(Rename.stmt(block.get(i), resolved));
            }
        }
        return out;
    }

    private static Value find(Map<Value, Value> alias, Value v) {
        Value r = v;
        while (alias.containsKey(r)) {
            r = alias.get(r);
        }
        return r;
    }

    /** {@code v = t} (after renaming), a whole assignment. */
    private static boolean isCopy(Stmt s, Value v, Value t, Map<Value, Value> alias) {
        return s instanceof Stmt.Map m && !m.accumulate() && m.expr() instanceof Scalar.In && m.args().size() == 1
                && find(alias, m.out()) == v && find(alias, m.args().get(0)) == t && m.out().kind() != Value.Kind.VIEW;
    }

    /** {@code v = f(…)}, every element written and {@code v} not read: what {@code v} held before is gone. */
    private static boolean overwrites(Stmt s, Value v, Map<Value, Value> alias) {
        return s instanceof Stmt.Map m && !m.accumulate() && m.out().kind() != Value.Kind.VIEW && find(alias, m.out()) == v
                && m.isPointwise() && m.domain().equals(v.shape()) && m.args().stream().noneMatch(a -> find(alias, a.root()) == v);
    }

    private static boolean adjointOfTemp(Value v) {
        return v.kind() == Value.Kind.ADJOINT && v.primal().kind() == Value.Kind.TEMP;
    }

    private static boolean isVarAdjoint(Value v) {
        return v.kind() == Value.Kind.ADJOINT && v.primal().kind() == Value.Kind.VAR;
    }

    /** Neither is used outside this block. */
    private static boolean outsideFree(Index index, Value v, Map<Value, Integer> global, Map<Value, Value> alias) {
        return index.count.getOrDefault(v, 0).equals(global.getOrDefault(v, 0));
    }

    /** Records {@code to} as an alias of {@code from}, in the block's index and in the program's counts. */
    private static void alias(Map<Value, Value> alias, Index index, Map<Value, Integer> global, Value to, Value from) {
        alias.put(to, from);
        index.merge(to, from);
        Integer n = global.remove(to);
        if (n != null) {
            global.merge(from, n, Integer::sum);
        }
    }

    private static boolean aliasable(Index index, int i, Value to, Value from, Map<Value, Integer> global, Map<Value, Value> alias) {
        if (index.mentions(to).first() != i) {
            return false;
        }
        boolean fromUsedAfter = index.mentions(from).higher(i) != null;
        boolean writtenAfter = index.writes(from).higher(i) != null || index.writes(to).higher(i) != null;
        if (fromUsedAfter && writtenAfter) {
            return false;
        }
        return outsideFree(index, to, global, alias) && outsideFree(index, from, global, alias);
    }
}
