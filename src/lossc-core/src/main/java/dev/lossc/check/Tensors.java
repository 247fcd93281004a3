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
import java.util.Map;
import java.util.Set;

/**
 * Version 3's tensors of rank 3 and 4: convolution and pooling with PyTorch's arguments, layouts
 * and output sizes, a broadcast to a tensor's shape, and a sum over one of its axes. Each is one
 * primitive of the table whose attributes are the geometry worked out here; the names are not
 * reserved.
 */
final class Tensors {
    private static final Set<String> CONVS = Set.of("conv1d", "conv2d");
    private static final Set<String> POOLS = Set.of("max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d");

    static boolean named(String name) {
        return CONVS.contains(name) || POOLS.contains(name);
    }

    private final Session session;

    Tensors(Session session) {
        this.session = session;
    }

    /** {@code x} spread over {@code target} (a tensor's shape) by NumPy's rule: a broadcast, or x itself if it already has that shape or is a scalar. */
    static Typed.Expr broadcastTo(Typed.Expr x, Shape target, Pos pos) {
        Shape s = x.shape();
        if (s.isScalar() || s.equals(target)) {
            return x;
        }
        return new Typed.Apply(Prim.BROADCAST, List.of(x), Attributes.broadcast(target, s), target, pos);
    }

    /** {@code sum(X, axis)} of a tensor: the axis summed away (a reduction to X's shape with that axis 1). */
    Typed.Expr sumAxis(Typed.Expr x, int axis, Pos pos, Ctx ctx) {
        Shape s = x.shape();
        List<Shape.Axis> kept = new ArrayList<>(s.axes());
        kept.set(axis, Shape.Axis.of(1));
        Attributes g = Attributes.broadcast(s, Shape.of(kept));
        kept.remove(axis);
        Shape result = Shape.of(kept);
        return session.apply(Prim.REDUCE_TO, List.of(x), g, result, pos, ctx);
    }

