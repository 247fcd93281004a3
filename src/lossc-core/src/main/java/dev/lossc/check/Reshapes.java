package dev.lossc.check;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Exprs;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.prim.Attributes;
import dev.lossc.prim.Prim;
import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Version 3's shape functions, for values of rank 4 and below: {@code reshape(X, s0, …)} (the
 * same elements, row-major, in another shape; one size may be {@code -1}), {@code flatten(X)}
 * ({@code [B, …]} to {@code [B, rest]}, nn.Flatten's), {@code unsqueeze(X, axis)} and
 * {@code squeeze(X, axis)}. Each is a view of X's storage (no copy; the adjoint flows back into
 * X's), but from or to a scalar, which is a copy of one element. A value whose first size varies
 * per call keeps it as its first axis (its later axes may be regrouped). The names are not reserved.
 */
final class Reshapes {
    private static final Set<String> NAMES = Set.of("reshape", "flatten", "unsqueeze", "squeeze");

    static boolean named(String name) {
        return NAMES.contains(name);
    }

    private final Session session;

    Reshapes(Session session) {
        this.session = session;
    }

    Typed.Expr call(Expr.Call c, Ctx ctx) {
        String name = c.function().name();
        if (!c.named().isEmpty()) {
            Expr.NamedArg n = c.named().get(0);
            if (!(name.equals("unsqueeze") || name.equals("squeeze")) || !n.name().name().equals("axis") || c.args().size() != 1 || c.named().size() > 1) {
                session.reporter.error(n.name().pos(), DiagnosticKind.UNKNOWN_ARGUMENT, name, n.name().name());
                return null;
            }
        }
        List<Expr> args = new ArrayList<>(c.args());
        c.named().forEach(n -> args.add(n.value()));
        int min = name.equals("flatten") ? 1 : 2;
        int max = name.equals("reshape") ? 1 + Shape.MAX_RANK : min;
        if (args.size() < min || args.size() > max) {
            String expected = min == max ? Session.plural(min) : min + " to " + max + " arguments";
            if (name.equals("reshape") && args.size() > max) {
                session.reporter.error(Exprs.start(args.get(max)), DiagnosticKind.SHAPE_RANK, args.size() - 1);
            } else {
                session.reporter.error(c.pos(), DiagnosticKind.ARITY, name, expected, args.size());
            }
            return null;
        }
        Typed.Expr x = session.expr(args.get(0), ctx);
        if (x == null) {
            return null;
        }
        Shape a = x.shape();
        return switch (name) {
            case "flatten" -> a.isTensor() ? Tensors.view(x, Shape.matrix(a.rowAxis(), Shape.Axis.of(a.cols())), c.pos()) : x;
            case "reshape" -> reshape(c, x, args.subList(1, args.size()), ctx);
            default -> {
                Integer axis = axis(args.get(1), a.rank() + (name.equals("unsqueeze") ? 1 : 0), ctx);
                yield axis == null ? null : name.equals("unsqueeze") ? unsqueeze(c, x, axis, args.get(1)) : squeeze(c, x, axis);
            }
        };
    }

    /** A constant axis of a value of rank {@code rank} (negative from the end), or null after an error. */
    private Integer axis(Expr e, int rank, Ctx ctx) {
        Typed.Expr v = session.expr(e, ctx);
        return v == null ? null : session.axis(v, rank, Exprs.start(e));
    }

    private Typed.Expr unsqueeze(Expr.Call c, Typed.Expr x, int axis, Expr at) {
        Shape a = x.shape();
        if (a.rank() == Shape.MAX_RANK) {
            session.reporter.error(Exprs.start(at), DiagnosticKind.SHAPE_RANK, Shape.MAX_RANK + 1);
            return null;
        }
        if (a.isScalar()) {
            return new Typed.Apply(Prim.COPY, List.of(x), Attributes.NONE, Shape.vector(1), c.pos());
        }
        List<Shape.Axis> axes = new ArrayList<>(a.axes());
        axes.add(axis, Shape.Axis.of(1));
        if (axis == 0 && a.varies()) {
            // A size that varies per call is the first axis, never a later one (as in declarations).
            session.reporter.error(c.pos(), DiagnosticKind.ARGUMENT_SHAPE, "unsqueeze",
                    a.isVector() ? "axis 1 (or -1) for a size that varies per call" : "an axis after the first for a size that varies per call", a);
            return null;
        }
        return Tensors.view(x, Shape.of(axes), c.pos());
    }

    private Typed.Expr squeeze(Expr.Call c, Typed.Expr x, int axis) {
        Shape a = x.shape();
        Shape.Axis gone = a.isScalar() ? null : a.axis(axis);
        if (a.isScalar() || gone.varies() || gone.size() != 1) {
            session.reporter.error(c.pos(), DiagnosticKind.ARGUMENT_SHAPE, "squeeze", "an axis of size 1", a + (a.isScalar() ? "" : ", whose axis " + axis + " has size " + gone));
            return null;
        }
        if (a.isVector()) {
            return new Typed.Apply(Prim.SUM, List.of(x), Attributes.NONE, Shape.SCALAR, c.pos());
        }
        List<Shape.Axis> axes = new ArrayList<>(a.axes());
        axes.remove(axis);
        return Tensors.view(x, Shape.of(axes), c.pos());
    }

    private Typed.Expr reshape(Expr.Call c, Typed.Expr x, List<Expr> sizes, Ctx ctx) {
        Shape a = x.shape();
        List<Shape.Axis> axes = new ArrayList<>();
        int inferred = -1;
        long known = 1;
        for (int k = 0; k < sizes.size(); k++) {
            Expr e = sizes.get(k);
            if (e instanceof Expr.Neg n && n.operand() instanceof Expr.Num one && one.value() == 1) {
                if (inferred >= 0) {
                    session.reporter.error(Exprs.start(e), DiagnosticKind.RESHAPE, "only one size may be -1");
                    return null;
                }
                inferred = k;
                axes.add(null);
                continue;
            }
            Shape.Axis s = session.statements.sizeAxis(e, ctx);
            if (s == null) {
                return null;
            }
            axes.add(s);
            known *= s.size();
        }
        if (inferred >= 0) {
            if (known == 0 || a.size() % known != 0) {
                session.reporter.error(c.pos(), DiagnosticKind.RESHAPE, "cannot reshape " + a + " (" + a.size() + " elements) with the sizes given: "
                        + a.size() + " is not a multiple of " + known);
                return null;
            }
            axes.set(inferred, Shape.Axis.of((int) (a.size() / known)));
        }
        for (int k = 1; k < axes.size() && axes.size() > 2; k++) {
            if (axes.get(k).varies()) {
                session.reporter.error(Exprs.start(sizes.get(k)), DiagnosticKind.VARYING_DIM_AXIS, axes.get(k).dim(), "a tensor");
                return null;
            }
        }
        long total = 1;
        for (Shape.Axis s : axes) {
            total *= s.size();
        }
        if (total != a.size()) {
            session.reporter.error(c.pos(), DiagnosticKind.RESHAPE, "cannot reshape " + a + " (" + a.size() + " elements) to " + axes + " ("
                    + total + " elements)");
            return null;
        }
        Shape r = Shape.of(axes);
        if ((a.varies() || r.varies()) && (a.isTensor() || r.isTensor()) && a.rank() >= 2 && r.rank() >= 2
                && a.rowAxis().equals(r.rowAxis()) && a.cols() == r.cols() && a.colDim() == null && r.colDim() == null) {
            // The first axis, the batch, kept: the same storage seen with other later axes.
            return Tensors.view(x, r, c.pos());
        }
        if (a.varies() || r.varies()) {
            if (!r.equals(a)) {
                session.reporter.error(c.pos(), DiagnosticKind.RESHAPE, "a value whose size varies per call keeps its shape: "
                        + a + " cannot become " + r);
                return null;
            }
            return x;
        }
        if (r.size() != a.size()) {
            session.reporter.error(c.pos(), DiagnosticKind.RESHAPE, "cannot reshape " + a + " (" + a.size() + " elements) to " + r + " ("
                    + r.size() + " elements)");
            return null;
        }
        if (a.isScalar()) {
            return new Typed.Apply(Prim.COPY, List.of(x), Attributes.NONE, r, c.pos());
        }
        return r.equals(a) ? x : Tensors.view(x, r, c.pos());
    }
}
