package dev.lossc.check;

import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Pos;
import dev.lossc.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in functions that are not one primitive of the table: each is checked here and
 * rewritten by the lowering into primitives ({@link Derived}), so it needs no derivative of its
 * own. Some pick a primitive from their arguments ({@code softmax(X, 1)} is the table's
 * {@code SOFTMAX}, {@code softmax(X, 0)} a derived form over the transpose); {@code row} and
 * {@code column} are views.
 */
final class DerivedForms {
    /**
     * A derived function as programs call it: from {@code min} to {@code max} arguments, the last
     * ones constants that may be given by the {@code names} ({@code axis}; {@code p} for
     * {@code dropout}; {@code momentum} and {@code eps} for {@code batch_norm}), or by position
     * only when there are none; {@code reserved}: no declaration may take the name (the functions
     * of version 1).
     */
    record Form(String name, boolean reserved, int min, int max, List<String> names) {
        /** True if a call with {@code count} arguments is this form's (max and min of two are the table's). */
        boolean handles(int count) {
            return count >= min && count <= max;
        }
    }

    private static final Map<String, Form> FORMS = new LinkedHashMap<>();

    private static void form(String name, boolean reserved, int min, int max, String... names) {
        FORMS.put(name, new Form(name, reserved, min, max, List.of(names)));
    }

    static {
        form("mean", true, 1, 2, "axis");
        form("softmax", true, 1, 2, "axis");
        form("log_softmax", true, 1, 2, "axis");
        form("logsumexp", true, 1, 2, "axis");
        form("mse", true, 2, 2);
        form("cross_entropy", true, 2, 2);
        form("bce_logits", true, 2, 2);
        form("l2", true, 1, 1);
        form("l1", true, 1, 1);
        form("max", true, 1, 1);
        form("min", true, 1, 1);
        // Version 2: a declaration may take these names (and hides the built-in in its scope).
        form("norm", false, 1, 1);
        form("amax", false, 1, 2, "axis");
        form("amin", false, 1, 2, "axis");
        form("row", false, 1, 1);
        form("column", false, 1, 1);
        // Version 3.
        form("dropout", false, 1, 2, "p");
        form("batch_norm", false, 5, 7, "momentum", "eps");
    }

    /** The derived form called {@code name}, or null. */
    static Form named(String name) {
        return FORMS.get(name);
    }

    /** True if argument {@code k} (from 0) of a call to {@code name} is a state: {@code batch_norm}'s running mean and variance. */
    static boolean takesState(String name, int k) {
        return (k == 3 || k == 4) && name.equals("batch_norm");
    }

    /** True if argument {@code k} of a call to {@code name} may be int data (class labels). */
    static boolean takesIntData(String name, int k) {
        return k == 1 && name.equals("cross_entropy");
    }

    /** True if a call of {@code name} with {@code count} arguments takes tensors (rank 3 or 4): what works on every element alike. */
    private static boolean takesTensor(String name, int count) {
        return switch (name) {
            case "mean" -> true;
            case "max", "min", "amax", "amin", "l1", "l2", "norm", "dropout", "mse", "bce_logits" -> true;
            // Along the last axis, and the sequence loss over int labels of the leading axes.
            case "softmax", "log_softmax", "logsumexp", "cross_entropy", "batch_norm" -> true;
            default -> false;
        };
    }

    private final Session session;

    DerivedForms(Session session) {
        this.session = session;
    }

