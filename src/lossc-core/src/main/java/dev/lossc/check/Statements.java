package dev.lossc.check;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Exprs;
import dev.lossc.ast.Ident;
import dev.lossc.ast.Stmt;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Limits;
import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The statements: declarations ({@code dim}, {@code const}, {@code input}, {@code param} and
 * its initializer and state-dict name, {@code def}), bindings ({@code let}, {@code output},
 * {@code var}), assignments and loops, each where it may appear.
 */
final class Statements {
    private final Session session;

    Statements(Session session) {
        this.session = session;
    }

    void statement(Stmt s, Ctx ctx, List<Typed.Stmt> out) {
        if (s instanceof Stmt.Dim d) {
            if (!session.allowed("dim", ctx, s.pos())) {
                d.decls().forEach(decl -> session.declareQuietly(decl.name(), ctx.scope()));
                return;
            }
            for (Stmt.DimDecl decl : d.decls()) {
                Typed.Expr v = session.expr(decl.value(), ctx);
                if (v == null) {
                    session.declareQuietly(decl.name(), ctx.scope());
                    continue;
                }
                if (!(v instanceof Typed.Const c)) {
                    session.reporter.error(Exprs.start(decl.value()), DiagnosticKind.NOT_CONSTANT, "the value of dim '" + decl.name() + "'");
                    session.declareQuietly(decl.name(), ctx.scope());
                    continue;
                }
                if (!(c.value() >= 1 && c.value() <= Session.MAX_ELEMENTS && c.value() == Math.rint(c.value()))) {
                    session.reporter.error(Exprs.start(decl.value()), DiagnosticKind.DIM_NOT_POSITIVE_INTEGER, decl.name().name(), Session.number(c.value()));
                    session.declareQuietly(decl.name(), ctx.scope());
                    continue;
                }
                Symbol.Dim sym = new Symbol.Dim(decl.name().name(), (int) c.value(), decl.varying(), decl.name().pos());
                if (session.declare(decl.name(), sym, ctx.scope())) {
                    session.dims.add(sym);
                }
            }
        } else if (s instanceof Stmt.Const c) {
            if (!session.allowed("const", ctx, s.pos())) {
                session.declareQuietly(c.name(), ctx.scope());
                return;
            }
            Typed.Expr v = session.expr(c.value(), ctx);
            if (v == null) {
                session.declareQuietly(c.name(), ctx.scope());
                return;
            }
            if (!(v instanceof Typed.Const k)) {
                session.reporter.error(Exprs.start(c.value()), DiagnosticKind.NOT_CONSTANT, "the value of const '" + c.name() + "'");
                session.declareQuietly(c.name(), ctx.scope());
                return;
            }
            session.declare(c.name(), new Symbol.Const(c.name().name(), k.value(), c.name().pos()), ctx.scope());
        } else if (s instanceof Stmt.Input in) {
            if (!session.allowed("input", ctx, s.pos())) {
                session.declareQuietly(in.name(), ctx.scope());
                return;
            }
            Shape shape = declaredShape(in.shape(), in.name(), ctx);
            if (shape != null && shape.isMatrix() && shape.colDim() != null) {
                session.reporter.error(Exprs.start(in.shape().get(1)), DiagnosticKind.VARYING_DIM_AXIS, shape.colDim(), "input '" + in.name().name() + "'");
                shape = null;
            }
            if (shape == null) {
                session.declareQuietly(in.name(), ctx.scope());
            } else {
                Symbol.Input sym = new Symbol.Input(in.name().name(), shape, session.inputs.size(), in.integer(), in.name().pos());
                if (session.declare(in.name(), sym, ctx.scope())) {
                    session.inputs.add(sym);
                }
            }
        } else if (s instanceof Stmt.Param p) {
            Declared d = declared("param", s.pos(), p.name(), p.shape(), p.init(), "parameter", Symbol.Initializer::defaultFor, ctx);
            if (d != null) {
                Symbol.Param sym = new Symbol.Param(p.name().name(), d.shape(), session.params.size(), d.init(), p.name().pos(), stateDictName(p.name(), p.key()));
                if (session.declare(p.name(), sym, ctx.scope())) {
                    session.params.add(sym);
                }
            }
        } else if (s instanceof Stmt.State st) {
            state(st, ctx);
        } else if (s instanceof Stmt.Let l) {
            bind(l.name(), l.value(), ctx, out, (name, shape) -> new Symbol.Let(name, shape, l.name().pos()), (sym, v) -> new Typed.Let(sym, v, l.pos()));
        } else if (s instanceof Stmt.Output o) {
            if (!session.allowed("output", ctx, s.pos())) {
                session.declareQuietly(o.name(), ctx.scope());
                return;
            }
            String taken = takenName(o.name().name());
            if (taken != null) {
                session.reporter.error(o.name().pos(), DiagnosticKind.OUTPUT_NAME_TAKEN, o.name().name(), taken);
            }
            bind(o.name(), o.value(), ctx, out, (name, shape) -> new Symbol.Let(name, shape, o.name().pos()), (sym, v) -> new Typed.Output(sym, v, o.pos()));
        } else if (s instanceof Stmt.Var v) {
            bind(v.name(), v.value(), ctx, out, (name, shape) -> new Symbol.Var(name, shape, v.name().pos()), (sym, value) -> {
                if (ctx.inDef() != null && !session.defVars.isEmpty()) {
                    session.defVars.peek().add(sym);
                }
                return new Typed.VarDecl(sym, value, v.pos());
            });
        } else if (s instanceof Stmt.Assign a) {
            Typed.Expr value = session.expr(a.value(), ctx);
            Symbol.Var var = assignTarget(a.name(), ctx);
            if (var == null) {
                return;
            }
            if (value == null) {
                return;
            }
            if (!value.shape().equals(var.shape())) {
                session.reporter.error(Exprs.start(a.value()), DiagnosticKind.ASSIGN_SHAPE, a.name().name(), var.shape(), value.shape());
                return;
            }
            out.add(new Typed.Assign(var, value, a.pos()));
        } else if (s instanceof Stmt.Unpack u) {
            session.unpacking.unpack(u, ctx, out);
        } else if (s instanceof Stmt.For f) {
            Integer from = loopBound(f.from(), ctx);
            Symbol.Dim toDim = varyingDim(f.to(), ctx);
            Integer to = toDim != null ? Integer.valueOf(toDim.value()) : loopBound(f.to(), ctx);
            Scope body = new Scope(ctx.scope());
            Symbol.Loop loop = null;
            if (from != null && to != null) {
                if (to < from) {
                    session.reporter.error(Exprs.start(f.to()), DiagnosticKind.LOOP_RANGE, from, to);
                } else {
                    loop = new Symbol.Loop(f.variable().name(), from, to, toDim == null ? null : toDim.name(), snapshots(f, ctx, to - from), f.variable().pos());
                }
            }
            if (loop != null) {
                session.declare(f.variable(), loop, body);
            } else {
                session.declareQuietly(f.variable(), body);
            }
            long iterations = ctx.iterations() * Math.max(1, loop == null ? 1 : loop.trips());
            Ctx inner = ctx.with(body, Ctx.Where.LOOP, iterations, ctx.inDef());
            List<Typed.Stmt> bodyOut = new ArrayList<>();
            for (Stmt b : f.body()) {
                statement(b, inner, bodyOut);
            }
            if (loop != null) {
                out.add(new Typed.For(loop, bodyOut, f.pos()));
            }
        } else if (s instanceof Stmt.Def d) {
            if (!session.allowed("def", ctx, s.pos())) {
                return;
            }
            Symbol.Def sym = new Symbol.Def(d.name().name(), d, ctx.scope().snapshot(), d.name().pos());
            session.defs.checkNames(sym);
            session.declare(d.name(), sym, ctx.scope());
        } else if (s instanceof Stmt.Model m) {
            session.reporter.error(m.pos(), DiagnosticKind.STATEMENT_NOT_ALLOWED_HERE, "model", ctx.placeName());
        } else if (s instanceof Stmt.Loss l) {
            session.reporter.error(l.pos(), DiagnosticKind.STATEMENT_NOT_ALLOWED_HERE, "loss", ctx.placeName());
        } else {
            throw new IllegalStateException("no check for statement " + s.getClass().getSimpleName());
        }
    }

