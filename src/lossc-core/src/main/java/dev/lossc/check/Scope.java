package dev.lossc.check;

import java.util.LinkedHashMap;
import java.util.Map;

/** A block of declarations with a link to the enclosing one. */
final class Scope {
    private final Scope parent;
    private final Map<String, Symbol> names = new LinkedHashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    /** A scope that sees exactly {@code visible} (a def's view of what was declared before it). */
    static Scope of(Map<String, Symbol> visible) {
        Scope s = new Scope(null);
        s.names.putAll(visible);
        return s;
    }

    Symbol local(String name) {
        return names.get(name);
    }

    Symbol lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Symbol found = s.names.get(name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    void put(String name, Symbol symbol) {
        names.put(name, symbol);
    }

    /** Everything visible from here, inner names winning. */
    Map<String, Symbol> snapshot() {
        Map<String, Symbol> all = parent == null ? new LinkedHashMap<>() : parent.snapshot();
        all.putAll(names);
        return all;
    }
}
