package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Scalar;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** Helpers the passes share: rewriting statement lists through loops, and counting uses. */
final class Blocks {
    private Blocks() {}

    /** Each statement replaced by what {@code f} returns; loop bodies rewritten the same way. */
    static List<Stmt> rewrite(List<Stmt> body, Function<Stmt, List<Stmt>> f) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                List<Stmt> inner = rewrite(l.body(), f);
                if (!inner.isEmpty()) {
                    out.add(new Stmt.Loop(l.loop(), inner, l.reversed(), l.pos()));
                }
            } else {
                out.addAll(f.apply(s));
            }
        }
        return out;
    }

    /** The map input reading {@code v}, added to {@code inputs} once. */
    static Scalar in(List<Value> inputs, Value v) {
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) == v) {
                return new Scalar.In(i);
            }
        }
        inputs.add(v);
        return new Scalar.In(inputs.size() - 1);
    }

    /** Every value root read anywhere in {@code bodies}, counted once per reading statement. */
    static java.util.Map<Value, Integer> readCounts(List<List<Stmt>> bodies) {
        java.util.Map<Value, Integer> counts = new IdentityHashMap<>();
        for (List<Stmt> body : bodies) {
            count(body, counts);
        }
        return counts;
    }

    private static void count(List<Stmt> body, java.util.Map<Value, Integer> counts) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                count(l.body(), counts);
                continue;
            }
            Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Value v : Stmt.read(s)) {
                if (seen.add(v.root())) {
                    counts.merge(v.root(), 1, Integer::sum);
                }
            }
        }
    }

    /** A sweep over one statement list, given how often each value is read in the whole plan. */
    interface Sweep {
        List<Stmt> apply(List<Stmt> block, java.util.Map<Value, Integer> reads, boolean[] changed);
    }

    /**
     * Runs {@code sweep} over the forward and backward passes until it changes nothing (read counts
     * are taken afresh before each round; the loss counts as read once, by the caller).
     */
    static Plan untilStable(Plan p, Sweep sweep) {
        Plan current = p;
        while (true) {
            java.util.Map<Value, Integer> reads = readCounts(List.of(current.forward(), current.backward()));
            reads.merge(current.primal().loss(), 1, Integer::sum);
            boolean[] changed = {false};
            List<Stmt> f = sweep.apply(current.forward(), reads, changed);
            List<Stmt> b = sweep.apply(current.backward(), reads, changed);
            if (!changed[0]) {
                return current;
            }
            current = current.with(f, b);
        }
    }
}
