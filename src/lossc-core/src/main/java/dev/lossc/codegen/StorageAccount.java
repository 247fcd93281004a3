package dev.lossc.codegen;

import dev.lossc.check.Symbol;
import dev.lossc.ir.IrProgram;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The storage a generated class owns, as {@code lossc report} states it: each array and scalar
 * field the writer gives the class, by the {@code .loss} line of the value it holds (the
 * declaration of a param or state, the first statement that writes any other value; line 0 for
 * the class's own scratch rows) and by kind. The caller's input arrays are not the class's.
 */
public final class StorageAccount {
    /** What storage is for. */
    public enum Kind { PARAMS, GRADIENT, WORK, PER_ITERATION, SNAPSHOTS }

    /** {@code bytes} of {@code kind}, for the value of {@code line}. */
    public record Stored(int line, Kind kind, long bytes) {}

    private final List<Stored> stored = new ArrayList<>();
    private final Map<Value, Integer> lines = new IdentityHashMap<>();
    private final int element;

    StorageAccount(IrProgram ir, List<List<Stmt>> bodies, int elementBytes) {
        this.element = elementBytes;
        for (List<Stmt> b : bodies) {
            collect(b);
        }
        for (Value p : ir.params()) {
            Symbol.Param sym = ir.paramSymbols().get(p.index());
            long bytes = (long) sym.shape().size() * element;
            stored.add(new Stored(sym.declared().line(), Kind.PARAMS, bytes));
            stored.add(new Stored(sym.declared().line(), Kind.GRADIENT, bytes));
        }
        for (Symbol.State st : ir.stateSymbols()) {
            stored.add(new Stored(st.declared().line(), Kind.PARAMS, (long) st.shape().size() * element));
        }
    }

    private void collect(List<Stmt> body) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                collect(l.body());
            } else if (s.pos() != null) {
                lines.putIfAbsent(Stmt.written(s).root(), s.pos().line());
            }
        }
    }

    /** The line of the statement that first writes {@code v} (for an adjoint or a tangent, that of the value it belongs to when it has none). */
    private int line(Value v) {
        Integer line = lines.get(v);
        if (line != null) {
            return line;
        }
        if ((v.kind() == Value.Kind.ADJOINT || v.kind() == Value.Kind.TANGENT) && v.primal() != null) {
            return line(v.primal());
        }
        return 0;
    }

    /** A value's field: {@code length} elements, of which {@code once} are one iteration's. */
    void value(Value v, long length, long once) {
        stored.add(new Stored(line(v), Kind.WORK, once * element));
        if (length > once) {
            stored.add(new Stored(line(v), Kind.PER_ITERATION, (length - once) * element));
        }
    }

    /** The adjoint field of primal value {@code v}. */
    void adjoint(Value v, long length) {
        stored.add(new Stored(line(v), Kind.WORK, length * element));
    }

    void scratch(long elements) {
        stored.add(new Stored(0, Kind.WORK, elements * element));
    }

    void snapshots(int line, long elements, long ints, long longs) {
        stored.add(new Stored(line, Kind.SNAPSHOTS, elements * element + ints * 4 + longs * 8));
    }

    public List<Stored> stored() {
        return List.copyOf(stored);
    }
}