    /**
     * Checks a call of form {@code f} with these arguments (named ones already in their places;
     * none null), {@code at} the position of each, and gives its typed expression (null after
     * reporting an error).
     */
    Typed.Expr call(Form f, List<Typed.Expr> args, List<Pos> at, Pos pos, Ctx ctx) {
        String name = f.name();
        Typed.Expr x = args.get(0);
        Shape a = x.shape();
        for (int k = 0; k < args.size(); k++) {
            if (args.get(k) != null && args.get(k).shape().isTensor() && !takesTensor(name, args.size())) {
                session.reporter.error(at.get(k), DiagnosticKind.ARGUMENT_SHAPE, name, "a scalar, a vector or a matrix", args.get(k).shape());
                return null;
            }
        }
        if (a.isTensor() && name.equals("mean") && args.size() == 2) {
            // mean(X, axis) of a tensor: its sum along the axis over the axis's size.
            Integer axis = session.axis(args.get(1), a.rank(), at.get(1));
            if (axis == null) {
                return null;
            }
            if (a.axis(axis).varies()) {
                session.reporter.error(at.get(1), DiagnosticKind.VARYING_DIM_USE, a.axis(axis).dim(), a.axis(axis).dim(), "the axis of a tensor's mean");
                return null;
            }
            Typed.Expr sum = session.tensors.sumAxis(x, axis, pos, ctx);
            return sum == null ? null : session.apply(dev.lossc.prim.Prim.MUL, List.of(sum, new Typed.Const(1.0 / a.axis(axis).size(), pos)),
                    dev.lossc.prim.Attributes.NONE, sum.shape(), pos, ctx);
        }
        switch (name) {
            case "mean", "amax", "amin" -> {
                if (args.size() == 1) {
                    Derived d = name.equals("mean") ? Derived.MEAN : name.equals("amax") ? Derived.MAX_ALL : Derived.MIN_ALL;
                    return session.derived(d, args, Shape.SCALAR, pos, ctx);
                }
                if (a.isTensor()) {
                    // Version 3: along any axis of a tensor, which it removes.
                    Integer axis = session.axis(args.get(1), a.rank(), at.get(1));
                    Derived d = name.equals("amax") ? Derived.AMAX_AXIS1 : Derived.AMIN_AXIS1;
                    return axis == null ? null : session.tensors.along(name, x, axis, pos, ctx,
                            m -> session.derived(d, List.of(m), Shape.vector(m.shape().rowAxis()), pos, ctx));
                }
                Integer axis = axis(args.get(1), at.get(1));
                if (axis == null || !matrix(name, a, at.get(0))) {
                    return null;
                }
                boolean zero = axis == 0;
                Derived d = switch (name) {
                    case "mean" -> zero ? Derived.MEAN_AXIS0 : Derived.MEAN_AXIS1;
                    case "amax" -> zero ? Derived.AMAX_AXIS0 : Derived.AMAX_AXIS1;
                    default -> zero ? Derived.AMIN_AXIS0 : Derived.AMIN_AXIS1;
                };
                return session.derived(d, List.of(x), Shape.vector(zero ? a.colAxis() : a.rowAxis()), pos, ctx);
            }
            case "softmax", "log_softmax", "logsumexp" -> {
                return softmax(name, args, at, pos, ctx);
            }
            case "mse", "bce_logits", "cross_entropy" -> {
                return pointwiseLoss(name, args, pos, ctx);
            }
            case "l1", "l2", "norm" -> {
                Derived d = name.equals("l1") ? Derived.L1 : name.equals("l2") ? Derived.L2 : Derived.NORM;
                return session.derived(d, args, Shape.SCALAR, pos, ctx);
            }
            case "max", "min" -> {
                // max(x), min(x) (version 2): the largest (smallest) element; two arguments are the table's.
                return session.derived(name.equals("max") ? Derived.MAX_ALL : Derived.MIN_ALL, args, Shape.SCALAR, pos, ctx);
            }
            case "dropout" -> {
                // PyTorch's F.dropout(x, p = 0.5): p a constant in [0, 1].
                double p = 0.5;
                if (args.size() == 2) {
                    if (!(args.get(1) instanceof Typed.Const k) || !(k.value() >= 0 && k.value() <= 1)) {
                        session.reporter.error(at.get(1), DiagnosticKind.DROPOUT_P, Session.describe(args.get(1)));
                        return null;
                    }
                    p = k.value();
                }
                return session.derived(Derived.DROPOUT, List.of(x, new Typed.Const(p, pos)), a, pos, ctx);
            }
            case "batch_norm" -> {
                return batchNorm(args, at, pos, ctx);
            }
            case "row", "column" -> {
                if (!a.isVector()) {
                    session.reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, "a vector", a);
                    return null;
                }
                // The same elements seen as one row [1, n] or one column [m, 1]: a view, no copy.
                Shape r = name.equals("row") ? Shape.matrix(Shape.Axis.of(1), a.colAxis()) : Shape.matrix(a.colAxis(), Shape.Axis.of(1));
                return Tensors.view(x, r, pos);
            }
            default -> throw new IllegalStateException("no check for the derived form " + name);
        }
    }

    /**
     * {@code batch_norm(X[N, C], gamma, beta, mean, var, momentum = 0.1, eps = 1e-5)}: PyTorch's
     * {@code BatchNorm1d} over the rows of X, channel axis 1; gamma and beta {@code [C]} or
     * scalars, mean and var states {@code [C]}; momentum from 0 to 1, eps above 0.
     */
    private Typed.Expr batchNorm(List<Typed.Expr> args, List<Pos> at, Pos pos, Ctx ctx) {
        Shape a = args.get(0).shape();
        if (!a.isMatrix() && !a.isTensor()) {
            session.reporter.error(at.get(0), DiagnosticKind.ARGUMENT_SHAPE, "batch_norm", "a matrix [N, C] (N rows of C channels)", a);
            return null;
        }
        // A tensor's channels are its axis 1 (BatchNorm2d over [N, C, H, W], BatchNorm1d over [N, C, L]).
        Shape channels = Shape.vector(a.isTensor() ? a.axis(1) : a.colAxis());
        String[] what = {"gamma", "beta", "running mean", "running variance"};
        for (int k = 1; k <= 4; k++) {
            Typed.Expr e = args.get(k);
            if (k >= 3 && !(e instanceof Typed.Ref r && r.symbol() instanceof Symbol.State)) {
                session.reporter.error(at.get(k), DiagnosticKind.BATCH_NORM_STATE, what[k - 1], Session.describe(e));
                return null;
            }
            if (!e.shape().equals(channels) && (k >= 3 || !e.shape().isScalar())) {
                session.reporter.error(at.get(k), DiagnosticKind.ARGUMENT_SHAPE, "batch_norm",
                        "its " + what[k - 1] + " of shape " + channels + (k >= 3 ? "" : " or a scalar"), e.shape());
                return null;
            }
        }
        Double momentum = constant(args, at, 5, 0.1, "momentum", "from 0 to 1", v -> v >= 0 && v <= 1);
        Double eps = constant(args, at, 6, 1e-5, "eps", "greater than 0", v -> v > 0 && v < Double.POSITIVE_INFINITY);
        if (momentum == null || eps == null) {
            return null;
        }
        if (!a.rowAxis().varies() && a.rows() == 1 && a.cols() / channels.cols() == 1) {
            session.reporter.error(at.get(0), DiagnosticKind.BATCH_NORM_ONE_VALUE, "X " + a);
            return null;
        }
        List<Typed.Expr> all = new java.util.ArrayList<>(args.subList(0, 5));
        all.add(new Typed.Const(momentum, pos));
        all.add(new Typed.Const(eps, pos));
        return session.derived(Derived.BATCH_NORM, all, a, pos, ctx);
    }

    /** Trailing constant {@code k} of a call: its default when not given, else its value if it passes {@code ok}, else an error (null). */
    private Double constant(List<Typed.Expr> args, List<Pos> at, int k, double otherwise, String name, String range,
                            java.util.function.DoublePredicate ok) {
        if (k >= args.size() || args.get(k) == null) {
            return otherwise;
        }
        if (args.get(k) instanceof Typed.Const c && ok.test(c.value())) {
            return c.value();
        }
        session.reporter.error(at.get(k), DiagnosticKind.BATCH_NORM_CONSTANT, name, range, Session.describe(args.get(k)));
        return null;
    }

    /**
     * {@code softmax}, {@code log_softmax}, {@code logsumexp}: row by row (a vector, or each row of
     * a matrix), which is the table's primitive; with axis 0 (version 2), down the columns, a
     * derived form over the transpose.
     */
    private Typed.Expr softmax(String name, List<Typed.Expr> args, List<Pos> at, Pos pos, Ctx ctx) {
        Typed.Expr x = args.get(0);
        Shape a = x.shape();
        boolean reduce = name.equals("logsumexp");
        dev.lossc.prim.Prim p = switch (name) {
            case "softmax" -> dev.lossc.prim.Prim.SOFTMAX;
            case "log_softmax" -> dev.lossc.prim.Prim.LOG_SOFTMAX;
            default -> dev.lossc.prim.Prim.LOGSUMEXP;
        };
        if (a.isTensor()) {
            // Version 3: along a tensor's last axis, each position of the axes before it on its own.
            Integer axis = args.size() == 2 ? session.axis(args.get(1), a.rank(), at.get(1)) : Integer.valueOf(a.rank() - 1);
            if (axis == null) {
                return null;
            }
            // Version 3: along any axis, each position of the others on its own.
            return session.tensors.along(name, x, axis, pos, ctx, m -> session.apply(p, List.of(m), dev.lossc.prim.Attributes.NONE,
                    reduce ? Shape.vector(m.shape().rowAxis()) : m.shape(), pos, ctx));
        }
        if (args.size() == 2) {
            Integer axis = axis(args.get(1), at.get(1));
            if (axis == null || !matrix(name, a, at.get(0))) {
                return null;
            }
            Shape result = !reduce ? a : Shape.vector(axis == 0 ? a.colAxis() : a.rowAxis());
            if (axis == 0) {
                Derived d = switch (name) {
                    case "softmax" -> Derived.SOFTMAX_AXIS0;
                    case "log_softmax" -> Derived.LOG_SOFTMAX_AXIS0;
                    default -> Derived.LOGSUMEXP_AXIS0;
                };
                return session.derived(d, List.of(x), result, pos, ctx);
            }
            return session.apply(p, List.of(x), dev.lossc.prim.Attributes.NONE, result, pos, ctx);
        }
        if (a.isScalar()) {
            session.reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, "a vector or a matrix", a);
            return null;
        }
        Shape result = !reduce ? a : a.isVector() ? Shape.SCALAR : Shape.vector(a.rowAxis());
        return session.apply(p, List.of(x), dev.lossc.prim.Attributes.NONE, result, pos, ctx);
    }

    /** {@code mse}, {@code bce_logits}, {@code cross_entropy}: two operands of one shape, or class indices. */
    private Typed.Expr pointwiseLoss(String name, List<Typed.Expr> args, Pos pos, Ctx ctx) {
        Shape a = args.get(0).shape();
        Shape b = args.get(1).shape();
        Derived d = switch (name) {
            case "mse" -> Derived.MSE;
            case "bce_logits" -> Derived.BCE_LOGITS;
            default -> Derived.CROSS_ENTROPY;
        };
        if (a.isTensor() && d == Derived.CROSS_ENTROPY) {
            // Version 3: a sequence loss, Z[B, T, K] with int labels[B, T], the mean over every position.
            List<Shape.Axis> lead = a.axes().subList(0, a.rank() - 1);
            if (!(args.get(1) instanceof Typed.IntRef labels) || labels.at() != null || !b.axes().equals(lead)) {
                session.reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, "a tensor and int labels of its shape without the last axis, "
                        + Shape.of(lead), a + " and " + (args.get(1) instanceof Typed.IntRef ? "int " : "") + b);
                return null;
            }
            session.indexLimits.merge(labels.input(), a.axis(a.rank() - 1).size(), Math::min);
            return session.derived(d, args, Shape.SCALAR, pos, ctx);
        }
        if (args.get(1) instanceof Typed.IntRef labels) {
            // Class indices (version 2): z[n] with an int label, or Z[m, n] with int labels[m].
            boolean fits = (a.isVector() && b.isScalar()) || (a.isMatrix() && b.isVector() && b.colAxis().equals(a.rowAxis()));
            if (fits && a.colAxis().varies()) {
                session.reporter.error(pos, DiagnosticKind.VARYING_INDEX, a.colAxis().dim(), a.colAxis().dim());
                return null;
            }
            if (!fits) {
                session.reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name,
                        "a vector [n] and an int label, or a matrix [m, n] and int labels [m]", a + " and int " + b);
                return null;
            }
            session.indexLimits.merge(labels.input(), a.cols(), Math::min);
            return session.derived(d, args, Shape.SCALAR, pos, ctx);
        }
        if (!a.equals(b) || (d == Derived.CROSS_ENTROPY && a.isScalar())) {
            String expected = d == Derived.CROSS_ENTROPY ? "two vectors or two matrices of equal shape" : "two arguments of equal shape";
            session.reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, expected, a + " and " + b);
            return null;
        }
        return session.derived(d, args, Shape.SCALAR, pos, ctx);
    }

    /** True if {@code a} is a matrix; else reports that {@code name(X, axis)} expects one. */
    private boolean matrix(String name, Shape a, Pos at) {
        if (!a.isMatrix()) {
            session.reporter.error(at, DiagnosticKind.ARGUMENT_SHAPE, name + "(X, axis)", "a matrix", a);
            return false;
        }
        return true;
    }

    /** An axis argument of a matrix's function: the constant 0 or 1, or (version 3) -2 or -1 from the end; else an error (null). */
    private Integer axis(Typed.Expr axis, Pos at) {
        return session.axis(axis, 2, at);
    }
}
