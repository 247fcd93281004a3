package dev.lossc.check;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Exprs;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Pos;
import dev.lossc.prim.Attributes;
import dev.lossc.prim.Prim;
import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Indexing: positions ({@code v[i]}, {@code A[i, j]}, affine in loop variables, or ids read from
 * int data), slices ({@code A[a..b, ..]}), gathers ({@code E[toks]}), every index checked against
 * its size at compile time (over every value its loop variables take).
 */
final class Indexing {
    private final Session session;

    Indexing(Session session) {
        this.session = session;
    }

    Typed.Expr index(Expr.Index i, Ctx ctx) {
        if (i.indexes().stream().anyMatch(x -> x instanceof Expr.Range)) {
            return slice(i, ctx);
        }
        Typed.Expr base = session.expr(i.base(), ctx);
        Shape s = base == null ? null : base.shape();
        Shape.Axis[] axes = indexAxes(s);
        List<Affine> idx = new ArrayList<>();
        boolean ok = true;
        for (int k = 0; k < i.indexes().size(); k++) {
            Expr x = i.indexes().get(k);
            int limit = axes != null && k < axes.length ? axes[k].size() : 1;
            if (axes != null && k < axes.length && axes[k].varies() && isIntData(x, ctx)) {
                // An id read at run time cannot be bounded by a size chosen at run time.
                session.reporter.error(Exprs.start(x), DiagnosticKind.VARYING_INDEX, axes[k].dim(), axes[k].dim());
                return null;
            }
            Affine a;
            if (i.indexes().size() == 1 && intInput(x, ctx) != null && intInput(x, ctx).shape().rank() >= 2) {
                // E[toks] by a whole int matrix (version 3): the rows looked up, one per id, [B, T] + E's row.
                Typed.IntRef ids = intData(x, true, ctx);
                return base == null || ids == null ? null : gather(base, ids, limit, i.pos(), x.pos(), ctx);
            }
            if (isIntVector(x, ctx)) {
                // E[toks], E[toks[.., t]]: a gather of rows (or of elements, from a vector).
                if (i.indexes().size() != 1) {
                    session.reporter.error(Exprs.start(x), DiagnosticKind.GATHER_FORM, intBase(x, ctx).name());
                    return null;
                }
                Typed.IntRef ids = intData(x, ctx);
                return base == null || ids == null ? null : gather(base, ids, limit, i.pos(), x.pos(), ctx);
            } else {
                a = position(x, limit, ctx);
            }
            if (a == null) {
                ok = false;
            }
            idx.add(a);
        }
        if (base == null || !ok) {
            return null;
        }
        if (idx.size() > s.rank()) {
            tooManyIndexes(i.pos(), s, idx.size());
            return null;
        }
        for (int k = 0; k < idx.size(); k++) {
            ok &= inAxis(idx.get(k), axes[k], i.indexes().get(k));
        }
        if (!ok) {
            return null;
        }
        Shape result = s.isTensor() ? Shape.of(s.axes().subList(idx.size(), s.rank()))
                : s.isMatrix() && idx.size() == 1 ? Shape.vector(s.colAxis()) : Shape.SCALAR;
        return new Typed.Index(base, idx, result, i.pos());
    }

    /** The axes indexes address, in order: a matrix's rows and columns, a vector's length (null for no shape). */
    private static Shape.Axis[] indexAxes(Shape s) {
        return s == null ? null : s.isTensor() ? s.axes().toArray(Shape.Axis[]::new)
                : s.isMatrix() ? new Shape.Axis[] {s.rowAxis(), s.colAxis()} : new Shape.Axis[] {s.colAxis()};
    }

    private void tooManyIndexes(Pos pos, Shape s, int given) {
        session.reporter.error(pos, DiagnosticKind.TOO_MANY_INDEXES, s.isScalar() ? "scalar" : s.isVector() ? "vector" : s.isMatrix() ? "matrix"
                : "tensor of rank " + s.rank(), given);
    }