    /** {@code permute} of a tensor: axis k of the result is axis {@code perm[k]} of x; x itself for the identity. */
    Typed.Expr permute(Typed.Expr x, int[] perm, Pos pos, Ctx ctx) {
        Shape s = x.shape();
        List<Shape.Axis> axes = new ArrayList<>();
        boolean identity = true;
        for (int k = 0; k < perm.length; k++) {
            axes.add(s.axis(perm[k]));
            identity &= perm[k] == k;
        }
        if (identity) {
            return x;
        }
        if (s.rowAxis().varies() && perm[0] != 0) {
            session.reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, "permute", "the first axis kept first, since its size varies per call", s);
            return null;
        }
        int[] v = {perm.length, 1, 1, 1, 1, 0, 1, 2, 3};
        for (int k = 0; k < perm.length; k++) {
            v[1 + k] = s.axis(k).size();
            v[5 + k] = perm[k];
        }
        return session.apply(Prim.PERMUTE, List.of(x), Attributes.ints(v), Shape.of(axes), pos, ctx);
    }

    /** All of {@code x}'s elements, in order, seen as {@code shape} (as many): a view of its storage, no copy. */
    static Typed.Expr view(Typed.Expr x, Shape shape, Pos pos) {
        Shape a = x.shape();
        return new Typed.Slice(x, Affine.of(0), Affine.of(0), a.rank() >= 2 ? a.rows() : 1, a.cols(), shape, pos);
    }

    /** The order that moves {@code axis} of {@code rank} axes last, the others kept in order. */
    private static int[] toLast(int axis, int rank) {
        int[] perm = new int[rank];
        for (int k = 0, j = 0; k < rank; k++) {
            if (k != axis) {
                perm[j++] = k;
            }
        }
        perm[rank - 1] = axis;
        return perm;
    }

    /**
     * {@code f} along {@code axis} of a tensor (version 3): the axis moved last (a permute; none when
     * it is last), {@code f} on the matrix of that last axis ({@code [.., K]} as {@code [rows, K]}, a
     * view), and its result put back: a value of the same shape gets its axes back in place, a
     * reduction's vector is seen as the other axes.
     */
    Typed.Expr along(String name, Typed.Expr x, int axis, Pos pos, Ctx ctx, java.util.function.UnaryOperator<Typed.Expr> f) {
        int rank = x.shape().rank();
        if (axis == 0 && x.shape().rowAxis().varies()) {
            session.reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, "a tensor whose first axis, whose size varies per call, is not the axis", x.shape());
            return null;
        }
        int[] perm = toLast(axis, rank);
        Typed.Expr moved = permute(x, perm, pos, ctx);
        if (moved == null) {
            return null;
        }
        Shape m = moved.shape();
        Typed.Expr y = f.apply(view(moved, m.lastAxisRows(), pos));
        if (y == null) {
            return null;
        }
        if (y.shape().isVector()) {
            return view(y, Shape.of(m.axes().subList(0, rank - 1)), pos);
        }
        int[] back = new int[rank];
        for (int k = 0; k < rank; k++) {
            back[perm[k]] = k;
        }
        return permute(view(y, m, pos), back, pos, ctx);
    }

    /**
     * {@code concat(A, B, axis)} of two tensors of one rank, equal but along {@code axis}: each seen
     * as the matrix of the axes before it by the rest ({@code [a0 * … * a(k-1), ak * …]}), so the
     * row-major join is a join of columns (of rows, along axis 0); the result seen as the tensor.
     */
    Typed.Expr concat(Typed.Expr a, Typed.Expr b, int axis, Pos pos, Ctx ctx) {
        Shape x = a.shape();
        Shape y = b.shape();
        List<Shape.Axis> out = new ArrayList<>(x.axes());
        boolean fits = x.rank() == y.rank();
        for (int k = 0; fits && k < x.rank(); k++) {
            fits = k == axis ? !x.axis(k).varies() && !y.axis(k).varies() : x.axis(k).equals(y.axis(k));
        }
        if (!fits) {
            session.reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, "concat(A, B, " + axis + ")",
                    "two tensors of one rank whose sizes agree but along axis " + axis + ", where they do not vary per call", x + " and " + y);
            return null;
        }
        out.set(axis, Shape.Axis.of(x.axis(axis).size() + y.axis(axis).size()));
        Shape shape = session.checkedTensor(out, "the result of 'concat'", pos);
        if (shape == null) {
            return null;
        }
        Typed.Expr joined;
        if (axis == 0) {
            joined = session.apply(Prim.CONCAT, List.of(view(a, Shape.matrix(x.axis(0), Shape.Axis.of(x.cols())), pos),
                    view(b, Shape.matrix(y.axis(0), Shape.Axis.of(y.cols())), pos)), Attributes.ints(0), shape.storage(), pos, ctx);
        } else {
            Shape.Axis before = x.axis(0);
            for (int k = 1; k < axis; k++) {
                before = before.times(x.axis(k).size());
            }
            int after = 1;
            for (int k = axis + 1; k < x.rank(); k++) {
                after *= x.axis(k).size();
            }
            Shape joint = Shape.matrix(before, Shape.Axis.of(out.get(axis).size() * after));
            joined = session.apply(Prim.CONCAT, List.of(view(a, Shape.matrix(before, Shape.Axis.of(x.axis(axis).size() * after)), pos),
                    view(b, Shape.matrix(before, Shape.Axis.of(y.axis(axis).size() * after)), pos)), Attributes.ints(1), joint, pos, ctx);
        }
        return joined == null ? null : view(joined, shape, pos);
    }

    /**
     * {@code A @ B} with a tensor on the right, or on both sides (version 3), {@code torch.matmul}'s
     * batches of matrices: {@code [.., m, n] @ [.., n, k]} → {@code [.., m, k]}, the leading axes
     * broadcast by NumPy's rule ({@code [b, m, n] @ [1, n, k]}, {@code [m, n] @ [b, n, k]},
     * {@code [a, b, m, n] @ [b, n, k]}); an operand short of the result's leading axes is spread to
     * them first ({@link Prim#BROADCAST}; its adjoint sums back). Null after reporting an error.
     */
    Typed.Expr batchedProduct(Typed.Expr a, Typed.Expr b, Pos pos, Ctx ctx) {
        Shape x = a.shape();
        Shape y = b.shape();
        // An operand that is a tensor with its last two axes swapped is read transposed in place, not copied.
        Typed.Expr ra = swappedLastTwo(a);
        Typed.Expr rb = swappedLastTwo(b);
        List<Shape.Axis> xl = x.axes().subList(0, x.rank() - 2);
        List<Shape.Axis> yl = y.axes().subList(0, y.rank() - 2);
        int r = Math.max(xl.size(), yl.size());
        List<Shape.Axis> lead = new ArrayList<>();
        boolean fits = x.axis(x.rank() - 1).equals(y.axis(y.rank() - 2));
        for (int k = 0; fits && k < r; k++) {
            Shape.Axis p = k - (r - xl.size()) >= 0 ? xl.get(k - (r - xl.size())) : null;
            Shape.Axis q = k - (r - yl.size()) >= 0 ? yl.get(k - (r - yl.size())) : null;
            boolean oneP = p == null || (p.size() == 1 && !p.varies());
            boolean oneQ = q == null || (q.size() == 1 && !q.varies());
            fits = oneP || oneQ || p.equals(q);
            lead.add(oneP ? (q == null ? p : q) : p);
        }
        if (!fits) {
            session.reporter.error(pos, DiagnosticKind.MATMUL_SHAPES, x, y);
            return null;
        }
        List<Shape.Axis> ax = new ArrayList<>(lead);
        ax.addAll((ra != null ? ra : a).shape().axes().subList(x.rank() - 2, x.rank()));
        List<Shape.Axis> by = new ArrayList<>(lead);
        by.addAll((rb != null ? rb : b).shape().axes().subList(y.rank() - 2, y.rank()));
        List<Shape.Axis> out = new ArrayList<>(lead);
        out.add(x.axis(x.rank() - 2));
        out.add(y.axis(y.rank() - 1));
        for (List<Shape.Axis> axes : List.of(out, ax, by)) {
            for (int k = 1; k < axes.size(); k++) {
                if (axes.get(k).varies()) {
                    session.reporter.error(pos, DiagnosticKind.VARYING_DIM_AXIS, axes.get(k).dim(), "a tensor");
                    return null;
                }
            }
        }
        Shape shape = session.checkedTensor(out, "the result of '@'", pos);
        Shape sa = shape == null ? null : session.checkedTensor(ax, "the left operand of '@' spread over the batch", pos);
        Shape sb = sa == null ? null : session.checkedTensor(by, "the right operand of '@' spread over the batch", pos);
        if (sb == null) {
            return null;
        }
        int m = x.axis(x.rank() - 2).size();
        int n = x.axis(x.rank() - 1).size();
        int k = y.axis(y.rank() - 1).size();
        return session.apply(Prim.BATCHED_MATMUL, List.of(broadcastTo(ra != null ? ra : a, sa, pos), broadcastTo(rb != null ? rb : b, sb, pos)),
                Attributes.ints(m, n, k, ra != null ? 1 : 0, rb != null ? 1 : 0), shape, pos, ctx);
    }

    /** The operand of {@code x} if x is a permute that only swaps the last two axes ({@code transpose(X, -1, -2)}); else null. */
    private static Typed.Expr swappedLastTwo(Typed.Expr x) {
        if (!(x instanceof Typed.Apply ap) || ap.prim() != Prim.PERMUTE) {
            return null;
        }
        int rank = ap.attributes().integer(0);
        for (int k = 0; k < rank; k++) {
            int to = k < rank - 2 ? k : 2 * rank - 3 - k;
            if (ap.attributes().integer(5 + k) != to) {
                return null;
            }
        }
        return ap.args().get(0);
    }

    /** A call of a convolution or a pool, or null after an error. */
    Typed.Expr call(Expr.Call c, Ctx ctx) {
        String name = c.function().name();
        boolean conv = CONVS.contains(name);
        boolean twoD = name.endsWith("2d");
        List<String> names = conv ? List.of("stride", "padding", "dilation", "groups") : List.of("kernel", "stride", "padding");
        int operands = conv ? 2 : 1;
        // Positional: the operands, then (a pool's) kernel, stride and padding, PyTorch's order.
        int most = conv ? operands : operands + 3;
        if (c.args().size() < operands || c.args().size() > most) {
            session.reporter.error(c.pos(), DiagnosticKind.ARITY, name, conv ? "2 arguments (X, K), then stride, padding, dilation and groups by name"
                    : "X and its kernel size, then stride and padding", c.args().size());
            return null;
        }
        Map<String, Expr> given = new java.util.LinkedHashMap<>();
        for (int k = operands; k < c.args().size(); k++) {
            given.put(names.get(k - operands), c.args().get(k));
        }
        for (Expr.NamedArg n : c.named()) {
            String key = n.name().name();
            if (!names.contains(key)) {
                session.reporter.error(n.name().pos(), DiagnosticKind.UNKNOWN_ARGUMENT, name, key);
                return null;
            }
            if (given.put(key, n.value()) != null) {
                session.reporter.error(n.name().pos(), DiagnosticKind.ARGUMENT_TWICE, key, name);
                return null;
            }
        }
        Typed.Expr x = session.expr(c.args().get(0), ctx);
        Typed.Expr k = conv ? session.expr(c.args().get(1), ctx) : null;
        if (x == null || (conv && k == null)) {
            return null;
        }
        Shape xs = x.shape();
        int rank = twoD ? 4 : 3;
        if (xs.rank() != rank) {
            session.reporter.error(Exprs.start(c.args().get(0)), DiagnosticKind.ARGUMENT_SHAPE, name,
                    twoD ? "an input [N, C, H, W]" : "an input [N, C, L]", xs);
            return null;
        }
        int C = xs.axis(1).size();
        int H = twoD ? xs.axis(2).size() : 1;
        int W = xs.axis(rank - 1).size();
        int[] kernel;
        int O = 0;
        int groups = 1;
        if (conv) {
            Shape ks = k.shape();
            if (ks.rank() != rank) {
                session.reporter.error(Exprs.start(c.args().get(1)), DiagnosticKind.ARGUMENT_SHAPE, name,
                        twoD ? "a kernel [O, C / groups, kh, kw]" : "a kernel [O, C / groups, k]", ks);
                return null;
            }
            O = ks.rows();
            kernel = new int[] {twoD ? ks.axis(2).size() : 1, ks.axis(rank - 1).size()};
            Integer g = given.containsKey("groups") ? number(given.get("groups"), "groups", 1, ctx) : Integer.valueOf(1);
            if (g == null) {
                return null;
            }
            groups = g;
            if (C % groups != 0 || O % groups != 0) {
                session.reporter.error(c.pos(), DiagnosticKind.CONV_SHAPE, name, "groups = " + groups + " must divide the input's " + C
                        + " channels and the kernel's " + O + " output channels");
                return null;
            }
            if (ks.axis(1).size() != C / groups) {
                session.reporter.error(Exprs.start(c.args().get(1)), DiagnosticKind.CONV_SHAPE, name, "the kernel " + ks + " must have C / groups = "
                        + C / groups + " input channels (the input " + xs + " has " + C + (groups > 1 ? ", in " + groups + " groups" : "") + ")");
                return null;
            }
        } else {
            if (!given.containsKey("kernel")) {
                session.reporter.error(c.pos(), DiagnosticKind.ARITY, name, "X and its kernel size, then stride and padding", c.args().size());
                return null;
            }
            kernel = pair(name, given.get("kernel"), "kernel", 1, twoD, ctx);
            if (kernel == null) {
                return null;
            }
        }
        int[] stride = given.containsKey("stride") ? pair(name, given.get("stride"), "stride", 1, twoD, ctx) : conv ? new int[] {1, 1} : kernel.clone();
        int[] padding = given.containsKey("padding") ? pair(name, given.get("padding"), "padding", 0, twoD, ctx) : new int[] {0, 0};
        int[] dilation = given.containsKey("dilation") ? pair(name, given.get("dilation"), "dilation", 1, twoD, ctx) : new int[] {1, 1};
        if (stride == null || padding == null || dilation == null) {
            return null;
        }
        if (!conv && (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1])) {
            session.reporter.error(Exprs.start(given.get("padding")), DiagnosticKind.CONV_SHAPE, name,
                    "padding " + size(padding, twoD) + " must be at most half the kernel " + size(kernel, twoD));
            return null;
        }
        int[] in = {H, W};
        int[] out = new int[2];
        for (int a = 0; a < 2; a++) {
            int span = dilation[a] * (kernel[a] - 1) + 1;
            if (in[a] + 2 * padding[a] < span) {
                session.reporter.error(c.pos(), DiagnosticKind.CONV_SHAPE, name, "the kernel " + size(kernel, twoD) + (dilation[a] > 1 ? " dilated by "
                        + size(dilation, twoD) : "") + " is larger than the padded input " + size(new int[] {H + 2 * padding[0], W + 2 * padding[1]}, twoD));
                return null;
            }
            out[a] = (in[a] + 2 * padding[a] - span) / stride[a] + 1;
        }
        List<Shape.Axis> result = new ArrayList<>();
        result.add(xs.rowAxis());
        result.add(Shape.Axis.of(conv ? O : C));
        if (twoD) {
            result.add(Shape.Axis.of(out[0]));
        }
        result.add(Shape.Axis.of(out[1]));
        Shape shape = session.checkedTensor(result, "the result of '" + name + "'", c.pos());
        if (shape == null) {
            return null;
        }
        if (conv) {
            Attributes g = Attributes.ints(C, H, W, O, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
                    groups, out[0], out[1]);
            return session.apply(Prim.CONV, List.of(x, k), g, shape, c.pos(), ctx);
        }
        Attributes g = Attributes.ints(C, H, W, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], out[0], out[1]);
        return session.apply(name.startsWith("max") ? Prim.MAX_POOL : Prim.AVG_POOL, List.of(x), g, shape, c.pos(), ctx);
    }

    private static String size(int[] v, boolean twoD) {
        return twoD ? "(" + v[0] + ", " + v[1] + ")" : Integer.toString(v[1]);
    }

    /** A size argument: one number (both axes), or for a 2-D form a pair {@code (h, w)}; as {h, w} (h is 1 for a 1-D form). */
    private int[] pair(String name, Expr e, String what, int least, boolean twoD, Ctx ctx) {
        if (e instanceof Expr.Tuple t) {
            if (!twoD || t.items().size() != 2) {
                session.reporter.error(t.pos(), DiagnosticKind.CONV_SHAPE, name, what + " must be " + (twoD ? "one number or a pair (h, w)" : "one number")
                        + ", but it is " + t.items().size() + " numbers");
                return null;
            }
            Integer h = number(t.items().get(0), what, least, ctx);
            Integer w = number(t.items().get(1), what, least, ctx);
            return h == null || w == null ? null : new int[] {h, w};
        }
        Integer n = number(e, what, least, ctx);
        // A 1-D form's height axis has size 1: no padding on it, every other size 1.
        return n == null ? null : twoD ? new int[] {n, n} : new int[] {least, n};
    }

    /** A constant whole number of at least {@code least}, or null after an error. */
    private Integer number(Expr e, String what, int least, Ctx ctx) {
        Typed.Expr v = session.expr(e, ctx);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Typed.Const k) || k.value() != Math.rint(k.value()) || k.value() < least || k.value() > 1 << 20) {
            session.reporter.error(Exprs.start(e), DiagnosticKind.BAD_AXIS, what, "a whole number of at least " + least, Session.describe(v));
            return null;
        }
        return (int) k.value();
    }
}
