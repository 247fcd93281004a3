package dev.lossc.check;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Exprs;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Pos;
import dev.lossc.prim.Attribute;
import dev.lossc.prim.AttributeSpec;
import dev.lossc.prim.Attributes;
import dev.lossc.prim.Prim;
import dev.lossc.prim.Signature;
import dev.lossc.prim.Signatures;
import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Calls: of a def (inlined, {@link Defs}), of a derived form ({@link DerivedForms}), or of a
 * primitive of the table, which is checked from its entry alone: the overload whose operands and
 * attributes the arguments fill, the attributes constant and of their kind, then the entry's
 * shape rule ({@link Signature}). Operands are positional; constant attributes follow them,
 * positional or named ({@code leaky_relu(x, alpha = 0.2)}, {@code sum(X, axis = 0)}).
 */
final class Calls {
    private final Session session;

    Calls(Session session) {
        this.session = session;
    }

    /** One argument as the call gives it: its checked value (null after an error), its source and its place. */
    private record Arg(Typed.Expr value, Pos pos, String name, int number) {}

    Typed.Expr call(Expr.Call c, Ctx ctx) {
        String name = c.function().name();
        if (Constructors.named(name) && ctx.scope().lookup(name) == null) {
            // Its sizes are not values (a dim that varies per call is one): checked as a shape is.
            return session.constructors.call(c, ctx);
        }
        if (Tensors.named(name) && ctx.scope().lookup(name) == null) {
            return session.tensors.call(c, ctx);
        }
        if (Reshapes.named(name) && ctx.scope().lookup(name) == null) {
            return session.reshapes.call(c, ctx);
        }
        List<Arg> positional = new ArrayList<>();
        for (int k = 0; k < c.args().size(); k++) {
            Expr a = c.args().get(k);
            Symbol.State st = DerivedForms.takesState(name, k) ? state(a, ctx) : null;
            // The labels of a sequence cross-entropy (version 3) are a whole int matrix, when Z is a tensor.
            boolean whole = k == 1 && positional.get(0).value() != null && positional.get(0).value().shape().isTensor();
            Typed.Expr v = DerivedForms.takesIntData(name, k) && Indexing.isIntData(a, ctx) ? session.indexing.intData(a, whole, ctx)
                    : st != null ? new Typed.Ref(st, st.shape(), Exprs.start(a))
                    : session.expr(a, ctx);
            positional.add(new Arg(v, Exprs.start(a), null, k + 1));
        }
        List<Arg> named = new ArrayList<>();
        boolean failed = false;
        Set<String> seen = new HashSet<>();
        for (Expr.NamedArg n : c.named()) {
            Typed.Expr v = session.expr(n.value(), ctx);
            if (!seen.add(n.name().name())) {
                session.reporter.error(n.name().pos(), DiagnosticKind.ARGUMENT_TWICE, n.name().name(), name);
                failed = true;
            }
            named.add(new Arg(v, n.name().pos(), n.name().name(), 0));
        }
        Symbol s = ctx.scope().lookup(name);
        if (s != null && !Names.isReserved(name)) {
            // A declared name hides a later built-in of the same name (older programs keep compiling).
            if (s instanceof Symbol.Def def) {
                return failed ? null : session.defs.inline(def, c, values(positional), ctx);
            }
            if (!(s instanceof Symbol.Poisoned)) {
                session.reporter.error(c.pos(), DiagnosticKind.NOT_A_FUNCTION, name, s.kind());
            }
            return null;
        }
        if (name.equals("permute") || name.equals("transpose") && positional.size() + named.size() == 3) {
            return failed ? null : axes(name, Prim.callable("transpose"), c, positional, named, ctx);
        }
        DerivedForms.Form form = DerivedForms.named(name);
        List<Prim> prims = Prim.callable(name);
        if (form == null && prims.isEmpty()) {
            if (ctx.inDef() != null && name.equals(ctx.inDef().name())) {
                session.reporter.error(c.pos(), DiagnosticKind.RECURSIVE_CALL, name);
            } else {
                session.reporter.error(c.pos(), DiagnosticKind.UNKNOWN_FUNCTION, name);
            }
            return null;
        }
        if (failed) {
            return null;
        }
        int given = positional.size() + named.size();
        if (form != null && (prims.isEmpty() || form.handles(given))) {
            return derived(form, c, positional, named, ctx);
        }
        return table(name, prims, c, positional, named, ctx);
    }