    /**
     * {@code v[a..b]}, {@code A[a..b]}, {@code A[.., j]}, {@code A[i, a..b]}, {@code A[a..b, c..d]}
     * (version 2): a block of the base. A range's length {@code b - a} is a constant of 1 or more;
     * its start may move with loop variables, and every position it reaches is checked against the
     * size; an axis whose size varies per call is only sliced whole.
     */
    private Typed.Expr slice(Expr.Index i, Ctx ctx) {
        Typed.Expr base = session.expr(i.base(), ctx);
        Shape s = base == null ? null : base.shape();
        List<Expr> xs = i.indexes();
        if (s != null && xs.size() > s.rank()) {
            tooManyIndexes(i.pos(), s, xs.size());
            return null;
        }
        Shape.Axis[] axes = indexAxes(s);
        Affine[] start = new Affine[xs.size()];
        // The length of each range; null for a single index (that axis is dropped).
        Shape.Axis[] length = new Shape.Axis[xs.size()];
        boolean ok = true;
        for (int k = 0; k < xs.size(); k++) {
            Expr x = xs.get(k);
            Shape.Axis axis = axes == null ? null : axes[k];
            if (x instanceof Expr.Range r) {
                if (r.whole()) {
                    start[k] = Affine.of(0);
                    length[k] = axis;
                    continue;
                }
                Affine a = affine(r.from(), ctx);
                Affine b = affine(r.to(), ctx);
                if (a == null || b == null) {
                    ok = false;
                    continue;
                }
                Affine d = b.plus(a, -1);
                if (!d.isConstant() || d.constant() < 1) {
                    session.reporter.error(Exprs.start(x), DiagnosticKind.SLICE_LENGTH, a, b, d);
                    ok = false;
                    continue;
                }
                if (axis != null && axis.varies()) {
                    session.reporter.error(Exprs.start(x), DiagnosticKind.VARYING_SLICE, axis.dim());
                    ok = false;
                    continue;
                }
                start[k] = a;
                length[k] = Shape.Axis.of(d.constant());
                if (axis != null && (a.min() < 0 || a.max() + d.constant() > axis.size())) {
                    String shown = a + ".." + b + (a.isConstant() ? "" : " (whose start runs from " + a.min() + " to " + a.max() + ")");
                    session.reporter.error(Exprs.start(x), DiagnosticKind.SLICE_OUT_OF_BOUNDS, shown, axis.size());
                    ok = false;
                }
                continue;
            }
            if (intInput(x, ctx) != null || isIntVector(x, ctx)) {
                session.reporter.error(Exprs.start(x), DiagnosticKind.GATHER_FORM, intBase(x, ctx).name());
                ok = false;
                continue;
            }
            if (axis != null && axis.varies() && isIntData(x, ctx)) {
                session.reporter.error(Exprs.start(x), DiagnosticKind.VARYING_INDEX, axis.dim(), axis.dim());
                ok = false;
                continue;
            }
            Affine a = position(x, axis == null ? 1 : axis.size(), ctx);
            if (a == null) {
                ok = false;
                continue;
            }
            start[k] = a;
            if (axis != null) {
                ok &= inAxis(a, axis, x);
            }
        }
        if (base == null || !ok) {
            return null;
        }
        Typed.Expr result;
        if (s.isTensor()) {
            result = tensorSlice(base, start, length, i.pos());
        } else if (s.isVector()) {
            result = new Typed.Slice(base, Affine.of(0), start[0], 1, length[0].size(), Shape.vector(length[0]), i.pos());
        } else {
            Shape.Axis h = length[0];
            Shape.Axis w = xs.size() == 1 ? s.colAxis() : length[1];
            Affine col = xs.size() == 1 ? Affine.of(0) : start[1];
            Shape shape = h == null ? Shape.vector(w) : w == null ? Shape.vector(h) : Shape.matrix(h, w);
            result = new Typed.Slice(base, start[0], col, h == null ? 1 : h.size(), w == null ? 1 : w.size(), shape, i.pos());
        }
        return session.counted(result.shape(), i.pos(), ctx) ? result : null;
    }

