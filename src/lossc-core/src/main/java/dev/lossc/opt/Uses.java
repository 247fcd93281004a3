package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.ArrayList;
import java.util.List;

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

    static boolean mentions(Stmt s, Value v) {
        return count(s, v) > 0;
    }

    static int count(Stmt s, Value v) {
        int n = 0;
        for (Value u : all(s)) {
            if (u.root() == v) {
                n++;
            }
        }
        return n;
    }

    static boolean reads(Stmt s, Value v) {
        if (s instanceof Stmt.Loop l) {
            for (Stmt b : l.body()) {
                if (reads(b, v)) {
                    return true;
                }
            }
            return false;
        }
        for (Value u : Stmt.read(s)) {
            if (u.root() == v) {
                return true;
            }
        }
        return false;
    }

    static boolean writes(Stmt s, Value v) {
        if (s instanceof Stmt.Loop l) {
            for (Stmt b : l.body()) {
                if (writes(b, v)) {
                    return true;
                }
            }
            return false;
        }
        return Stmt.written(s).root() == v;
    }
}
