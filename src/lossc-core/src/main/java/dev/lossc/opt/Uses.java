package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Where values are read and written, by root (a view counts as its root). */
final class Uses {
    private Uses() {}

    /** Every value a statement reads or writes (for a loop, its whole body). */
    static List<Value> all(Stmt s) {
        List<Value> out = new ArrayList<>();
        if (s instanceof Stmt.Loop l) {
            for (Stmt b : l.body()) {
                out.addAll(all(b));
            }
            return out;
        }
        out.addAll(Stmt.read(s));
        out.add(Stmt.written(s));
        return out;
    }

    /** The roots a statement reads (for a loop, its body reads). */
    static Set<Value> readRoots(Stmt s) {
        Set<Value> out = Collections.newSetFromMap(new IdentityHashMap<>());
        collect(s, out, true);
        return out;
    }

    /** The roots a statement writes (for a loop, its body writes). */
    static Set<Value> writtenRoots(Stmt s) {
        Set<Value> out = Collections.newSetFromMap(new IdentityHashMap<>());
        collect(s, out, false);
        return out;
    }

    private static void collect(Stmt s, Set<Value> out, boolean reads) {
        if (s instanceof Stmt.Loop l) {
            for (Stmt b : l.body()) {
                collect(b, out, reads);
            }
        } else if (reads) {
            for (Value v : Stmt.read(s)) {
                out.add(v.root());
            }
        } else {
            out.add(Stmt.written(s).root());
        }
    }

    static boolean mentions(Stmt s, Value v) {
        for (Value u : all(s)) {
            if (u.root() == v) {
                return true;
            }
        }
        return false;
    }

    static boolean reads(Stmt s, Value v) {
        return readRoots(s).contains(v);
    }

    /** For every root, how many leaf statements (inside loops too) mention it. */
    static Map<Value, Integer> mentionCounts(List<Stmt> body) {
        Map<Value, Integer> counts = new IdentityHashMap<>();
        countMentions(body, counts);
        return counts;
    }

    private static void countMentions(List<Stmt> body, Map<Value, Integer> counts) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                countMentions(l.body(), counts);
                continue;
            }
            Set<Value> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Value v : all(s)) {
                if (seen.add(v.root())) {
                    counts.merge(v.root(), 1, Integer::sum);
                }
            }
        }
    }
}