    /**
     * A slice of a tensor (version 3), each axis given a position, a range or nothing (whole): a view
     * at the block's first element, and when the block is not one run of the storage, a
     * {@link Prim#SUBTENSOR} that copies it out. An axis given a position is dropped.
     */
    private static Typed.Expr tensorSlice(Typed.Expr base, Affine[] start, Shape.Axis[] length, Pos pos) {
        Shape s = base.shape();
        int rank = s.rank();
        int[] stride = Shape.rowMajor(s.sizes());
        Affine offset = Affine.of(0);
        List<Shape.Axis> axes = new ArrayList<>();
        List<Integer> steps = new ArrayList<>();
        for (int k = 0; k < rank; k++) {
            if (k < start.length) {
                offset = offset.plus(start[k].times(stride[k]), 1);
            }
            if (k >= start.length || length[k] != null) {
                axes.add(k >= start.length ? s.axis(k) : length[k]);
                steps.add(stride[k]);
            }
        }
        Shape shape = Shape.of(axes);
        Typed.Expr first = new Typed.Slice(base, Affine.of(0), offset, 1, 1, shape, pos);
        // One run of storage when every axis longer than 1 steps as the block's own row-major layout does.
        boolean run = true;
        for (int k = axes.size() - 1, dense = 1; k >= 0; k--) {
            run &= axes.get(k).size() == 1 && !axes.get(k).varies() || steps.get(k) == dense;
            dense *= axes.get(k).size();
        }
        if (run) {
            return first;
        }
        int[] v = {axes.size(), 1, 1, 1, 1, 0, 0, 0, 0};
        for (int k = 0; k < axes.size(); k++) {
            v[1 + k] = axes.get(k).size();
            v[5 + k] = steps.get(k);
        }
        return new Typed.Apply(Prim.SUBTENSOR, List.of(first), Attributes.ints(v), shape, pos);
    }

    /**
     * One index into an axis of {@code limit} elements: an id read at run time ({@code tok},
     * {@code toks[t]}), which then bounds its int input, or an affine position (null after an error).
     */
    private Affine position(Expr x, int limit, Ctx ctx) {
        if (!isIntData(x, ctx)) {
            return affine(x, ctx);
        }
        Typed.IntRef id = intData(x, ctx);
        if (id == null) {
            return null;
        }
        if (!id.shape().isScalar()) {
            session.reporter.error(Exprs.start(x), DiagnosticKind.GATHER_FORM, id.input().name());
            return null;
        }
        session.indexLimits.merge(id.input(), limit, Math::min);
        return Affine.datum(id.input(), id.at(), limit);
    }

    /** The int input {@code e} names, if it is a bare name of one. */
    private static Symbol.Input intInput(Expr e, Ctx ctx) {
        if (e instanceof Expr.Name n && ctx.scope().lookup(n.id().name()) instanceof Symbol.Input in && in.integer()) {
            return in;
        }
        return null;
    }

    /** The int input {@code e} names or indexes ({@code toks}, {@code toks[…]}), or null. */
    private static Symbol.Input intBase(Expr e, Ctx ctx) {
        Symbol.Input in = intInput(e, ctx);
        return in != null ? in : e instanceof Expr.Index xi ? intInput(xi.base(), ctx) : null;
    }

    /**
     * True if {@code e} is int data: an int input ({@code label}, {@code toks}) or an indexing of
     * one — an element ({@code targets[t]}, {@code toks[i, t]}), or (version 3) a row {@code toks[i]}
     * or a column {@code toks[.., t]} of an int matrix.
     */
    static boolean isIntData(Expr e, Ctx ctx) {
        return intBase(e, ctx) != null;
    }

    /** True if {@code e} is int data whose value is a vector: an int vector input, a row or a column of an int matrix. */
    static boolean isIntVector(Expr e, Ctx ctx) {
        Symbol.Input in = intInput(e, ctx);
        if (in != null) {
            return in.shape().isVector();
        }
        if (!(e instanceof Expr.Index xi) || (in = intInput(xi.base(), ctx)) == null || !in.shape().isMatrix()) {
            return false;
        }
        List<Expr> xs = xi.indexes();
        return (xs.size() == 1 && !(xs.get(0) instanceof Expr.Range))
                || (xs.size() == 2 && xs.get(0) instanceof Expr.Range r && r.whole() && !(xs.get(1) instanceof Expr.Range));
    }

    /**
     * The int data {@code e} names (see {@link #isIntData}): the whole input, one element of it, or a
     * row or column of an int matrix; null after an error (a whole int matrix is C014).
     */
    Typed.IntRef intData(Expr e, Ctx ctx) {
        return intData(e, false, ctx);
    }