    /**
     * A let, output or var: checks the value, declares the name and adds the statement. A value
     * that fails still declares the name (quietly), so its later uses report nothing more.
     */
    private <S extends Symbol> void bind(Ident name, Expr value, Ctx ctx, List<Typed.Stmt> out,
                                         java.util.function.BiFunction<String, Shape, S> symbol,
                                         java.util.function.BiFunction<S, Typed.Expr, Typed.Stmt> statement) {
        Typed.Expr v = session.expr(value, ctx);
        if (v == null) {
            session.declareQuietly(name, ctx.scope());
            return;
        }
        S sym = symbol.apply(name.name(), v.shape());
        if (session.declare(name, sym, ctx.scope())) {
            out.add(statement.apply(sym, v));
        }
    }

    /** What an output's name would clash with in the generated class, or null. */
    private String takenName(String name) {
        if (ClassMembers.PUBLIC_METHODS.contains(name) || ClassMembers.OBJECT_METHODS.contains(name)
                || (session.hasStates && ClassMembers.STATE_METHODS.contains(name))) {
            return "the method " + name + "()";
        }
        boolean helper = dev.lossc.prim.ScalarFn.helperMemberNames().contains(name);
        if (ClassMembers.PRIVATE_MEMBERS.contains(name) || helper) {
            return "a private member '" + name + "'";
        }
        return null;
    }