    /**
     * Version 3's {@code transpose(X, a, b)} (swap two axes) and {@code permute(X, p0, …)} (one
     * axis of X for each of the result's): axes constant, negative from the end. Of a value of
     * rank 2 or less, each is X itself or X's transpose, which {@code transpose(X)} computes.
     */
    private Typed.Expr axes(String name, List<Prim> transpose, Expr.Call c, List<Arg> positional, List<Arg> named, Ctx ctx) {
        if (!named.isEmpty()) {
            session.reporter.error(named.get(0).pos(), DiagnosticKind.UNKNOWN_ARGUMENT, name, named.get(0).name());
            return null;
        }
        if (positional.isEmpty() || anyNull(positional)) {
            if (positional.isEmpty()) {
                arity(c, 0, 1, 1);
            }
            return null;
        }
        Typed.Expr x = positional.get(0).value();
        int rank = x.shape().rank();
        int wanted = name.equals("transpose") ? 2 : rank;
        if (positional.size() - 1 != wanted) {
            session.reporter.error(c.pos(), DiagnosticKind.ARITY, name, Session.plural(wanted + 1) + " for a value of rank " + rank,
                    positional.size());
            return null;
        }
        int[] axes = new int[wanted];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int k = 0; k < wanted; k++) {
            Arg a = positional.get(k + 1);
            Integer axis = session.axis(a.value(), rank, a.pos());
            if (axis == null) {
                return null;
            }
            axes[k] = axis;
            if (name.equals("permute") && seen[axes[k]]) {
                session.reporter.error(a.pos(), DiagnosticKind.BAD_AXIS, "axis", "an axis not given before (a permutation)", Session.describe(a.value()));
                return null;
            }
            seen[axes[k]] = true;
        }
        if (x.shape().isTensor()) {
            // Version 3: the result's axis k is X's axis perm[k].
            int[] perm = new int[rank];
            for (int k = 0; k < rank; k++) {
                perm[k] = k;
            }
            if (name.equals("transpose")) {
                perm[axes[0]] = axes[1];
                perm[axes[1]] = axes[0];
            } else {
                perm = axes;
            }
            return session.tensors.permute(x, perm, c.pos(), ctx);
        }
        boolean swaps = name.equals("transpose") ? axes[0] != axes[1] : rank == 2 && axes[0] == 1;
        if (!swaps) {
            return x;
        }
        return table("transpose", transpose, c, positional.subList(0, 1), List.of(), ctx);
    }

    /** The state {@code a} names, or null. */
    private static Symbol.State state(Expr a, Ctx ctx) {
        return a instanceof Expr.Name n && ctx.scope().lookup(n.id().name()) instanceof Symbol.State s ? s : null;
    }

    private static List<Typed.Expr> values(List<Arg> args) {
        List<Typed.Expr> out = new ArrayList<>();
        args.forEach(a -> out.add(a.value()));
        return out;
    }

    private static boolean anyNull(List<Arg> args) {
        return args.stream().anyMatch(a -> a.value() == null);
    }

    /**
     * A derived form: a named argument can only be one of its trailing constants ({@code axis},
     * {@code p}, {@code momentum}, {@code eps}). A trailing constant neither given nor followed by
     * a given one is left out; one skipped before a named one is null (its default).
     */
    private Typed.Expr derived(DerivedForms.Form f, Expr.Call c, List<Arg> positional, List<Arg> named, Ctx ctx) {
        List<Arg> args = new ArrayList<>(positional);
        int first = f.max() - f.names().size();
        for (Arg n : named) {
            int slot = first + f.names().indexOf(n.name());
            if (slot < first) {
                session.reporter.error(n.pos(), DiagnosticKind.UNKNOWN_ARGUMENT, f.name(), n.name());
                return null;
            }
            if (slot < positional.size()) {
                session.reporter.error(n.pos(), DiagnosticKind.ARGUMENT_TWICE, n.name(), f.name());
                return null;
            }
            while (args.size() <= slot) {
                args.add(null);
            }
            args.set(slot, n);
        }
        if (positional.size() < f.min() || args.size() > f.max()) {
            arity(c, positional.size() + named.size(), f.min(), f.max());
            return null;
        }
        if (args.stream().anyMatch(a -> a != null && a.value() == null)) {
            return null;
        }
        List<Pos> at = new ArrayList<>();
        List<Typed.Expr> values = new ArrayList<>();
        for (Arg a : args) {
            at.add(a == null ? c.pos() : a.pos());
            values.add(a == null ? null : a.value());
        }
        return session.derived.call(f, values, at, c.pos(), ctx);
    }

    /**
     * A primitive of the table: the first overload (in table order) whose operands the positional
     * arguments fill and whose attributes the rest fill, by position then by name.
     */
    private Typed.Expr table(String name, List<Prim> prims, Expr.Call c, List<Arg> positional, List<Arg> named, Ctx ctx) {
        Prim chosen = null;
        List<Arg> slots = null;
        for (Prim p : prims) {
            slots = fill(p, positional, named);
            if (slots != null) {
                chosen = p;
                break;
            }
        }
        if (chosen == null) {
            explainNoOverload(name, prims, c, positional, named);
            return null;
        }
        if (anyNull(positional) || anyNull(named)) {
            return null;
        }
        Prim p = chosen;
        List<Typed.Expr> operands = values(positional.subList(0, p.arity()));
        List<AttributeSpec> specs = callableSpecs(p);
        List<Attribute> values = new ArrayList<>();
        List<Pos> attributePos = new ArrayList<>();
        for (AttributeSpec spec : p.attributeSpecs()) {
            int i = specs.indexOf(spec);
            Arg a = i < 0 ? null : slots.get(i);
            if (a == null) {
                values.add(spec.defaultValue());
                attributePos.add(c.pos());
                continue;
            }
            Attribute v = attribute(spec, a, name);
            if (v == null) {
                return null;
            }
            // Version 3: an axis given negative counts from the end of the first operand's axes.
            if (spec.kind() == AttributeSpec.Kind.AXIS && v instanceof Attribute.Int ax && ax.value() < 0) {
                int rank = operands.get(0).shape().rank();
                if (ax.value() < -Math.max(rank, 1)) {
                    session.reporter.error(a.pos(), DiagnosticKind.BAD_AXIS, spec.name(), Session.axes(rank), Integer.toString(ax.value()));
                    return null;
                }
                v = new Attribute.Int(ax.value() + rank);
            }
            values.add(v);
            attributePos.add(a.pos());
        }
        Attributes attributes = new Attributes(values);
        List<Shape> shapes = new ArrayList<>();
        operands.forEach(o -> shapes.add(o.shape()));
        if (!p.isElementwise() && p != Prim.SUM && shapes.stream().anyMatch(Shape::isTensor)) {
            int at = 0;
            while (!shapes.get(at).isTensor()) {
                at++;
            }
            if (p == Prim.SUM_AXIS) {
                int axis = attributes.integer(0);
                if (axis >= shapes.get(0).rank()) {
                    session.reporter.error(attributePos.get(0), DiagnosticKind.BAD_AXIS, "axis", Session.axes(shapes.get(0).rank()), Integer.toString(axis));
                    return null;
                }
                return session.tensors.sumAxis(operands.get(0), axis, c.pos(), ctx);
            }
            if (p == Prim.CUMSUM || p == Prim.CONCAT) {
                int axis = attributes.integer(0);
                int rank = shapes.get(at).rank();
                if (axis < 0 || axis >= rank) {
                    Pos where = p == Prim.CONCAT && axis == -1 && attributePos.get(0) == c.pos() ? c.pos() : attributePos.get(0);
                    session.reporter.error(where, DiagnosticKind.BAD_AXIS, "axis", Session.axes(rank), axis == -1 && where == c.pos() ? "none" : Integer.toString(axis));
                    return null;
                }
                return p == Prim.CUMSUM
                        ? session.tensors.along(name, operands.get(0), axis, c.pos(), ctx, m -> session.apply(Prim.CUMSUM, List.of(m), Attributes.ints(1, 0), m.shape(), c.pos(), ctx))
                        : session.tensors.concat(operands.get(0), operands.get(1), axis, c.pos(), ctx);
            }
            // The table's other structured primitives take vectors and matrices only.
            session.reporter.error(positional.get(at).pos(), DiagnosticKind.ARGUMENT_SHAPE, name, "a scalar, a vector or a matrix", shapes.get(at));
            return null;
        }
        boolean[] reported = new boolean[1];
        Shape result = p.result(shapes, attributes, new Signature.Problems() {
            @Override
            public void expected(int at, String shownAs, String expects) {
                Pos where = at < 0 ? c.pos() : positional.get(at).pos();
                String got = at < 0 ? Signatures.describe(shapes) : shapes.get(at).toString();
                session.reporter.error(where, DiagnosticKind.ARGUMENT_SHAPE, shownAs == null ? name : name + shownAs, expects, got);
                reported[0] = true;
            }

            @Override
            public void mismatch(Shape a, Shape b) {
                session.reporter.error(c.pos(), DiagnosticKind.SHAPE_MISMATCH, name, a, b);
                reported[0] = true;
            }

            @Override
            public void badAttribute(int index, String expects) {
                AttributeSpec spec = p.attributeSpecs().get(index);
                session.reporter.error(attributePos.get(index), DiagnosticKind.BAD_AXIS, spec.name(), expects,
                        attributes.get(index).toString());
                reported[0] = true;
            }
        });
        if (result == null) {
            if (!reported[0]) {
                throw new IllegalStateException("the shape rule of " + p + " rejected a call without saying why");
            }
            return null;
        }
        long elements = (long) result.rows() * result.cols();
        if (elements > Session.MAX_ELEMENTS) {
            session.reporter.error(c.pos(), DiagnosticKind.TOO_LARGE, "the result of '" + name + "'", elements, Session.MAX_ELEMENTS);
            return null;
        }
        return session.apply(p, operands, attributes, result, c.pos(), ctx);
    }

    /** The attributes a program may give, in order (not the compiler's own). */
    private static List<AttributeSpec> callableSpecs(Prim p) {
        return p.attributeSpecs().stream().filter(a -> !a.internal()).toList();
    }

    /**
     * The arguments in the slots of {@code p}'s callable attributes (null: the default), or null
     * if they do not fit: wrong operand count, too many, a name it does not take, a name given
     * twice or a required attribute missing.
     */
    private static List<Arg> fill(Prim p, List<Arg> positional, List<Arg> named) {
        List<AttributeSpec> specs = callableSpecs(p);
        if (positional.size() < p.arity() || positional.size() > p.arity() + specs.size()) {
            return null;
        }
        List<Arg> slots = new ArrayList<>(java.util.Collections.nCopies(specs.size(), (Arg) null));
        for (int k = p.arity(); k < positional.size(); k++) {
            slots.set(k - p.arity(), positional.get(k));
        }
        for (Arg n : named) {
            int i = indexOf(specs, n.name());
            if (i < 0 || slots.get(i) != null) {
                return null;
            }
            slots.set(i, n);
        }
        for (int i = 0; i < specs.size(); i++) {
            if (slots.get(i) == null && specs.get(i).required()) {
                return null;
            }
        }
        return slots;
    }

    private static int indexOf(List<AttributeSpec> specs, String name) {
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** No overload fits: the first named argument none takes, one given twice, else the argument count. */
    private void explainNoOverload(String name, List<Prim> prims, Expr.Call c, List<Arg> positional, List<Arg> named) {
        for (Arg n : named) {
            boolean known = false;
            boolean twice = false;
            for (Prim p : prims) {
                int i = indexOf(callableSpecs(p), n.name());
                if (i >= 0) {
                    known = true;
                    twice |= p.arity() + i < positional.size();
                }
            }
            if (!known) {
                session.reporter.error(n.pos(), DiagnosticKind.UNKNOWN_ARGUMENT, name, n.name());
                return;
            }
            if (twice) {
                session.reporter.error(n.pos(), DiagnosticKind.ARGUMENT_TWICE, n.name(), name);
                return;
            }
        }
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (Prim p : prims) {
            List<AttributeSpec> specs = callableSpecs(p);
            min = Math.min(min, p.arity() + (int) specs.stream().filter(AttributeSpec::required).count());
            max = Math.max(max, p.arity() + specs.size());
        }
        DerivedForms.Form f = DerivedForms.named(name);
        if (f != null) {
            min = Math.min(min, f.min());
            max = Math.max(max, f.max());
        }
        arity(c, positional.size() + named.size(), min, max);
    }

    private void arity(Expr.Call c, int given, int min, int max) {
        String expected = min == max ? Session.plural(min) : max == min + 1 ? min + " or " + max + " arguments" : min + " to " + max + " arguments";
        session.reporter.error(c.pos(), DiagnosticKind.ARITY, c.function().name(), expected, given);
    }

    /** An attribute's value: a constant of its kind (an axis: a whole number), else an error (null). */
    private Attribute attribute(AttributeSpec spec, Arg a, String function) {
        if (!(a.value() instanceof Typed.Const k)) {
            if (spec.kind() == AttributeSpec.Kind.AXIS) {
                session.reporter.error(a.pos(), DiagnosticKind.BAD_AXIS, spec.name(), "an integer constant from -2 to 1", Session.describe(a.value()));
            } else {
                String which = a.name() != null ? "'" + a.name() + "'" : Integer.toString(a.number());
                session.reporter.error(a.pos(), DiagnosticKind.CONSTANT_ARGUMENT, which, function);
            }
            return null;
        }
        double v = k.value();
        return switch (spec.kind()) {
            case REAL -> new Attribute.Real(v);
            case AXIS, INT -> {
                if (v != Math.rint(v) || Math.abs(v) > 1 << 20) {
                    session.reporter.error(a.pos(), DiagnosticKind.BAD_AXIS, spec.name(), "an integer constant from -2 to 1", Session.number(v));
                    yield null;
                }
                yield new Attribute.Int((int) v);
            }
        };
    }
}