    /** As {@link #intData(Expr, Ctx)}; {@code whole}: a whole int matrix is allowed (the labels of a sequence cross-entropy). */
    Typed.IntRef intData(Expr e, boolean whole, Ctx ctx) {
        Symbol.Input data = intInput(e, ctx);
        if (data != null) {
            if (data.shape().rank() >= 2 && !whole) {
                session.reporter.error(e.pos(), DiagnosticKind.INT_MATRIX_WHOLE, data.name(), data.shape(), data.name(), data.name(), data.name());
                return null;
            }
            return new Typed.IntRef(data, data.shape(), e.pos());
        }
        Expr.Index xi = (Expr.Index) e;
        data = intInput(xi.base(), ctx);
        Shape s = data.shape();
        if (s.isTensor()) {
            // Int data of rank 3 or 4 (version 3) is read whole: a lookup, or a sequence loss's labels.
            session.reporter.error(Exprs.start(e), DiagnosticKind.INT_MATRIX_WHOLE, data.name(), s, data.name(), data.name(), data.name());
            return null;
        }
        List<Expr> xs = xi.indexes();
        if (xs.size() > s.rank()) {
            tooManyIndexes(xi.pos(), s, xs.size());
            return null;
        }
        if (s.isVector()) {
            Affine at = affine(xs.get(0), ctx);
            return at == null || !inAxis(at, s.colAxis(), xs.get(0)) ? null : new Typed.IntRef(data, at, Shape.SCALAR, e.pos());
        }
        int cols = s.cols();
        if (xs.size() == 2 && xs.get(0) instanceof Expr.Range r && r.whole()) {
            // A column: every row's element t, cols apart.
            Affine t = affine(xs.get(1), ctx);
            return t == null || !inAxis(t, s.colAxis(), xs.get(1)) ? null : new Typed.IntRef(data, t, cols, Shape.vector(s.rowAxis()), e.pos());
        }
        Affine row = affine(xs.get(0), ctx);
        if (row == null || !inAxis(row, s.rowAxis(), xs.get(0))) {
            return null;
        }
        if (xs.size() == 1) {
            return new Typed.IntRef(data, row.times(cols), 1, Shape.vector(s.colAxis()), e.pos());
        }
        Affine t = affine(xs.get(1), ctx);
        return t == null || !inAxis(t, s.colAxis(), xs.get(1)) ? null : new Typed.IntRef(data, row.times(cols).plus(t, 1), Shape.SCALAR, e.pos());
    }

    /** True if {@code a} is a valid index into {@code axis} (one that varies per call, or a fixed one); else reports where. */
    private boolean inAxis(Affine a, Shape.Axis axis, Expr written) {
        return axis.varies() ? inVaryingBounds(a, axis, written) : inBounds(a, axis.size(), written);
    }

    /** True if {@code a} stays in {@code 0 … size - 1} over its loops; else C007 at {@code written}, naming its range. */
    private boolean inBounds(Affine a, int size, Expr written) {
        if (a.min() >= 0 && a.max() < size) {
            return true;
        }
        String shown = a.isConstant() ? a.toString() : a + " (which runs from " + a.min() + " to " + a.max() + ")";
        session.reporter.error(Exprs.start(written), DiagnosticKind.INDEX_OUT_OF_BOUNDS, shown, size);
        return false;
    }

    /**
     * An index into an axis whose size varies per call is in bounds at every size only if it is
     * {@code i - c} with {@code c >= 0} (other loop variables may only subtract), {@code i} running
     * to that dim, and it is never negative.
     */
    private boolean inVaryingBounds(Affine a, Shape.Axis axis, Expr written) {
        List<Affine.Term> up = a.terms().stream().filter(t -> t.coefficient() > 0).toList();
        boolean ok = up.size() == 1 && !up.get(0).isData() && up.get(0).coefficient() == 1
                && axis.dim().equals(up.get(0).loop().toDim()) && a.min() >= 0;
        if (ok) {
            List<Affine.Term> rest = new ArrayList<>(a.terms());
            rest.remove(up.get(0));
            ok = new Affine(a.constant(), rest).max() <= 0;
        }
        if (!ok) {
            session.reporter.error(Exprs.start(written), DiagnosticKind.VARYING_INDEX, axis.dim(), axis.dim());
        }
        return ok;
    }

