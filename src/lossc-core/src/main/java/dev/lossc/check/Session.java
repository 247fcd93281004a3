package dev.lossc.check;

import dev.lossc.ast.Ident;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Limits;
import dev.lossc.diag.Pos;
import dev.lossc.diag.Reporter;
import dev.lossc.prim.Attributes;
import dev.lossc.prim.Prim;
import dev.lossc.types.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state one check of one file shares among its parts ({@link Statements}, {@link
 * Expressions}, {@link Indexing}, {@link Calls}, {@link Defs}, {@link DerivedForms}): the reporter,
 * the declarations made so far, the operation count, and the helpers every part declares names,
 * builds applications and counts storage with.
 */
final class Session {
    /** The largest array the generated code may need (Java's array limit). */
    static final long MAX_ELEMENTS = Checker.MAX_ELEMENTS;

    final Reporter reporter;
    final Scope global = new Scope(null);
    final List<Symbol.Dim> dims = new ArrayList<>();
    final List<Symbol.Input> inputs = new ArrayList<>();
    final List<Symbol.Param> params = new ArrayList<>();
    final List<Symbol.State> states = new ArrayList<>();
    /** True if the program declares a state (its class then has {@code states()} and {@code stateLayout()}). */
    boolean hasStates;
    /** Each int input's exclusive bound: the smallest size it indexes (checked at run time). */
    final Map<Symbol.Input, Integer> indexLimits = new LinkedHashMap<>();
    /** The vars declared by each def call being inlined, innermost first: the only ones its body may assign. */
    final ArrayDeque<Set<Symbol.Var>> defVars = new ArrayDeque<>();
    private int operations;
    private boolean tooLargeReported;

    final Statements statements;
    final Expressions expressions;
    final Indexing indexing;
    final Calls calls;
    final Defs defs;
    final Rules rules;
    final DerivedForms derived;
    final Constructors constructors;
    final Unpacking unpacking;
    final Reshapes reshapes;
    final Tensors tensors;

    /** Thrown once the program has more operations than the limit: checking stops. */
    static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    Session(Reporter reporter) {
        this.reporter = reporter;
        this.statements = new Statements(this);
        this.expressions = new Expressions(this);
        this.indexing = new Indexing(this);
        this.calls = new Calls(this);
        this.defs = new Defs(this);
        this.rules = new Rules(this);
        this.derived = new DerivedForms(this);
        this.constructors = new Constructors(this);
        this.unpacking = new Unpacking(this);
        this.reshapes = new Reshapes(this);
        this.tensors = new Tensors(this);
    }

    /** Checks an expression (null after its errors are reported). */
    Typed.Expr expr(dev.lossc.ast.Expr e, Ctx ctx) {
        return expressions.expr(e, ctx);
    }

    /** Declares {@code sym} under {@code id} in {@code scope}; false (after reporting) when the name is reserved or taken. */
    boolean declare(Ident id, Symbol sym, Scope scope) {
        if (Names.isReserved(id.name())) {
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

    /** Declares a name whose declaration failed, so that its uses report nothing more. */
    void declareQuietly(Ident id, Scope scope) {
        if (scope.local(id.name()) == null && !Names.isReserved(id.name())) {
            scope.put(id.name(), new Symbol.Poisoned(id.name(), id.pos()));
        }
    }

    /** Builds an application, folding scalar constants and counting operations against the limit. */
    Typed.Expr apply(Prim f, List<Typed.Expr> args, Attributes attributes, Shape shape, Pos pos, Ctx ctx) {
        if (f.isElementwise() && args.stream().allMatch(a -> a instanceof Typed.Const)) {
            double[] values = args.stream().mapToDouble(a -> ((Typed.Const) a).value()).toArray();
            return new Typed.Const(f.fold(attributes, values), pos);
        }
        if (!counted(shape, pos, ctx)) {
            return null;
        }
        if (f.isElementwise() && shape.isTensor()) {
            // A tensor's operands are spread to its shape first (the matrices and vectors of
            // versions 1 and 2 broadcast in the elementwise code itself).
            List<Typed.Expr> spread = new ArrayList<>();
            args.forEach(a -> spread.add(Tensors.broadcastTo(a, shape, pos)));
            args = spread;
        }
        return new Typed.Apply(f, args, attributes, shape, pos);
    }

    /** A derived form applied (the lowering rewrites it into primitives). */
    Typed.Expr derived(Derived f, List<Typed.Expr> args, Shape shape, Pos pos, Ctx ctx) {
        return counted(shape, pos, ctx) ? new Typed.Derived(f, args, shape, pos) : null;
    }

    /** Counts one operation against the limit; false if its storage over loop iterations is too large. */
    boolean counted(Shape shape, Pos pos, Ctx ctx) {
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

    /** A matrix shape of these axes, or null (after reporting {@code what} as too large) when it has too many elements. */
    Shape checkedMatrix(Shape.Axis m, Shape.Axis n, String what, Pos pos) {
        long elements = (long) m.size() * n.size();
        if (elements > MAX_ELEMENTS) {
            reporter.error(pos, DiagnosticKind.TOO_LARGE, what, elements, MAX_ELEMENTS);
            return null;
        }
        return Shape.matrix(m, n);
    }

    /** A tensor of these axes (only the first varies), or null after reporting that it is too large. */
    Shape checkedTensor(List<Shape.Axis> axes, String what, Pos pos) {
        long elements = 1;
        for (Shape.Axis a : axes) {
            elements *= a.size();
        }
        if (elements > MAX_ELEMENTS) {
            reporter.error(pos, DiagnosticKind.TOO_LARGE, what, elements, MAX_ELEMENTS);
            return null;
        }
        return Shape.of(axes);
    }

    /** True if the statement is where it may be, at the top level; else reports it. */
    boolean allowed(String what, Ctx ctx, Pos pos) {
        if (ctx.where() != Ctx.Where.TOP) {
            reporter.error(pos, DiagnosticKind.STATEMENT_NOT_ALLOWED_HERE, what, ctx.placeName());
            return false;
        }
        return true;
    }

    static String plural(int n) {
        return n == 1 ? "1 argument" : n + " arguments";
    }

    /** A constant as messages show it: whole numbers without a fraction. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** A checked expression as messages show it: its value, if constant, or its shape. */
    /** What an axis of a value of this rank may be: its axes, counted from 0 or, negative, from the end. */
    static String axes(int rank) {
        return rank <= 1 ? "0 or -1, the axis of a vector" : "an integer constant from " + -rank + " to " + (rank - 1);
    }

    /**
     * The axis {@code v} names of a value of rank {@code rank}: a whole-number constant counted
     * from 0 or, negative, from the end (version 3), as its index from 0; else {@code C012} at
     * {@code at} and null.
     */
    Integer axis(Typed.Expr v, int rank, Pos at) {
        int span = Math.max(rank, 1);
        if (!(v instanceof Typed.Const k) || k.value() != Math.rint(k.value()) || k.value() < -span || k.value() >= span) {
            reporter.error(at, DiagnosticKind.BAD_AXIS, "axis", axes(rank), describe(v));
            return null;
        }
        int a = (int) k.value();
        return a < 0 ? a + span : a;
    }

    static String describe(Typed.Expr v) {
        return v instanceof Typed.Const c ? number(c.value()) : "a value of shape " + v.shape();
    }

    Typed.Program program(String file, String className, List<Typed.Stmt> statements, Typed.Expr loss, Pos lossPos) {
        return new Typed.Program(file, className, dims, inputs, params, states, statements, loss, lossPos, indexLimits);
    }
}
