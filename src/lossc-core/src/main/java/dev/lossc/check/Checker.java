package dev.lossc.check;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Exprs;
import dev.lossc.ast.Ident;
import dev.lossc.ast.Program;
import dev.lossc.ast.Stmt;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Limits;
import dev.lossc.diag.Pos;
import dev.lossc.diag.Reporter;
import dev.lossc.prim.Prim;
import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Phase 2: names, scopes, shapes, constants, indexes and bounds, loops, def inlining and the single
 * scalar loss. Every error is reported and checking goes on (an erroneous expression becomes
 * {@code null} and silences what depends on it), so a file's errors are all reported at once.
 */
public final class Checker {
    /**
     * The name a param has in a state dict: its {@code as "…"} (printable, no spaces, at most 200
     * characters, taken by no earlier param), else its own name.
     */
    private String stateDictName(Stmt.Param p) {
        if (p.key().isEmpty()) {
            return p.name().name();
        }
        Stmt.Key key = p.key().get();
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
            reporter.error(key.pos(), DiagnosticKind.BAD_KEY, dev.lossc.Numbers.quote(text, 40), why);
            return p.name().name();
        }
        for (Symbol.Param other : params) {
            if (other.key().equals(text)) {
                reporter.error(key.pos(), DiagnosticKind.KEY_TAKEN, text, other.name());
            }
        }
        return text;
    }

    /** The largest array the generated code may need (Java's array limit). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final Reporter reporter;
    private final Program program;
    private final Pos endOfFile;
    private final Scope global = new Scope(null);
    private final List<Symbol.Dim> dims = new ArrayList<>();
    /** The vars declared by each def call being inlined, innermost first: the only ones its body may assign. */
    private final java.util.ArrayDeque<java.util.Set<Symbol.Var>> defVars = new java.util.ArrayDeque<>();
    private final List<Symbol.Input> inputs = new ArrayList<>();
    private final List<Symbol.Param> params = new ArrayList<>();
    /** Each int input's exclusive bound: the smallest size it indexes (checked at run time). */
    private final java.util.Map<Symbol.Input, Integer> indexLimits = new java.util.LinkedHashMap<>();
    private int operations;
    private boolean tooLargeReported;

    private enum Where { TOP, LOOP, DEF }

    /** Where an expression or statement is: its scope, block kind, loop trip product, enclosing def. */
    private record Ctx(Scope scope, Where where, long iterations, Symbol.Def inDef) {
        Ctx with(Scope s, Where w, long it, Symbol.Def d) {
            return new Ctx(s, w, it, d);
        }
    }

    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    private Checker(Program program, Pos endOfFile, Reporter reporter) {
        this.program = program;
        this.endOfFile = endOfFile;
        this.reporter = reporter;
    }

    /** Checks a parsed file; empty when it has errors (all of which are in the reporter). */
    public static Optional<Typed.Program> check(Program program, Pos endOfFile, Reporter reporter) {
        try {
            return new Checker(program, endOfFile, reporter).run();
        } catch (TooLarge e) {
            return Optional.empty();
        }
    }

    private Optional<Typed.Program> run() {
        List<Stmt> stmts = program.statements();
        String className = null;
        Typed.Expr loss = null;
        Pos lossPos = null;
        boolean sawLoss = false;
        List<Typed.Stmt> out = new ArrayList<>();
        Ctx top = new Ctx(global, Where.TOP, 1, null);
        for (int i = 0; i < stmts.size(); i++) {
            Stmt s = stmts.get(i);
            if (s instanceof Stmt.Model m) {
                if (className != null) {
                    reporter.error(m.pos(), DiagnosticKind.DUPLICATE_MODEL);
                } else if (i != 0) {
                    reporter.error(m.pos(), DiagnosticKind.MODEL_NOT_FIRST);
                } else {
                    className = m.name().name();
                    String problem = fileNameProblem(className);
                    if (problem != null) {
                        reporter.error(m.name().pos(), DiagnosticKind.MODEL_NAME_NOT_A_FILE, className, problem);
                    }
                }
            } else if (s instanceof Stmt.Loss l) {
                if (sawLoss) {
                    reporter.error(l.pos(), DiagnosticKind.DUPLICATE_LOSS);
                } else if (i != stmts.size() - 1) {
                    reporter.error(l.pos(), DiagnosticKind.LOSS_NOT_LAST);
                }
                Typed.Expr value = expr(l.value(), top);
                if (value != null && !value.shape().isScalar()) {
                    reporter.error(Exprs.start(l.value()), DiagnosticKind.LOSS_NOT_SCALAR, value.shape());
                }
                if (!sawLoss) {
                    loss = value;
                    lossPos = l.pos();
                }
                sawLoss = true;
            } else {
                statement(s, top, out);
            }
        }
        if (!sawLoss) {
            reporter.error(endOfFile, DiagnosticKind.MISSING_LOSS);
        }
        if (reporter.hasErrors() || loss == null) {
            return Optional.empty();
        }
        if (className == null) {
            className = classNameFromFile(program.file());
            String problem = fileNameProblem(className);
            if (problem != null) {
                reporter.error(Pos.START, DiagnosticKind.MODEL_NAME_NOT_A_FILE, abbreviate(className),
                        problem + "; name the model with a 'model Name;' statement");
                return Optional.empty();
            }
        }
        return Optional.of(new Typed.Program(program.file(), className, dims, inputs, params, out, loss, lossPos, indexLimits));
    }

    private static final java.util.regex.Pattern WINDOWS_DEVICE =
            java.util.regex.Pattern.compile("(?i)(con|prn|aux|nul|com[0-9]|lpt[0-9])");

    /**
     * Why {@code Name.java} cannot be a file on every platform the class may be generated on, or
     * null: the same source must compile everywhere, so Windows' device names are refused on
     * Linux too, and the name (with the underscore a Java keyword gets) must fit a 255-byte file
     * name.
     */
    static String fileNameProblem(String className) {
        if (WINDOWS_DEVICE.matcher(className).matches()) {
            return "'" + className + ".java' is a reserved device name on Windows";
        }
        if (className.length() > Limits.MAX_IDENTIFIER) {
            return "it has " + className.length() + " characters; the limit is " + Limits.MAX_IDENTIFIER;
        }
        return null;
    }

    private static String abbreviate(String name) {
        return name.length() <= 40 ? name : name.substring(0, 40) + "\u2026";
    }

    /** {@code two_layer.loss} → {@code TwoLayer}; names that would start with a digit get "Model". */
    public static String classNameFromFile(String file) {
        String base = file.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        StringBuilder name = new StringBuilder();
        for (String part : base.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                name.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        if (name.length() == 0 || Character.isDigit(name.charAt(0))) {
            name.insert(0, "Model");
        }
        return name.toString();
    }

    // ---------------------------------------------------------------- statements

    private void statement(Stmt s, Ctx ctx, List<Typed.Stmt> out) {
        if (s instanceof Stmt.Dim d) {
            if (!allowed("dim", ctx, s.pos())) {
                d.decls().forEach(decl -> declareQuietly(decl.name(), ctx.scope()));
                return;
            }
            for (Stmt.DimDecl decl : d.decls()) {
                Typed.Expr v = expr(decl.value(), ctx);
                if (v == null) {
                    declareQuietly(decl.name(), ctx.scope());
                    continue;
                }
                if (!(v instanceof Typed.Const c)) {
                    reporter.error(Exprs.start(decl.value()), DiagnosticKind.NOT_CONSTANT, "the value of dim '" + decl.name() + "'");
                    declareQuietly(decl.name(), ctx.scope());
                    continue;
                }
                if (!(c.value() >= 1 && c.value() <= MAX_ELEMENTS && c.value() == Math.rint(c.value()))) {
                    reporter.error(Exprs.start(decl.value()), DiagnosticKind.DIM_NOT_POSITIVE_INTEGER, decl.name().name(), number(c.value()));
                    declareQuietly(decl.name(), ctx.scope());
                    continue;
                }
                Symbol.Dim sym = new Symbol.Dim(decl.name().name(), (int) c.value(), decl.varying(), decl.name().pos());
                if (declare(decl.name(), sym, ctx.scope())) {
                    dims.add(sym);
                }
            }
        } else if (s instanceof Stmt.Const c) {
            if (!allowed("const", ctx, s.pos())) {
                declareQuietly(c.name(), ctx.scope());
                return;
            }
            Typed.Expr v = expr(c.value(), ctx);
            if (v == null) {
                declareQuietly(c.name(), ctx.scope());
                return;
            }
            if (!(v instanceof Typed.Const k)) {
                reporter.error(Exprs.start(c.value()), DiagnosticKind.NOT_CONSTANT, "the value of const '" + c.name() + "'");
                declareQuietly(c.name(), ctx.scope());
                return;
            }
            declare(c.name(), new Symbol.Const(c.name().name(), k.value(), c.name().pos()), ctx.scope());
        } else if (s instanceof Stmt.Input in) {
            if (!allowed("input", ctx, s.pos())) {
                declareQuietly(in.name(), ctx.scope());
                return;
            }
            Shape shape = declaredShape(in.shape(), in.name(), ctx);
            if (shape != null && shape.isMatrix() && shape.colDim() != null) {
                reporter.error(Exprs.start(in.shape().get(1)), DiagnosticKind.VARYING_DIM_AXIS, shape.colDim(), "input '" + in.name().name() + "'");
                shape = null;
            }
            if (shape != null && in.integer() && shape.isMatrix()) {
                reporter.error(in.name().pos(), DiagnosticKind.INT_INPUT_RANK, in.name().name(), shape);
                shape = null;
            }
            if (shape == null) {
                declareQuietly(in.name(), ctx.scope());
            } else {
                Symbol.Input sym = new Symbol.Input(in.name().name(), shape, inputs.size(), in.integer(), in.name().pos());
                if (declare(in.name(), sym, ctx.scope())) {
                    inputs.add(sym);
                }
            }
        } else if (s instanceof Stmt.Param p) {
            if (!allowed("param", ctx, s.pos())) {
                declareQuietly(p.name(), ctx.scope());
                return;
            }
            Shape shape = declaredShape(p.shape(), p.name(), ctx);
            if (shape != null && shape.varies()) {
                int k = shape.isMatrix() && shape.rowDim() == null ? 1 : 0;
                reporter.error(Exprs.start(p.shape().get(k)), DiagnosticKind.VARYING_DIM_PARAM, p.name().name(),
                        k == 0 && shape.isMatrix() ? shape.rowDim() : shape.colDim());
                declareQuietly(p.name(), ctx.scope());
                return;
            }
            Symbol.Initializer init = p.init().isPresent() ? initializer(p.init().get(), ctx) : null;
            if (shape == null || (init == null && p.init().isPresent())) {
                declareQuietly(p.name(), ctx.scope());
            }
            if (shape != null && (init != null || p.init().isEmpty())) {
                if (init == null) {
                    init = Symbol.Initializer.defaultFor(shape);
                }
                Symbol.Param sym = new Symbol.Param(p.name().name(), shape, params.size(), init, p.name().pos(), stateDictName(p));
                if (declare(p.name(), sym, ctx.scope())) {
                    params.add(sym);
                }
            }
        } else if (s instanceof Stmt.Let l) {
            bind(l.name(), l.value(), ctx, out, (name, shape) -> new Symbol.Let(name, shape, l.name().pos()), (sym, v) -> new Typed.Let(sym, v, l.pos()));
        } else if (s instanceof Stmt.Output o) {
            if (!allowed("output", ctx, s.pos())) {
                declareQuietly(o.name(), ctx.scope());
                return;
            }
            String taken = takenName(o.name().name());
            if (taken != null) {
                reporter.error(o.name().pos(), DiagnosticKind.OUTPUT_NAME_TAKEN, o.name().name(), taken);
            }
            bind(o.name(), o.value(), ctx, out, (name, shape) -> new Symbol.Let(name, shape, o.name().pos()), (sym, v) -> new Typed.Output(sym, v, o.pos()));
        } else if (s instanceof Stmt.Var v) {
            bind(v.name(), v.value(), ctx, out, (name, shape) -> new Symbol.Var(name, shape, v.name().pos()), (sym, value) -> {
                if (ctx.inDef() != null && !defVars.isEmpty()) {
                    defVars.peek().add(sym);
                }
                return new Typed.VarDecl(sym, value, v.pos());
            });
        } else if (s instanceof Stmt.Assign a) {
            Typed.Expr value = expr(a.value(), ctx);
            Symbol target = ctx.scope().lookup(a.name().name());
            if (target == null) {
                reporter.error(a.name().pos(), DiagnosticKind.UNKNOWN_NAME, a.name().name());
                return;
            }
            if (target instanceof Symbol.Poisoned) {
                return;
            }
            if (!(target instanceof Symbol.Var var)) {
                reporter.error(a.name().pos(), DiagnosticKind.ASSIGN_NOT_VAR, a.name().name(), target.kind());
                return;
            }
            if (ctx.inDef() != null && !defVars.isEmpty() && !defVars.peek().contains(var)) {
                reporter.error(a.name().pos(), DiagnosticKind.DEF_ASSIGNS_OUTER, a.name().name(), ctx.inDef().name());
                return;
            }
            if (value == null) {
                return;
            }
            if (!value.shape().equals(var.shape())) {
                reporter.error(Exprs.start(a.value()), DiagnosticKind.ASSIGN_SHAPE, a.name().name(), var.shape(), value.shape());
                return;
            }
            out.add(new Typed.Assign(var, value, a.pos()));
        } else if (s instanceof Stmt.For f) {
            Integer from = loopBound(f.from(), ctx);
            Symbol.Dim toDim = varyingDim(f.to(), ctx);
            Integer to = toDim != null ? Integer.valueOf(toDim.value()) : loopBound(f.to(), ctx);
            Scope body = new Scope(ctx.scope());
            Symbol.Loop loop = null;
            if (from != null && to != null) {
                if (to < from) {
                    reporter.error(Exprs.start(f.to()), DiagnosticKind.LOOP_RANGE, from, to);
                } else {
                    loop = new Symbol.Loop(f.variable().name(), from, to, toDim == null ? null : toDim.name(), f.variable().pos());
                }
            }
            if (loop != null) {
                declare(f.variable(), loop, body);
            } else {
                declareQuietly(f.variable(), body);
            }
            long iterations = ctx.iterations() * Math.max(1, loop == null ? 1 : loop.trips());
            Ctx inner = ctx.with(body, Where.LOOP, iterations, ctx.inDef());
            List<Typed.Stmt> bodyOut = new ArrayList<>();
            for (Stmt b : f.body()) {
                statement(b, inner, bodyOut);
            }
            if (loop != null) {
                out.add(new Typed.For(loop, bodyOut, f.pos()));
            }
        } else if (s instanceof Stmt.Def d) {
            if (!allowed("def", ctx, s.pos())) {
                return;
            }
            Symbol.Def sym = new Symbol.Def(d.name().name(), d, ctx.scope().snapshot(), d.name().pos());
            checkDefNames(sym);
            declare(d.name(), sym, ctx.scope());
        } else if (s instanceof Stmt.Model m) {
            reporter.error(m.pos(), DiagnosticKind.STATEMENT_NOT_ALLOWED_HERE, "model", placeName(ctx));
        } else if (s instanceof Stmt.Loss l) {
            reporter.error(l.pos(), DiagnosticKind.STATEMENT_NOT_ALLOWED_HERE, "loss", placeName(ctx));
        }
    }

    /**
     * A let, output or var: checks the value, declares the name and adds the statement. A value
     * that fails still declares the name (quietly), so its later uses report nothing more.
     */
    private <S extends Symbol> void bind(Ident name, Expr value, Ctx ctx, List<Typed.Stmt> out,
                                         java.util.function.BiFunction<String, Shape, S> symbol,
                                         java.util.function.BiFunction<S, Typed.Expr, Typed.Stmt> statement) {
        Typed.Expr v = expr(value, ctx);
        if (v == null) {
            declareQuietly(name, ctx.scope());
            return;
        }
        S sym = symbol.apply(name.name(), v.shape());
        if (declare(name, sym, ctx.scope())) {
            out.add(statement.apply(sym, v));
        }
    }

    /** What an output's name would clash with in the generated class, or null. */
    private static String takenName(String name) {
        if (ClassMembers.PUBLIC_METHODS.contains(name) || ClassMembers.OBJECT_METHODS.contains(name)) {
            return "the method " + name + "()";
        }
        boolean helper = java.util.Arrays.stream(dev.lossc.prim.ScalarFn.values()).anyMatch(f -> f.isHelper() && f.java().equals(name));
        if (ClassMembers.PRIVATE_MEMBERS.contains(name) || helper) {
            return "a private member '" + name + "'";
        }
        return null;
    }

    private static String placeName(Ctx ctx) {
        return switch (ctx.where()) {
            case TOP -> "here";
            case LOOP -> "inside a 'for' body";
            case DEF -> "inside a 'def' body";
        };
    }

    /** True if the statement is where it may be, at the top level; else reports it. */
    private boolean allowed(String what, Ctx ctx, Pos pos) {
        if (ctx.where() != Where.TOP) {
            reporter.error(pos, DiagnosticKind.STATEMENT_NOT_ALLOWED_HERE, what, placeName(ctx));
            return false;
        }
        return true;
    }

    private boolean declare(Ident id, Symbol sym, Scope scope) {
        if (Builtin.isReserved(id.name())) {
            reporter.error(id.pos(), DiagnosticKind.BUILTIN_REDECLARED, id.name());
            return false;
        }
        Symbol existing = scope.local(id.name());
        if (existing != null) {
            reporter.error(id.pos(), DiagnosticKind.ALREADY_DECLARED, id.name(), existing.declared().line());
            return false;
        }
        scope.put(id.name(), sym);
        return true;
    }

    private void declareQuietly(Ident id, Scope scope) {
        if (scope.local(id.name()) == null && !Builtin.isReserved(id.name())) {
            scope.put(id.name(), new Symbol.Poisoned(id.name(), id.pos()));
        }
    }


    private Shape declaredShape(List<Expr> sizes, Ident name, Ctx ctx) {
        if (sizes.size() > 2) {
            reporter.error(sizes.get(2).pos(), DiagnosticKind.SHAPE_RANK, sizes.size());
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
            default -> checkedMatrix(n[0], n[1], "'" + name.name() + "'", name.pos());
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
    private Shape.Axis sizeAxis(Expr e, Ctx ctx) {
        Symbol.Dim d = varyingDim(e, ctx);
        if (d != null) {
            return new Shape.Axis(d.value(), d.name());
        }
        Integer v = size(e, ctx);
        return v == null ? null : Shape.Axis.of(v);
    }

    private Shape checkedMatrix(Shape.Axis m, Shape.Axis n, String what, Pos pos) {
        Shape s = checkedMatrix(m.size(), n.size(), what, pos);
        return s == null ? null : Shape.matrix(m, n);
    }

    private Shape checkedVector(long n, Pos pos) {
        if (n > MAX_ELEMENTS) {
            reporter.error(pos, DiagnosticKind.TOO_LARGE, "the result of 'concat'", n, MAX_ELEMENTS);
            return null;
        }
        return Shape.vector((int) n);
    }

    private Shape checkedMatrix(long m, long n, String what, Pos pos) {
        if (m * n > MAX_ELEMENTS) {
            reporter.error(pos, DiagnosticKind.TOO_LARGE, what, m * n, MAX_ELEMENTS);
            return null;
        }
        return Shape.matrix((int) m, (int) n);
    }

    private Integer size(Expr e, Ctx ctx) {
        Typed.Expr v = expr(e, ctx);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Typed.Const c) || !(c.value() >= 1 && c.value() <= MAX_ELEMENTS && c.value() == Math.rint(c.value()))) {
            reporter.error(Exprs.start(e), DiagnosticKind.SIZE_NOT_POSITIVE_INTEGER, describe(v));
            return null;
        }
        return (int) c.value();
    }

    private Integer loopBound(Expr e, Ctx ctx) {
        Typed.Expr v = expr(e, ctx);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Typed.Const c) || c.value() != Math.rint(c.value()) || Math.abs(c.value()) > MAX_ELEMENTS) {
            reporter.error(Exprs.start(e), DiagnosticKind.LOOP_BOUND, describe(v));
            return null;
        }
        return (int) c.value();
    }

    private static String describe(Typed.Expr v) {
        return v instanceof Typed.Const c ? number(c.value()) : "a value of shape " + v.shape();
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
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
            reporter.error(init.kind().pos(), DiagnosticKind.UNKNOWN_INITIALIZER, kind);
            return null;
        }
        boolean twoArgs = k == Symbol.Initializer.Kind.UNIFORM || k == Symbol.Initializer.Kind.NORMAL;
        if (twoArgs && init.args().size() != 2) {
            reporter.error(init.kind().pos(), DiagnosticKind.INITIALIZER_ARGS, kind,
                    k == Symbol.Initializer.Kind.UNIFORM ? "two constant arguments (a, b)" : "two constant arguments (mean, std)");
            return null;
        }
        if (!twoArgs && !init.args().isEmpty()) {
            reporter.error(init.kind().pos(), DiagnosticKind.INITIALIZER_ARGS, kind, "no arguments");
            return null;
        }
        double[] a = new double[2];
        for (int i = 0; i < init.args().size(); i++) {
            Typed.Expr v = expr(init.args().get(i), ctx);
            if (v == null) {
                return null;
            }
            if (!(v instanceof Typed.Const c)) {
                reporter.error(Exprs.start(init.args().get(i)), DiagnosticKind.CONSTANT_ARGUMENT, i + 1, kind);
                return null;
            }
            a[i] = c.value();
        }
        return new Symbol.Initializer(k, a[0], a[1]);
    }

    // ---------------------------------------------------------------- defs

    /** Reports unknown names in a def body once, at its declaration, even if it is never called. */
    private void checkDefNames(Symbol.Def def) {
        Scope scope = Scope.of(def.scope());
        for (Ident p : def.def().params()) {
            declareNameOnly(p, scope);
        }
        defBodyNames(def.def().body(), scope, def);
        namesIn(def.def().result(), scope, def);
    }

    /** A def body (version 2): let, var, assignments and for, each checked for names where the def is declared. */
    private void defBodyNames(List<Stmt> body, Scope scope, Symbol.Def def) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Let l) {
                namesIn(l.value(), scope, def);
                declareNameOnly(l.name(), scope);
            } else if (s instanceof Stmt.Var v) {
                namesIn(v.value(), scope, def);
                declareNameOnly(v.name(), scope);
            } else if (s instanceof Stmt.Assign a) {
                namesIn(a.value(), scope, def);
                if (scope.lookup(a.name().name()) == null) {
                    reporter.error(a.name().pos(), DiagnosticKind.UNKNOWN_NAME, a.name().name());
                }
            } else if (s instanceof Stmt.For f) {
                namesIn(f.from(), scope, def);
                namesIn(f.to(), scope, def);
                Scope inner = new Scope(scope);
                declareNameOnly(f.variable(), inner);
                defBodyNames(f.body(), inner, def);
            } else {
                reporter.error(s.pos(), DiagnosticKind.STATEMENT_NOT_ALLOWED_HERE, keyword(s), "inside a 'def' body");
            }
        }
    }

    private static String keyword(Stmt s) {
        if (s instanceof Stmt.Model) {
            return "model";
        } else if (s instanceof Stmt.Dim) {
            return "dim";
        } else if (s instanceof Stmt.Const) {
            return "const";
        } else if (s instanceof Stmt.Input) {
            return "input";
        } else if (s instanceof Stmt.Param) {
            return "param";
        } else if (s instanceof Stmt.Let) {
            return "let";
        } else if (s instanceof Stmt.Output) {
            return "output";
        } else if (s instanceof Stmt.Var) {
            return "var";
        } else if (s instanceof Stmt.Assign) {
            return "assignment";
        } else if (s instanceof Stmt.For) {
            return "for";
        } else if (s instanceof Stmt.Def) {
            return "def";
        }
        return "loss";
    }

    private void declareNameOnly(Ident id, Scope scope) {
        if (Builtin.isReserved(id.name())) {
            reporter.error(id.pos(), DiagnosticKind.BUILTIN_REDECLARED, id.name());
        } else if (scope.local(id.name()) instanceof Symbol.Poisoned) {
            reporter.error(id.pos(), DiagnosticKind.ALREADY_DECLARED, id.name(), scope.local(id.name()).declared().line());
        } else {
            scope.put(id.name(), new Symbol.Poisoned(id.name(), id.pos()));
        }
    }

    private void namesIn(Expr e, Scope scope, Symbol.Def def) {
        if (e instanceof Expr.Name n) {
            String name = n.id().name();
            if (scope.lookup(name) == null && !Builtin.isBuiltinName(name)) {
                reporter.error(n.pos(), name.equals(def.name()) ? DiagnosticKind.RECURSIVE_CALL : DiagnosticKind.UNKNOWN_NAME, name);
            }
        } else if (e instanceof Expr.Call c) {
            String name = c.function().name();
            if (!Builtin.isBuiltinName(name) && scope.lookup(name) == null) {
                reporter.error(c.pos(), name.equals(def.name()) ? DiagnosticKind.RECURSIVE_CALL : DiagnosticKind.UNKNOWN_FUNCTION, name);
            }
            c.args().forEach(a -> namesIn(a, scope, def));
        } else if (e instanceof Expr.Neg n) {
            namesIn(n.operand(), scope, def);
        } else if (e instanceof Expr.Binary b) {
            namesIn(b.left(), scope, def);
            namesIn(b.right(), scope, def);
        } else if (e instanceof Expr.Pow p) {
            namesIn(p.base(), scope, def);
            namesIn(p.exponent(), scope, def);
        } else if (e instanceof Expr.Index i) {
            namesIn(i.base(), scope, def);
            i.indexes().forEach(x -> namesIn(x, scope, def));
        } else if (e instanceof Expr.Range r && !r.whole()) {
            namesIn(r.from(), scope, def);
            namesIn(r.to(), scope, def);
        }
    }

    private Typed.Expr inline(Symbol.Def def, Expr.Call call, List<Typed.Expr> args, Ctx ctx) {
        Stmt.Def d = def.def();
        if (args.size() != d.params().size()) {
            reporter.error(call.pos(), DiagnosticKind.ARITY, def.name(), plural(d.params().size()), args.size());
            return null;
        }
        if (args.contains(null)) {
            return null;
        }
        Scope scope = new Scope(Scope.of(def.scope()));
        List<Typed.Stmt> lets = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Ident p = d.params().get(i);
            if (scope.local(p.name()) != null || Builtin.isReserved(p.name())) {
                return null; // reported at the declaration
            }
            Symbol.Let sym = new Symbol.Let(p.name(), args.get(i).shape(), p.pos());
            scope.put(p.name(), sym);
            lets.add(new Typed.Let(sym, args.get(i), call.pos()));
        }
        Ctx inner = ctx.with(scope, Where.DEF, ctx.iterations(), def);
        // The body's statements are checked as anywhere else (a failure is reported once, at its
        // place, however many calls inline it); only a var of this call may be assigned.
        defVars.push(java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        boolean ok = true;
        try {
            for (Stmt s : d.body()) {
                if (!(s instanceof Stmt.Let || s instanceof Stmt.Var || s instanceof Stmt.Assign || s instanceof Stmt.For)) {
                    ok = false; // reported at the declaration
                    continue;
                }
                int before = lets.size();
                statement(s, inner, lets);
                ok &= lets.size() > before;
            }
        } finally {
            defVars.pop();
        }
        Typed.Expr result = expr(d.result(), inner);
        if (!ok || result == null) {
            return null;
        }
        return new Typed.Block(lets, result, call.pos());
    }

    private static String plural(int n) {
        return n == 1 ? "1 argument" : n + " arguments";
    }

    // ---------------------------------------------------------------- expressions

    private Typed.Expr expr(Expr e, Ctx ctx) {
        if (e instanceof Expr.Num n) {
            return new Typed.Const(n.value(), n.pos());
        } else if (e instanceof Expr.Name n) {
            return name(n, ctx);
        } else if (e instanceof Expr.Neg n) {
            Typed.Expr a = expr(n.operand(), ctx);
            return a == null ? null : apply(Prim.NEG, List.of(a), 0, a.shape(), n.pos(), ctx);
        } else if (e instanceof Expr.Binary b) {
            return binary(b, ctx);
        } else if (e instanceof Expr.Pow p) {
            Typed.Expr base = expr(p.base(), ctx);
            Typed.Expr exponent = expr(p.exponent(), ctx);
            if (exponent != null && !(exponent instanceof Typed.Const)) {
                reporter.error(Exprs.start(p.exponent()), DiagnosticKind.NOT_CONSTANT, "the exponent of '^'");
                return null;
            }
            if (base == null || exponent == null) {
                return null;
            }
            return apply(Prim.POW, List.of(base), ((Typed.Const) exponent).value(), base.shape(), p.pos(), ctx);
        } else if (e instanceof Expr.Index i) {
            return index(i, ctx);
        } else if (e instanceof Expr.Range r) {
            reporter.error(Exprs.start(r), DiagnosticKind.RANGE_NOT_INDEX);
            return null;
        }
        return call((Expr.Call) e, ctx);
    }

    private Typed.Expr name(Expr.Name n, Ctx ctx) {
        String name = n.id().name();
        Symbol s = ctx.scope().lookup(name);
        if (s == null) {
            if (Builtin.isBuiltinName(name)) {
                reporter.error(n.pos(), DiagnosticKind.FUNCTION_AS_VALUE, name);
            } else if (ctx.inDef() != null && name.equals(ctx.inDef().name())) {
                reporter.error(n.pos(), DiagnosticKind.RECURSIVE_CALL, name);
            } else {
                reporter.error(n.pos(), DiagnosticKind.UNKNOWN_NAME, name);
            }
            return null;
        }
        if (s instanceof Symbol.Dim d) {
            if (d.varying()) {
                reporter.error(n.pos(), DiagnosticKind.VARYING_DIM_USE, name, name, "a value");
                return null;
            }
            return new Typed.Const(d.value(), n.pos());
        } else if (s instanceof Symbol.Const c) {
            return new Typed.Const(c.value(), n.pos());
        } else if (s instanceof Symbol.Input in) {
            if (in.integer()) {
                reporter.error(n.pos(), DiagnosticKind.INT_AS_REAL, name, name);
                return null;
            }
            return new Typed.Ref(in, in.shape(), n.pos());
        } else if (s instanceof Symbol.Param p) {
            return new Typed.Ref(p, p.shape(), n.pos());
        } else if (s instanceof Symbol.Let l) {
            return new Typed.Ref(l, l.shape(), n.pos());
        } else if (s instanceof Symbol.Var v) {
            return new Typed.Ref(v, v.shape(), n.pos());
        } else if (s instanceof Symbol.Loop l) {
            return new Typed.LoopIndex(l, n.pos());
        } else if (s instanceof Symbol.Def) {
            reporter.error(n.pos(), DiagnosticKind.FUNCTION_AS_VALUE, name);
        }
        return null;
    }

    private Typed.Expr binary(Expr.Binary b, Ctx ctx) {
        Typed.Expr l = expr(b.left(), ctx);
        Typed.Expr r = expr(b.right(), ctx);
        if (l == null || r == null) {
            return null;
        }
        if (b.op() == Expr.BinaryOp.MATMUL) {
            Shape a = l.shape();
            Shape c = r.shape();
            if (a.isMatrix() && c.isVector() && a.colAxis().equals(c.colAxis())) {
                return apply(Prim.MATVEC, List.of(l, r), 0, Shape.vector(a.rowAxis()), b.pos(), ctx);
            }
            if (a.isVector() && c.isMatrix() && a.colAxis().equals(c.rowAxis())) {
                return apply(Prim.VECMAT, List.of(l, r), 0, Shape.vector(c.colAxis()), b.pos(), ctx);
            }
            if (a.isMatrix() && c.isMatrix() && a.colAxis().equals(c.rowAxis())) {
                Shape s = checkedMatrix(a.rowAxis(), c.colAxis(), "the result of '@'", b.pos());
                return s == null ? null : apply(Prim.MATMUL, List.of(l, r), 0, s, b.pos(), ctx);
            }
            if (a.isVector() && c.isVector() && a.colAxis().equals(c.colAxis())) {
                return apply(Prim.DOT, List.of(l, r), 0, Shape.SCALAR, b.pos(), ctx);
            }
            reporter.error(b.pos(), DiagnosticKind.MATMUL_SHAPES, a, c);
            return null;
        }
        Prim f = switch (b.op()) {
            case ADD -> Prim.ADD;
            case SUB -> Prim.SUB;
            case MUL -> Prim.MUL;
            case DIV -> Prim.DIV;
            case LT -> Prim.LT;
            case LE -> Prim.LE;
            case GT -> Prim.GT;
            case GE -> Prim.GE;
            case EQ -> Prim.EQ;
            case NE -> Prim.NE;
            case MATMUL -> throw new IllegalStateException("'@' is handled above");
        };
        return broadcast(f, b.op().symbol, l, r, b.pos(), ctx);
    }

    private Typed.Expr broadcast(Prim f, String spelling, Typed.Expr l, Typed.Expr r, Pos pos, Ctx ctx) {
        Shape result = broadcastShape(l.shape(), r.shape());
        if (result == null) {
            reporter.error(pos, DiagnosticKind.SHAPE_MISMATCH, spelling, l.shape(), r.shape());
            return null;
        }
        return apply(f, List.of(l, r), 0, result, pos, ctx);
    }

    /**
     * NumPy's rule (version 2): sizes aligned from the right, a vector {@code [n]} acting as
     * {@code [1, n]}; on each axis the sizes are equal or one of them is a fixed 1, which stretches.
     * A scalar goes with anything. The result is a matrix if either operand is one. Null if the
     * shapes do not broadcast.
     */
    public static Shape broadcastShape(Shape a, Shape b) {
        if (a.equals(b) || b.isScalar()) {
            return a;
        }
        if (a.isScalar()) {
            return b;
        }
        Shape.Axis rows = stretched(a.rowAxis(), b.rowAxis());
        Shape.Axis cols = stretched(a.colAxis(), b.colAxis());
        if (rows == null || cols == null) {
            return null;
        }
        return a.isMatrix() || b.isMatrix() ? Shape.matrix(rows, cols) : Shape.vector(cols);
    }

    /** Equal axes, or the other one where one of them is a fixed 1; null otherwise. */
    private static Shape.Axis stretched(Shape.Axis a, Shape.Axis b) {
        if (a.equals(b)) {
            return a;
        }
        if (!a.varies() && a.size() == 1) {
            return b;
        }
        if (!b.varies() && b.size() == 1) {
            return a;
        }
        return null;
    }

    private Typed.Expr index(Expr.Index i, Ctx ctx) {
        if (i.indexes().stream().anyMatch(x -> x instanceof Expr.Range)) {
            return slice(i, ctx);
        }
        Typed.Expr base = expr(i.base(), ctx);
        Shape s = base == null ? null : base.shape();
        Shape.Axis[] axes = indexAxes(s);
        List<Affine> idx = new ArrayList<>();
        boolean ok = true;
        for (int k = 0; k < i.indexes().size(); k++) {
            Expr x = i.indexes().get(k);
            int limit = axes != null && k < axes.length ? axes[k].size() : 1;
            Symbol.Input data = intInput(x, ctx);
            if (axes != null && k < axes.length && axes[k].varies() && (data != null || isIntData(x, ctx))) {
                // An id read at run time cannot be bounded by a size chosen at run time.
                reporter.error(Exprs.start(x), DiagnosticKind.VARYING_INDEX, axes[k].dim(), axes[k].dim());
                return null;
            }
            Affine a;
            if (data != null && data.shape().isVector()) {
                // E[toks]: a gather of rows (or of elements, from a vector).
                if (i.indexes().size() != 1) {
                    reporter.error(Exprs.start(x), DiagnosticKind.GATHER_FORM, data.name());
                    return null;
                }
                return base == null ? null : gather(base, data, limit, i.pos(), x.pos(), ctx);
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
            ok &= axes[k].varies() ? inVaryingBounds(idx.get(k), axes[k], i.indexes().get(k))
                    : inBounds(idx.get(k), axes[k].size(), i.indexes().get(k));
        }
        if (!ok) {
            return null;
        }
        Shape result = s.isMatrix() && idx.size() == 1 ? Shape.vector(s.colAxis()) : Shape.SCALAR;
        return new Typed.Index(base, idx, result, i.pos());
    }

    /** The axes indexes address, in order: a matrix's rows and columns, a vector's length (null for no shape). */
    private static Shape.Axis[] indexAxes(Shape s) {
        return s == null ? null : s.isMatrix() ? new Shape.Axis[] {s.rowAxis(), s.colAxis()} : new Shape.Axis[] {s.colAxis()};
    }

    private void tooManyIndexes(Pos pos, Shape s, int given) {
        reporter.error(pos, DiagnosticKind.TOO_MANY_INDEXES, s.isScalar() ? "scalar" : s.isVector() ? "vector" : "matrix", given);
    }

    /**
     * {@code v[a..b]}, {@code A[a..b]}, {@code A[.., j]}, {@code A[i, a..b]}, {@code A[a..b, c..d]}
     * (version 2): a block of the base. A range's length {@code b - a} is a constant of 1 or more;
     * its start may move with loop variables, and every position it reaches is checked against the
     * size; an axis whose size varies per call is only sliced whole.
     */
    private Typed.Expr slice(Expr.Index i, Ctx ctx) {
        Typed.Expr base = expr(i.base(), ctx);
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
                    reporter.error(Exprs.start(x), DiagnosticKind.SLICE_LENGTH, a, b, d);
                    ok = false;
                    continue;
                }
                if (axis != null && axis.varies()) {
                    reporter.error(Exprs.start(x), DiagnosticKind.VARYING_SLICE, axis.dim());
                    ok = false;
                    continue;
                }
                start[k] = a;
                length[k] = Shape.Axis.of(d.constant());
                if (axis != null && (a.min() < 0 || a.max() + d.constant() > axis.size())) {
                    String shown = a + ".." + b + (a.isConstant() ? "" : " (whose start runs from " + a.min() + " to " + a.max() + ")");
                    reporter.error(Exprs.start(x), DiagnosticKind.SLICE_OUT_OF_BOUNDS, shown, axis.size());
                    ok = false;
                }
                continue;
            }
            if (intInput(x, ctx) != null) {
                reporter.error(Exprs.start(x), DiagnosticKind.GATHER_FORM, intInput(x, ctx).name());
                ok = false;
                continue;
            }
            if (axis != null && axis.varies() && isIntData(x, ctx)) {
                reporter.error(Exprs.start(x), DiagnosticKind.VARYING_INDEX, axis.dim(), axis.dim());
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
                ok &= axis.varies() ? inVaryingBounds(a, axis, x) : inBounds(a, axis.size(), x);
            }
        }
        if (base == null || !ok) {
            return null;
        }
        Typed.Expr result;
        if (s.isVector()) {
            result = new Typed.Slice(base, Affine.of(0), start[0], 1, length[0].size(), Shape.vector(length[0]), i.pos());
        } else {
            Shape.Axis h = length[0];
            Shape.Axis w = xs.size() == 1 ? s.colAxis() : length[1];
            Affine col = xs.size() == 1 ? Affine.of(0) : start[1];
            Shape shape = h == null ? Shape.vector(w) : w == null ? Shape.vector(h) : Shape.matrix(h, w);
            result = new Typed.Slice(base, start[0], col, h == null ? 1 : h.size(), w == null ? 1 : w.size(), shape, i.pos());
        }
        return counted(result.shape(), i.pos(), ctx) ? result : null;
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
        indexLimits.merge(id.input(), limit, Math::min);
        return Affine.datum(id.input(), id.at(), limit);
    }

    /** The int input {@code e} names, if it is a bare name of one. */
    private static Symbol.Input intInput(Expr e, Ctx ctx) {
        if (e instanceof Expr.Name n && ctx.scope().lookup(n.id().name()) instanceof Symbol.Input in && in.integer()) {
            return in;
        }
        return null;
    }

    /** True if {@code e} is an int input ({@code label}) or an element of one ({@code targets[t]}). */
    private static boolean isIntData(Expr e, Ctx ctx) {
        return intInput(e, ctx) != null || (e instanceof Expr.Index xi && xi.indexes().size() == 1 && intInput(xi.base(), ctx) != null);
    }

    /** The int data {@code e} names as class labels: the input, or one element of it (null after an error). */
    private Typed.IntRef intData(Expr e, Ctx ctx) {
        Symbol.Input data = intInput(e, ctx);
        if (data != null) {
            return new Typed.IntRef(data, data.shape(), e.pos());
        }
        Expr.Index xi = (Expr.Index) e;
        data = intInput(xi.base(), ctx);
        Affine at = affine(xi.indexes().get(0), ctx);
        if (at == null) {
            return null;
        }
        if (data.shape().isScalar()) {
            reporter.error(xi.pos(), DiagnosticKind.TOO_MANY_INDEXES, "scalar", 1);
            return null;
        }
        Shape.Axis axis = data.shape().colAxis();
        if (!(axis.varies() ? inVaryingBounds(at, axis, xi.indexes().get(0)) : inBounds(at, axis.size(), xi.indexes().get(0)))) {
            return null;
        }
        return new Typed.IntRef(data, at, Shape.SCALAR, e.pos());
    }

    /** True if {@code a} stays in {@code 0 … size - 1} over its loops; else C007 at {@code written}, naming its range. */
    private boolean inBounds(Affine a, int size, Expr written) {
        if (a.min() >= 0 && a.max() < size) {
            return true;
        }
        String shown = a.isConstant() ? a.toString() : a + " (which runs from " + a.min() + " to " + a.max() + ")";
        reporter.error(Exprs.start(written), DiagnosticKind.INDEX_OUT_OF_BOUNDS, shown, size);
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
            reporter.error(Exprs.start(written), DiagnosticKind.VARYING_INDEX, axis.dim(), axis.dim());
        }
        return ok;
    }

    /** {@code E[toks]} → rows {@code E[toks[0]], E[toks[1]], …}; {@code v[toks]} → elements. */
    private Typed.Expr gather(Typed.Expr base, Symbol.Input data, int limit, Pos pos, Pos at, Ctx ctx) {
        Shape s = base.shape();
        if (s.isScalar()) {
            reporter.error(pos, DiagnosticKind.TOO_MANY_INDEXES, "scalar", 1);
            return null;
        }
        if (s.lengthAxis().varies()) {
            reporter.error(at, DiagnosticKind.VARYING_INDEX, s.lengthAxis().dim(), s.lengthAxis().dim());
            return null;
        }
        Shape.Axis m = data.shape().colAxis();
        Shape result = s.isVector() ? Shape.vector(m) : checkedMatrix(m, s.colAxis(), "the gathered rows", at);
        if (result == null) {
            return null;
        }
        indexLimits.merge(data, limit, Math::min);
        return apply(Prim.GATHER, List.of(base, new Typed.IntRef(data, data.shape(), at)), 0, result, pos, ctx);
    }

    /** An index: integer literals, dims and loop variables combined with + and - (and parentheses). */
    private Affine affine(Expr e, Ctx ctx) {
        if (e instanceof Expr.Num n && n.value() == Math.rint(n.value()) && Math.abs(n.value()) <= MAX_ELEMENTS) {
            return Affine.of((int) n.value());
        } else if (e instanceof Expr.Name n) {
            Symbol s = ctx.scope().lookup(n.id().name());
            if (s instanceof Symbol.Dim d) {
                if (d.varying()) {
                    reporter.error(n.pos(), DiagnosticKind.VARYING_DIM_USE, d.name(), d.name(), "an index");
                    return null;
                }
                return Affine.of(d.value());
            }
            if (s instanceof Symbol.Loop l) {
                return new Affine(0, List.of(new Affine.Term(l, 1)));
            }
            if (s == null) {
                reporter.error(n.pos(), DiagnosticKind.UNKNOWN_NAME, n.id().name());
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
        reporter.error(Exprs.start(e), e instanceof Expr.Range ? DiagnosticKind.RANGE_NOT_INDEX : DiagnosticKind.BAD_INDEX);
        return null;
    }

    private Typed.Expr call(Expr.Call c, Ctx ctx) {
        String name = c.function().name();
        List<Typed.Expr> args = new ArrayList<>();
        for (int k = 0; k < c.args().size(); k++) {
            Expr a = c.args().get(k);
            if (k == 1 && name.equals(Builtin.CROSS_ENTROPY.spelling()) && isIntData(a, ctx)) {
                args.add(intData(a, ctx));
                continue;
            }
            args.add(expr(a, ctx));
        }
        Symbol s = ctx.scope().lookup(name);
        if (s != null && !Builtin.isReserved(name)) {
            // A declared name hides a version-2 built-in of the same name (version-1 programs keep compiling).
            if (s instanceof Symbol.Def def) {
                return inline(def, c, args, ctx);
            }
            if (!(s instanceof Symbol.Poisoned)) {
                reporter.error(c.pos(), DiagnosticKind.NOT_A_FUNCTION, name, s.kind());
            }
            return null;
        }
        Prim elementwise = Prim.elementwiseNamed(name);
        Builtin f = Builtin.named(name).orElse(null);
        if (f == null && elementwise == null) {
            if (ctx.inDef() != null && name.equals(ctx.inDef().name())) {
                reporter.error(c.pos(), DiagnosticKind.RECURSIVE_CALL, name);
            } else {
                reporter.error(c.pos(), DiagnosticKind.UNKNOWN_FUNCTION, name);
            }
            return null;
        }
        if (f == null && (name.equals("max") || name.equals("min")) && args.size() == 1) {
            // max(x), min(x) (version 2): the largest (smallest) element; two arguments stay elementwise.
            if (args.get(0) == null) {
                return null;
            }
            return derived(name.equals("max") ? Builtin.MAX_ALL : Builtin.MIN_ALL, args, Shape.SCALAR, c.pos(), ctx);
        }
        if (f == null) {
            return elementwise(elementwise, c, args, ctx);
        }
        return builtin(f, c, args, ctx);
    }

    /** An elementwise primitive called by name: one argument keeps its shape, two broadcast as '+'. */
    private Typed.Expr elementwise(Prim p, Expr.Call c, List<Typed.Expr> args, Ctx ctx) {
        if (!arity(c, args.size(), p.arity(), p.arity()) || args.contains(null)) {
            return null;
        }
        if (p.arity() == 1) {
            return apply(p, args, 0, args.get(0).shape(), c.pos(), ctx);
        }
        if (p.arity() == 3) {
            // where(c, a, b), clamp(x, lo, hi): the three shapes broadcast together.
            Shape ab = broadcastShape(args.get(0).shape(), args.get(1).shape());
            Shape all = ab == null ? null : broadcastShape(ab, args.get(2).shape());
            if (all == null) {
                reporter.error(c.pos(), DiagnosticKind.ARGUMENT_SHAPE, c.function().name(), "three shapes that broadcast together",
                        args.get(0).shape() + ", " + args.get(1).shape() + " and " + args.get(2).shape());
                return null;
            }
            return apply(p, args, 0, all, c.pos(), ctx);
        }
        return broadcast(p, c.function().name(), args.get(0), args.get(1), c.pos(), ctx);
    }

    private boolean arity(Expr.Call c, int given, int min, int max) {
        if (given < min || given > max) {
            String expected = min == max ? plural(min) : min + " or " + max + " arguments";
            reporter.error(c.pos(), DiagnosticKind.ARITY, c.function().name(), expected, given);
            return false;
        }
        return true;
    }

    private Typed.Expr builtin(Builtin f, Expr.Call c, List<Typed.Expr> args, Ctx ctx) {
        String name = c.function().name();
        Pos pos = c.pos();
        // Exhaustive: a built-in without a rule here fails to compile.
        return switch (f) {
            case LEAKY_RELU -> {
                if (!arity(c, args.size(), 1, 2) || args.contains(null)) {
                    yield null;
                }
                double alpha = 0.01;
                if (args.size() == 2) {
                    if (!(args.get(1) instanceof Typed.Const k)) {
                        reporter.error(Exprs.start(c.args().get(1)), DiagnosticKind.CONSTANT_ARGUMENT, 2, name);
                        yield null;
                    }
                    alpha = k.value();
                }
                yield apply(Prim.LEAKY_RELU, List.of(args.get(0)), alpha, args.get(0).shape(), pos, ctx);
            }
            case DOT, OUTER -> {
                if (!arity(c, args.size(), 2, 2) || args.contains(null)) {
                    yield null;
                }
                Shape a = args.get(0).shape();
                Shape b = args.get(1).shape();
                if (f == Builtin.DOT) {
                    if (a.isVector() && b.isVector() && a.colAxis().equals(b.colAxis())) {
                        yield apply(Prim.DOT, args, 0, Shape.SCALAR, pos, ctx);
                    }
                    reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, "two vectors of equal length", a + " and " + b);
                    yield null;
                }
                if (a.isVector() && b.isVector()) {
                    Shape s = checkedMatrix(a.colAxis(), b.colAxis(), "the result of 'outer'", pos);
                    yield s == null ? null : apply(Prim.OUTER, args, 0, s, pos, ctx);
                }
                reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, "two vectors", a + " and " + b);
                yield null;
            }
            case TRANSPOSE -> {
                if (!arity(c, args.size(), 1, 1) || args.get(0) == null) {
                    yield null;
                }
                Shape a = args.get(0).shape();
                if (!a.isMatrix()) {
                    reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, "a matrix", a);
                    yield null;
                }
                yield apply(Prim.TRANSPOSE, args, 0, a.transposed(), pos, ctx);
            }
            case SUM, MEAN -> {
                if (!arity(c, args.size(), 1, 2) || args.contains(null)) {
                    yield null;
                }
                if (args.size() == 1) {
                    yield f == Builtin.SUM ? apply(Prim.SUM, args, 0, Shape.SCALAR, pos, ctx) : derived(f, args, Shape.SCALAR, pos, ctx);
                }
                Shape a = args.get(0).shape();
                Integer axis = axis(c, args.get(1));
                if (axis == null) {
                    yield null;
                }
                if (!a.isMatrix()) {
                    reporter.error(Exprs.start(c.args().get(0)), DiagnosticKind.ARGUMENT_SHAPE, name + "(X, axis)", "a matrix", a);
                    yield null;
                }
                boolean rows = axis == 0;
                Shape result = Shape.vector(rows ? a.colAxis() : a.rowAxis());
                if (f == Builtin.SUM) {
                    yield apply(rows ? Prim.SUM_AXIS0 : Prim.SUM_AXIS1, List.of(args.get(0)), 0, result, pos, ctx);
                }
                yield derived(rows ? Builtin.MEAN_AXIS0 : Builtin.MEAN_AXIS1, List.of(args.get(0)), result, pos, ctx);
            }
            case SOFTMAX, LOG_SOFTMAX, LOGSUMEXP -> {
                if (!arity(c, args.size(), 1, 2) || args.contains(null)) {
                    yield null;
                }
                Shape a = args.get(0).shape();
                if (args.size() == 2) {
                    // softmax(X, axis) (version 2): axis 1 is the one-argument form (rows), axis 0 the columns.
                    Integer axis = axis(c, args.get(1));
                    if (axis == null) {
                        yield null;
                    }
                    if (!a.isMatrix()) {
                        reporter.error(Exprs.start(c.args().get(0)), DiagnosticKind.ARGUMENT_SHAPE, name + "(X, axis)", "a matrix", a);
                        yield null;
                    }
                    Shape result = f != Builtin.LOGSUMEXP ? a : Shape.vector(axis == 0 ? a.colAxis() : a.rowAxis());
                    if (axis == 0) {
                        Builtin b = f == Builtin.SOFTMAX ? Builtin.SOFTMAX_AXIS0 : f == Builtin.LOG_SOFTMAX ? Builtin.LOG_SOFTMAX_AXIS0 : Builtin.LOGSUMEXP_AXIS0;
                        yield derived(b, List.of(args.get(0)), result, pos, ctx);
                    }
                    Prim p = f == Builtin.SOFTMAX ? Prim.SOFTMAX : f == Builtin.LOG_SOFTMAX ? Prim.LOG_SOFTMAX : Prim.LOGSUMEXP;
                    yield apply(p, List.of(args.get(0)), 0, result, pos, ctx);
                }
                if (a.isScalar()) {
                    reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, "a vector or a matrix", a);
                    yield null;
                }
                Shape result = f != Builtin.LOGSUMEXP ? a : a.isVector() ? Shape.SCALAR : Shape.vector(a.rowAxis());
                Prim p = f == Builtin.SOFTMAX ? Prim.SOFTMAX : f == Builtin.LOG_SOFTMAX ? Prim.LOG_SOFTMAX : Prim.LOGSUMEXP;
                yield apply(p, args, 0, result, pos, ctx);
            }
            case MSE, BCE_LOGITS, CROSS_ENTROPY -> {
                if (!arity(c, args.size(), 2, 2) || args.contains(null)) {
                    yield null;
                }
                Shape a = args.get(0).shape();
                Shape b = args.get(1).shape();
                if (args.get(1) instanceof Typed.IntRef labels) {
                    // Class indices (version 2): z[n] with an int label, or Z[m, n] with int labels[m].
                    boolean fits = (a.isVector() && b.isScalar()) || (a.isMatrix() && b.isVector() && b.colAxis().equals(a.rowAxis()));
                    if (fits && a.colAxis().varies()) {
                        reporter.error(pos, DiagnosticKind.VARYING_INDEX, a.colAxis().dim(), a.colAxis().dim());
                        yield null;
                    }
                    if (!fits) {
                        reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name,
                                "a vector [n] and an int label, or a matrix [m, n] and int labels [m]", a + " and int " + b);
                        yield null;
                    }
                    indexLimits.merge(labels.input(), a.cols(), Math::min);
                    yield derived(f, args, Shape.SCALAR, pos, ctx);
                }
                if (!a.equals(b) || (f == Builtin.CROSS_ENTROPY && a.isScalar())) {
                    String expected = f == Builtin.CROSS_ENTROPY ? "two vectors or two matrices of equal shape" : "two arguments of equal shape";
                    reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, expected, a + " and " + b);
                    yield null;
                }
                yield derived(f, args, Shape.SCALAR, pos, ctx);
            }
            case L1, L2 -> {
                if (!arity(c, args.size(), 1, 1) || args.get(0) == null) {
                    yield null;
                }
                yield derived(f, args, Shape.SCALAR, pos, ctx);
            }
            case NORM -> {
                if (!arity(c, args.size(), 1, 1) || args.get(0) == null) {
                    yield null;
                }
                yield derived(f, args, Shape.SCALAR, pos, ctx);
            }
            case AMAX, AMIN -> {
                if (!arity(c, args.size(), 1, 2) || args.contains(null)) {
                    yield null;
                }
                boolean max = f == Builtin.AMAX;
                if (args.size() == 1) {
                    yield derived(max ? Builtin.MAX_ALL : Builtin.MIN_ALL, args, Shape.SCALAR, pos, ctx);
                }
                Integer axis = axis(c, args.get(1));
                if (axis == null) {
                    yield null;
                }
                Shape a = args.get(0).shape();
                if (!a.isMatrix()) {
                    reporter.error(Exprs.start(c.args().get(0)), DiagnosticKind.ARGUMENT_SHAPE, name + "(X, axis)", "a matrix", a);
                    yield null;
                }
                Builtin b = axis == 0 ? (max ? Builtin.AMAX_AXIS0 : Builtin.AMIN_AXIS0) : (max ? Builtin.AMAX_AXIS1 : Builtin.AMIN_AXIS1);
                yield derived(b, List.of(args.get(0)), Shape.vector(axis == 0 ? a.colAxis() : a.rowAxis()), pos, ctx);
            }
            case CONCAT -> {
                if (!arity(c, args.size(), 2, 3) || args.contains(null)) {
                    yield null;
                }
                Shape a = args.get(0).shape();
                Shape b = args.get(1).shape();
                if (args.size() == 2) {
                    if (!a.isVector() || !b.isVector()) {
                        reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, "two vectors (or two matrices and an axis)", a + " and " + b);
                        yield null;
                    }
                    if (a.varies() || b.varies()) {
                        reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, "vectors whose sizes do not vary per call", a + " and " + b);
                        yield null;
                    }
                    Shape r = checkedVector(a.cols() + (long) b.cols(), pos);
                    yield r == null ? null : apply(Prim.CONCAT, List.of(args.get(0), args.get(1)), 0, r, pos, ctx);
                }
                Integer axis = axis(c, args.get(2), 2);
                if (axis == null) {
                    yield null;
                }
                boolean rows = axis == 0;
                if (!a.isMatrix() || !b.isMatrix() || !(rows ? a.colAxis().equals(b.colAxis()) : a.rowAxis().equals(b.rowAxis()))) {
                    reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name + "(A, B, " + axis + ")",
                            rows ? "two matrices with the same number of columns" : "two matrices with the same number of rows", a + " and " + b);
                    yield null;
                }
                Shape.Axis ja = rows ? a.rowAxis() : a.colAxis();
                Shape.Axis jb = rows ? b.rowAxis() : b.colAxis();
                if (ja.varies() || jb.varies()) {
                    reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name + "(A, B, " + axis + ")",
                            "sizes that do not vary per call along axis " + axis, a + " and " + b);
                    yield null;
                }
                Shape.Axis joined = Shape.Axis.of((int) Math.min(Integer.MAX_VALUE, ja.size() + (long) jb.size()));
                Shape r = rows ? checkedMatrix(joined, a.colAxis(), "the result of 'concat'", pos) : checkedMatrix(a.rowAxis(), joined, "the result of 'concat'", pos);
                yield r == null ? null : apply(Prim.CONCAT, List.of(args.get(0), args.get(1)), 0, r, pos, ctx);
            }
            case ROW, COLUMN -> {
                if (!arity(c, args.size(), 1, 1) || args.get(0) == null) {
                    yield null;
                }
                Shape a = args.get(0).shape();
                if (!a.isVector()) {
                    reporter.error(pos, DiagnosticKind.ARGUMENT_SHAPE, name, "a vector", a);
                    yield null;
                }
                // The same elements seen as one row [1, n] or one column [m, 1]: a view, no copy.
                Shape r = f == Builtin.ROW ? Shape.matrix(Shape.Axis.of(1), a.colAxis()) : Shape.matrix(a.colAxis(), Shape.Axis.of(1));
                yield new Typed.Slice(args.get(0), Affine.of(0), Affine.of(0), 1, a.cols(), r, pos);
            }
            case MEAN_AXIS0, MEAN_AXIS1, MAX_ALL, MIN_ALL, AMAX_AXIS0, AMAX_AXIS1, AMIN_AXIS0, AMIN_AXIS1, SOFTMAX_AXIS0,
                 LOG_SOFTMAX_AXIS0, LOGSUMEXP_AXIS0 -> throw new IllegalStateException("not callable by name: " + f);
        };
    }

    /** The axis argument of {@code c}: the constant 0 or 1, else an error (null). */
    private Integer axis(Expr.Call c, Typed.Expr axis) {
        return axis(c, axis, 1);
    }

    /** Argument {@code at} of {@code c} as an axis: the constant 0 or 1, else an error (null). */
    private Integer axis(Expr.Call c, Typed.Expr axis, int at) {
        if (!(axis instanceof Typed.Const k) || (k.value() != 0 && k.value() != 1)) {
            reporter.error(Exprs.start(c.args().get(at)), DiagnosticKind.BAD_AXIS, describe(axis));
            return null;
        }
        return (int) k.value();
    }

    /** Builds an application, folding scalar constants and counting operations against the limit. */
    private Typed.Expr apply(Prim f, List<Typed.Expr> args, double attribute, Shape shape, Pos pos, Ctx ctx) {
        if (f.isElementwise() && args.stream().allMatch(a -> a instanceof Typed.Const)) {
            double[] values = args.stream().mapToDouble(a -> ((Typed.Const) a).value()).toArray();
            return new Typed.Const(f.fold(attribute, values), pos);
        }
        if (!counted(shape, pos, ctx)) {
            return null;
        }
        return new Typed.Apply(f, args, attribute, shape, pos);
    }

    private Typed.Expr derived(Builtin f, List<Typed.Expr> args, Shape shape, Pos pos, Ctx ctx) {
        return counted(shape, pos, ctx) ? new Typed.Derived(f, args, shape, pos) : null;
    }

    /** Counts one operation against the limit; false if its storage over loop iterations is too large. */
    private boolean counted(Shape shape, Pos pos, Ctx ctx) {
        if (++operations > Limits.MAX_OPERATIONS) {
            if (!tooLargeReported) {
                reporter.error(pos, DiagnosticKind.PROGRAM_TOO_LARGE, Limits.MAX_OPERATIONS);
                tooLargeReported = true;
            }
            throw new TooLarge();
        }
        if ((double) shape.size() * ctx.iterations() > MAX_ELEMENTS) {
            reporter.error(pos, DiagnosticKind.TOO_LARGE, "the storage for this value across loop iterations",
                    (long) shape.size() * ctx.iterations(), MAX_ELEMENTS);
            return false;
        }
        return true;
    }
}
