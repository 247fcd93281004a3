package dev.lossc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Scalar;
import dev.lossc.prim.ScalarFn;
import dev.lossc.types.Precision;
import dev.lossc.types.Shape;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The elementwise statements: a {@link Stmt.Map} as one loop over its domain with NumPy's
 * broadcasting (and the sums of a broadcast's adjoint), and the zero fill.
 */
final class Maps {
    private final Loops loops;
    private final Layout layout;
    private final Consumer<ScalarFn> used;
    private final Precision precision;

    Maps(Loops loops, Consumer<ScalarFn> used) {
        this.loops = loops;
        this.layout = loops.layout;
        this.used = used;
        this.precision = loops.precision;
    }

    /** How a value is read (or summed into) at an element (i, j) of a map's domain. */
    private enum Read {
        /** One element for the whole domain (a scalar, or any shape of one element). */
        ONE,
        /** The element itself: the value has the domain's shape. */
        FLAT,
        /** Column j: a vector [n] or a row [1, n], repeated on every row of a matrix domain. */
        COL,
        /** Row i: a column [m, 1], repeated on every column of a matrix domain. */
        ROW
    }

    /** How a value of shape {@code s} lines up with the domain {@code d} (NumPy's broadcasting). */
    private static Read read(Shape s, Shape d) {
        if (s.size() == 1 && !s.varies()) {
            return Read.ONE;
        }
        if (s.rowAxis().equals(d.rowAxis()) && s.colAxis().equals(d.colAxis())) {
            return Read.FLAT;
        }
        boolean oneRow = !s.isMatrix() || (s.rows() == 1 && s.rowDim() == null);
        if (d.isMatrix() && oneRow && s.colAxis().equals(d.colAxis())) {
            return Read.COL;
        }
        if (d.isMatrix() && s.isMatrix() && s.cols() == 1 && s.colDim() == null && s.rowAxis().equals(d.rowAxis())) {
            return Read.ROW;
        }
        throw new IllegalStateException(s + " does not broadcast to " + d);
    }

    /**
     * One elementwise loop over the map's domain. Arguments are read by how they broadcast to it
     * (NumPy's rule): at the element, once (a scalar), by column (a vector or a row {@code [1, n]}
     * of a matrix domain) or by row (a column {@code [m, 1]}). An output smaller than the domain
     * sums what falls on each of its elements: into a local for one element, over the rows for a
     * vector or row, along each row for a column.
     */
    CodeBlock map(Stmt.Map m) {
        Shape d = m.domain();
        Value out = m.out();
        Read into = read(out.shape(), d);
        boolean twoLoops = d.isMatrix() && (into == Read.COL || into == Read.ROW
                || m.args().stream().map(a -> read(a.shape(), d)).anyMatch(r -> r == Read.COL || r == Read.ROW));
        Code c = new Code();
        String w = m.accumulate() ? "+=" : "=";
        boolean sumToScalar = into == Read.ONE && d.size() > 1;
        Function<String[], String> exprAt = idx -> Scalar.java(m.expr(), v -> {
            Value a = m.args().get(((Scalar.In) v).index());
            return layout.at(a, pick(read(a.shape(), d), idx));
        }, used, precision.single());
        if (sumToScalar && !twoLoops && !d.varies()) {
            // A fixed domain summed into one element.
            loops.sumOf(c, "acc", "i", d.size(), i -> exprAt.apply(new String[] {i, i, i}));
            c.add("$L $L $L", layout.at(out, "0"), w, loops.sum("acc"));
            return c.scoped();
        }
        if (sumToScalar) {
            c.declare("double acc = 0.0");
        }
        if (into == Read.COL && !m.accumulate()) {
            Function<String, String> Y = loops.at(out);
            loops.loop(c, "j", out.shape().colAxis(), j -> c.add("$L = $L", Y.apply(j), loops.realZero));
        }
        Consumer<String[]> element = idx -> {
            // idx: flat index in the domain, row index, column index.
            String expr = exprAt.apply(idx);
            switch (into) {
                case ONE -> {
                    if (sumToScalar) {
                        c.add("acc += $L", expr);
                    } else {
                        c.add("$L $L $L", layout.at(out, "0"), w, expr);
                    }
                }
                case FLAT -> c.add("$L $L $L", layout.at(out, idx[0]), w, expr);
                case COL -> c.add("$L += $L", layout.at(out, idx[2]), expr);
                case ROW -> throw new IllegalStateException("a column's sums are emitted row by row");
            }
        };
        if (twoLoops) {
            loops.loop(c, "i", d.rowAxis(), i -> {
                if (into == Read.ROW) {
                    loops.sumOf(c, "acc", "j", d.colAxis(), j -> exprAt.apply(new String[] {Loops.flat(i, d.cols(), j), i, j}));
                    c.add("$L $L $L", layout.at(out, i), w, loops.sum("acc"));
                } else {
                    loops.loop(c, "j", d.colAxis(), j -> element.accept(new String[] {Loops.flat(i, d.cols(), j), i, j}));
                }
            });
        } else {
            loops.each(c, d, i -> element.accept(new String[] {i, i, i}));
        }
        if (sumToScalar) {
            c.add("$L $L $L", layout.at(out, "0"), w, loops.sum("acc"));
        }
        return c.scoped();
    }

    /**
     * Value {@code a} read at element (i, j) of the domain {@code d}, whose flat index is
     * {@code flat}, by how it broadcasts to it (a product's epilogue reads its map's arguments so).
     */
    static String at(Layout layout, Value a, Shape d, String flat, String i, String j) {
        return layout.at(a, pick(read(a.shape(), d), new String[] {flat, i, j}));
    }

    private static String pick(Read r, String[] idx) {
        return switch (r) {
            case ONE -> "0";
            case FLAT -> idx[0];
            case COL -> idx[2];
            case ROW -> idx[1];
        };
    }

    // ------------------------------------------------------------------ zero

    /** {@code target = 0}, every element (a param's adjoint is its range of the gradient). */
    CodeBlock zero(Stmt.Zero statement) {
        Value v = statement.target();
        int n = v.shape().size();
        Code c = new Code();
        Value primal = v.kind() == Value.Kind.ADJOINT ? v.primal() : v;
        if (v.kind() == Value.Kind.ADJOINT && primal.kind() == Value.Kind.PARAM && n > 1) {
            String off = layout.offsetOf(primal);
            return c.add("$T.fill($L, $L, $L + $L, $L)", ClassWriter.ARRAYS, Layout.GRAD, off, off, n, loops.realZero).build();
        }
        if (n > 1 && v.kind() == Value.Kind.ADJOINT) {
            return c.add("$T.fill($L, $L)", ClassWriter.ARRAYS, layout.adjointName(primal), loops.realZero).build();
        }
        Function<String, String> Y = loops.at(v);
        loops.each(c, v.shape(), i -> c.add("$L = $L", Y.apply(i), loops.realZero));
        return c.build();
    }
}