    /** {@code E[toks]} → rows {@code E[toks[0]], E[toks[1]], …}; {@code v[toks]} → elements; ids from a row or column of an int matrix likewise. */
    private Typed.Expr gather(Typed.Expr base, Typed.IntRef ids, int limit, Pos pos, Pos at, Ctx ctx) {
        Shape s = base.shape();
        if (s.isScalar()) {
            session.reporter.error(pos, DiagnosticKind.TOO_MANY_INDEXES, "scalar", 1);
            return null;
        }
        if (s.isTensor()) {
            session.reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, "a lookup by int data", "a vector or a matrix to look up in", s);
            return null;
        }
        if (s.lengthAxis().varies()) {
            session.reporter.error(at, DiagnosticKind.VARYING_INDEX, s.lengthAxis().dim(), s.lengthAxis().dim());
            return null;
        }
        Shape result;
        if (ids.shape().rank() >= 2) {
            // By int data of rank 2 or more (version 3): its shape, then the base's row.
            List<Shape.Axis> axes = new ArrayList<>(ids.shape().axes());
            if (s.isMatrix()) {
                axes.add(s.colAxis());
            }
            if (axes.size() > Shape.MAX_RANK) {
                session.reporter.error(at, DiagnosticKind.SHAPE_RANK, axes.size());
                return null;
            }
            result = session.checkedTensor(axes, "the gathered rows", at);
        } else {
            Shape.Axis m = ids.shape().colAxis();
            result = s.isVector() ? Shape.vector(m) : session.checkedMatrix(m, s.colAxis(), "the gathered rows", at);
        }
        if (result == null) {
            return null;
        }
        session.indexLimits.merge(ids.input(), limit, Math::min);
        return session.apply(Prim.GATHER, List.of(base, ids), Attributes.NONE, result, pos, ctx);
    }

    /** An index: integer literals, dims and loop variables combined with + and - (and parentheses). */
    Affine affine(Expr e, Ctx ctx) {
        if (e instanceof Expr.Num n && n.value() == Math.rint(n.value()) && Math.abs(n.value()) <= Session.MAX_ELEMENTS) {
            return Affine.of((int) n.value());
        } else if (e instanceof Expr.Name n) {
            Symbol s = ctx.scope().lookup(n.id().name());
            if (s instanceof Symbol.Dim d) {
                if (d.varying()) {
                    session.reporter.error(n.pos(), DiagnosticKind.VARYING_DIM_USE, d.name(), d.name(), "an index");
                    return null;
                }
                return Affine.of(d.value());
            }
            if (s instanceof Symbol.Loop l) {
                return new Affine(0, List.of(new Affine.Term(l, 1)));
            }
            if (s == null) {
                session.reporter.error(n.pos(), DiagnosticKind.UNKNOWN_NAME, n.id().name());
                return null;
            }
            if (s instanceof Symbol.Poisoned) {
                return null;
            }
        } else if (e instanceof Expr.Neg n) {
            Affine a = affine(n.operand(), ctx);
            return a == null ? null : a.negate();
        } else if (e instanceof Expr.Binary b && (b.op() == Expr.BinaryOp.ADD || b.op() == Expr.BinaryOp.SUB)) {
            Affine l = affine(b.left(), ctx);
            Affine r = affine(b.right(), ctx);
            return l == null || r == null ? null : l.plus(r, b.op() == Expr.BinaryOp.ADD ? 1 : -1);
        } else if (e instanceof Expr.Binary b && b.op() == Expr.BinaryOp.MUL) {
            // A product with a constant side (version 2: 2 * H, t * 3), so slices of gates read naturally.
            Affine l = affine(b.left(), ctx);
            Affine r = affine(b.right(), ctx);
            if (l == null || r == null) {
                return null;
            }
            if (l.isConstant() || r.isConstant()) {
                return l.isConstant() ? r.times(l.constant()) : l.times(r.constant());
            }
        }
        session.reporter.error(Exprs.start(e), e instanceof Expr.Range ? DiagnosticKind.RANGE_NOT_INDEX : DiagnosticKind.BAD_INDEX);
        return null;
    }
}