    /**
     * The var an assignment (or an unpacking) to {@code name} changes, or null after reporting why
     * it cannot: an unknown name, not a var, or (in a def body) a var the def did not declare. A
     * name whose declaration failed was reported there.
     */
    Symbol.Var assignTarget(Ident name, Ctx ctx) {
        Symbol target = ctx.scope().lookup(name.name());
        if (target == null) {
            session.reporter.error(name.pos(), DiagnosticKind.UNKNOWN_NAME, name.name());
            return null;
        }
        if (target instanceof Symbol.Poisoned) {
            return null;
        }
        if (!(target instanceof Symbol.Var var)) {
            session.reporter.error(name.pos(), DiagnosticKind.ASSIGN_NOT_VAR, name.name(), target.kind());
            return null;
        }
        if (ctx.inDef() != null && !session.defVars.isEmpty() && !session.defVars.peek().contains(var)) {
            session.reporter.error(name.pos(), DiagnosticKind.DEF_ASSIGNS_OUTER, name.name(), ctx.inDef().name());
            return null;
        }
        return var;
    }

    /** The shape that {@code sizes} declare for {@code name} (a declaration's, or a constructor call's), or null after an error. */
    Shape declaredShape(List<Expr> sizes, Ident name, Ctx ctx) {
        if (sizes.size() > Shape.MAX_RANK) {
            session.reporter.error(sizes.get(Shape.MAX_RANK).pos(), DiagnosticKind.SHAPE_RANK, sizes.size());
            return null;
        }
        Shape.Axis[] n = new Shape.Axis[sizes.size()];
        boolean ok = true;
        for (int i = 0; i < n.length; i++) {
            Shape.Axis v = sizeAxis(sizes.get(i), ctx);
            if (v == null) {
                ok = false;
            } else {
                n[i] = v;
            }
        }
        if (!ok) {
            return null;
        }
        return switch (n.length) {
            case 0 -> Shape.SCALAR;
            case 1 -> Shape.vector(n[0]);
            case 2 -> session.checkedMatrix(n[0], n[1], "'" + name.name() + "'", name.pos());
            default -> {
                // A tensor (version 3): only its first axis, the batch, may vary per call.
                for (int i = 1; i < n.length; i++) {
                    if (n[i].varies()) {
                        session.reporter.error(Exprs.start(sizes.get(i)), DiagnosticKind.VARYING_DIM_AXIS, n[i].dim(), "'" + name.name() + "'");
                        yield null;
                    }
                }
                yield session.checkedTensor(List.of(n), "'" + name.name() + "'", name.pos());
            }
        };
    }

    /** A dim that varies per call, if {@code e} names one (bare), else null. */
    private Symbol.Dim varyingDim(Expr e, Ctx ctx) {
        if (e instanceof Expr.Name n && ctx.scope().lookup(n.id().name()) instanceof Symbol.Dim d && d.varying()) {
            return d;
        }
        return null;
    }

    /** A size in a declared shape: a constant, or a dim that varies per call (named alone). */
    Shape.Axis sizeAxis(Expr e, Ctx ctx) {
        Symbol.Dim d = varyingDim(e, ctx);
        if (d != null) {
            return new Shape.Axis(d.value(), d.name());
        }
        Integer v = size(e, ctx);
        return v == null ? null : Shape.Axis.of(v);
    }

    private Integer size(Expr e, Ctx ctx) {
        Typed.Expr v = session.expr(e, ctx);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Typed.Const c) || !(c.value() >= 1 && c.value() <= Session.MAX_ELEMENTS && c.value() == Math.rint(c.value()))) {
            session.reporter.error(Exprs.start(e), DiagnosticKind.SIZE_NOT_POSITIVE_INTEGER, Session.describe(v));
            return null;
        }
        return (int) c.value();
    }

    /**
     * The snapshots of a checkpointed loop of {@code trips} iterations: {@code S} of
     * {@code checkpoint(S)}, or {@code ceil(sqrt(trips))}, at most one per iteration (and at least
     * one); 0 without {@code checkpoint}.
     */
    private int snapshots(Stmt.For f, Ctx ctx, int trips) {
        if (f.checkpoint() == null) {
            return 0;
        }
        if (ctx.where() == Ctx.Where.LOOP || ctx.iterations() > 1) {
            session.reporter.error(f.checkpoint().pos(), DiagnosticKind.CHECKPOINT_NESTED);
            return 0;
        }
        int wanted = (int) Math.ceil(Math.sqrt(trips));
        Expr e = f.checkpoint().snapshots();
        if (e != null) {
            Typed.Expr v = session.expr(e, ctx);
            if (v == null) {
                return 0;
            }
            if (!(v instanceof Typed.Const c) || c.value() != Math.rint(c.value()) || c.value() < 1 || c.value() > Session.MAX_ELEMENTS) {
                session.reporter.error(Exprs.start(e), DiagnosticKind.CHECKPOINT_SNAPSHOTS, Session.describe(v));
                return 0;
            }
            wanted = (int) c.value();
        }
        return Math.max(1, Math.min(wanted, trips));
    }

    private Integer loopBound(Expr e, Ctx ctx) {
        Typed.Expr v = session.expr(e, ctx);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Typed.Const c) || c.value() != Math.rint(c.value()) || Math.abs(c.value()) > Session.MAX_ELEMENTS) {
            session.reporter.error(Exprs.start(e), DiagnosticKind.LOOP_BOUND, Session.describe(v));
            return null;
        }
        return (int) c.value();
    }

    private Symbol.Initializer initializer(Stmt.Init init, Ctx ctx) {
        String kind = init.kind().name();
        Symbol.Initializer.Kind k;
        try {
            k = Symbol.Initializer.Kind.valueOf(kind.toUpperCase(Locale.ROOT));
            if (!kind.equals(kind.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            session.reporter.error(init.kind().pos(), DiagnosticKind.UNKNOWN_INITIALIZER, kind);
            return null;
        }
        boolean twoArgs = k == Symbol.Initializer.Kind.UNIFORM || k == Symbol.Initializer.Kind.NORMAL;
        if (twoArgs && init.args().size() != 2) {
            session.reporter.error(init.kind().pos(), DiagnosticKind.INITIALIZER_ARGS, kind,
                    k == Symbol.Initializer.Kind.UNIFORM ? "two constant arguments (a, b)" : "two constant arguments (mean, std)");
            return null;
        }
        if (!twoArgs && !init.args().isEmpty()) {
            session.reporter.error(init.kind().pos(), DiagnosticKind.INITIALIZER_ARGS, kind, "no arguments");
            return null;
        }
        double[] a = new double[2];
        for (int i = 0; i < init.args().size(); i++) {
            Typed.Expr v = session.expr(init.args().get(i), ctx);
            if (v == null) {
                return null;
            }
            if (!(v instanceof Typed.Const c)) {
                session.reporter.error(Exprs.start(init.args().get(i)), DiagnosticKind.CONSTANT_ARGUMENT, i + 1, kind);
                return null;
            }
            a[i] = c.value();
        }
        return new Symbol.Initializer(k, a[0], a[1]);
    }

    /** A param's or a state's checked shape and initializer. */
    private record Declared(Shape shape, Symbol.Initializer init) {}

    /**
     * What a param and a state share: allowed here, a declared shape that is fixed (C017 for a dim
     * that varies per call: a {@code kind} keeps one shape), and an initializer, {@code byDefault}
     * when none is written; null after an error, the name then declared quietly.
     */
    private Declared declared(String statement, dev.lossc.diag.Pos pos, Ident name, List<Expr> sizes, java.util.Optional<Stmt.Init> written,
                              String kind, java.util.function.Function<Shape, Symbol.Initializer> byDefault, Ctx ctx) {
        if (!session.allowed(statement, ctx, pos)) {
            session.declareQuietly(name, ctx.scope());
            return null;
        }
        Shape shape = declaredShape(sizes, name, ctx);
        if (shape != null && shape.varies()) {
            int k = shape.isMatrix() && shape.rowDim() == null ? 1 : 0;
            session.reporter.error(Exprs.start(sizes.get(k)), DiagnosticKind.VARYING_DIM_PARAM, statement + " '" + name.name() + "'",
                    k == 0 && shape.isMatrix() ? shape.rowDim() : shape.colDim(), kind);
            session.declareQuietly(name, ctx.scope());
            return null;
        }
        Symbol.Initializer init = written.isPresent() ? initializer(written.get(), ctx) : null;
        if (shape == null || (init == null && written.isPresent())) {
            session.declareQuietly(name, ctx.scope());
            return null;
        }
        return new Declared(shape, init != null ? init : byDefault.apply(shape));
    }

    /**
     * {@code state NAME[shape] init INIT as "KEY";} (version 3): declared as a param is (fixed
     * sizes, an initializer, by default zeros), kept apart from the params.
     */
    private void state(Stmt.State st, Ctx ctx) {
        Declared d = declared("state", st.pos(), st.name(), st.shape(), st.init(), "state",
                shape -> new Symbol.Initializer(Symbol.Initializer.Kind.ZEROS, 0, 0), ctx);
        if (d == null) {
            return;
        }
        String key = stateDictName(st.name(), st.key());
        Symbol.State sym = new Symbol.State(st.name().name(), d.shape(), session.states.size(), d.init(), st.name().pos(), key);
        if (session.declare(st.name(), sym, ctx.scope())) {
            session.states.add(sym);
        }
    }

    /**
     * The name a param or a state has in a state dict: its {@code as "…"} (printable, no spaces, at
     * most 200 characters, taken by no earlier param or state), else its own name.
     */
    private String stateDictName(Ident name, java.util.Optional<Stmt.Key> given) {
        if (given.isEmpty()) {
            return name.name();
        }
        Stmt.Key key = given.get();
        String text = key.text();
        String why = null;
        if (text.isEmpty()) {
            why = "it is empty";
        } else if (text.length() > Limits.MAX_IDENTIFIER) {
            why = "it is longer than " + Limits.MAX_IDENTIFIER + " characters";
        } else if (!text.chars().allMatch(ch -> ch > ' ' && ch < 0x7F)) {
            why = "only printable ASCII characters other than spaces may be used";
        }
        if (why != null) {
            session.reporter.error(key.pos(), DiagnosticKind.BAD_KEY, dev.lossc.diag.Quoted.of(text, 40), why);
            return name.name();
        }
        for (Symbol.Param other : session.params) {
            if (other.key().equals(text)) {
                session.reporter.error(key.pos(), DiagnosticKind.KEY_TAKEN, text, "param '" + other.name() + "'");
            }
        }
        for (Symbol.State other : session.states) {
            if (other.key().equals(text)) {
                session.reporter.error(key.pos(), DiagnosticKind.KEY_TAKEN, text, "state '" + other.name() + "'");
            }
        }
        return text;
    }
}
