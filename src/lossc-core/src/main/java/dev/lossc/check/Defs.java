package dev.lossc.check;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Ident;
import dev.lossc.ast.Stmt;
import dev.lossc.diag.DiagnosticKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Defs: their bodies' names checked once, where they are declared, and each call inlined, its
 * arguments bound to the parameters and its statements checked as anywhere else.
 */
final class Defs {
    private final Session session;

    Defs(Session session) {
        this.session = session;
    }

    /** Reports unknown names in a def body once, at its declaration, even if it is never called. */
    void checkNames(Symbol.Def def) {
        Scope scope = Scope.of(def.scope());
        for (Ident p : def.def().params()) {
            declareNameOnly(p, scope);
        }
        defBodyNames(def.def().body(), scope, def);
        namesIn(def.def().result(), scope, def);
        session.rules.checkDeclaration(def, this::namesIn);
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
                    session.reporter.error(a.name().pos(), DiagnosticKind.UNKNOWN_NAME, a.name().name());
                }
            } else if (s instanceof Stmt.Unpack u) {
                namesIn(u.value(), scope, def);
                for (Ident n : u.names()) {
                    if (u.declares()) {
                        declareNameOnly(n, scope);
                    } else if (scope.lookup(n.name()) == null) {
                        session.reporter.error(n.pos(), DiagnosticKind.UNKNOWN_NAME, n.name());
                    }
                }
            } else if (s instanceof Stmt.For f) {
                namesIn(f.from(), scope, def);
                namesIn(f.to(), scope, def);
                Scope inner = new Scope(scope);
                declareNameOnly(f.variable(), inner);
                defBodyNames(f.body(), inner, def);
            } else {
                session.reporter.error(s.pos(), DiagnosticKind.STATEMENT_NOT_ALLOWED_HERE, keyword(s), "inside a 'def' body");
            }
        }
    }

    private static String keyword(Stmt s) {
        return switch (s.kind()) {
            case MODEL -> "model";
            case DIM -> "dim";
            case CONST -> "const";
            case INPUT -> "input";
            case PARAM -> "param";
            case STATE -> "state";
            case LET -> "let";
            case OUTPUT -> "output";
            case VAR -> "var";
            case ASSIGN -> "assignment";
            case UNPACK -> "unpacking";
            case FOR -> "for";
            case DEF -> "def";
            case LOSS -> "loss";
        };
    }

    private void declareNameOnly(Ident id, Scope scope) {
        if (Names.isReserved(id.name())) {
            session.reporter.error(id.pos(), DiagnosticKind.BUILTIN_REDECLARED, id.name());
        } else if (scope.local(id.name()) instanceof Symbol.Poisoned) {
            session.reporter.error(id.pos(), DiagnosticKind.ALREADY_DECLARED, id.name(), scope.local(id.name()).declared().line());
        } else {
            scope.put(id.name(), new Symbol.Poisoned(id.name(), id.pos()));
        }
    }

    void namesIn(Expr e, Scope scope, Symbol.Def def) {
        if (e instanceof Expr.Name n) {
            String name = n.id().name();
            if (scope.lookup(name) == null && !Names.isBuiltin(name)) {
                session.reporter.error(n.pos(), name.equals(def.name()) ? DiagnosticKind.RECURSIVE_CALL : DiagnosticKind.UNKNOWN_NAME, name);
            }
        } else if (e instanceof Expr.Call c) {
            String name = c.function().name();
            if (!Names.isBuiltin(name) && scope.lookup(name) == null) {
                session.reporter.error(c.pos(), name.equals(def.name()) ? DiagnosticKind.RECURSIVE_CALL : DiagnosticKind.UNKNOWN_FUNCTION, name);
            }
            c.args().forEach(a -> namesIn(a, scope, def));
            c.named().forEach(a -> namesIn(a.value(), scope, def));
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
        } else if (e instanceof Expr.Range r) {
            if (!r.whole()) {
                namesIn(r.from(), scope, def);
                namesIn(r.to(), scope, def);
            }
        } else if (e instanceof Expr.Tuple t) {
            t.items().forEach(x -> namesIn(x, scope, def));
        } else if (!(e instanceof Expr.Num)) {
            throw new IllegalStateException("no name check for " + e.getClass().getSimpleName());
        }
    }

    /**
     * An inlined call: its parameters' and body's statements, then its results (one, or each of a
     * tuple's); {@code params} are the parameters bound to the arguments themselves.
     */
    record Inlined(List<Typed.Stmt> lets, List<Typed.Expr> results, List<Symbol.Let> params) {}

    /** A call of {@code def} as a value: a block of its statements and its one result (null after an error). */
    Typed.Expr inline(Symbol.Def def, Expr.Call call, List<Typed.Expr> args, Ctx ctx) {
        if (def.def().result() instanceof Expr.Tuple t) {
            String names = t.items().size() == 2 ? "a, b" : t.items().size() == 3 ? "a, b, c" : "a, b, …";
            session.reporter.error(call.pos(), DiagnosticKind.TUPLE_NOT_A_VALUE, def.name(), t.items().size(), names, def.name());
            return null;
        }
        if (def.def().rule("grad") != null) {
            return session.rules.call(def, call, args, ctx);
        }
        Inlined in = expand(def, call, args, ctx, false);
        return in == null ? null : new Typed.Block(in.lets(), in.results().get(0), call.pos());
    }

    /**
     * A call of {@code def} inlined: its statements and every result (null after an error). With
     * {@code detached}, the body reads its parameters through {@code stop_gradient} (a def with its
     * own derivative: reverse mode applies the rule instead).
     */
    Inlined expand(Symbol.Def def, Expr.Call call, List<Typed.Expr> args, Ctx ctx, boolean detached) {
        Stmt.Def d = def.def();
        if (!call.named().isEmpty()) {
            Expr.NamedArg first = call.named().get(0);
            session.reporter.error(first.name().pos(), DiagnosticKind.UNKNOWN_ARGUMENT, def.name(), first.name().name());
            return null;
        }
        if (args.size() != d.params().size()) {
            session.reporter.error(call.pos(), DiagnosticKind.ARITY, def.name(), Session.plural(d.params().size()), args.size());
            return null;
        }
        if (args.contains(null)) {
            return null;
        }
        Scope scope = new Scope(Scope.of(def.scope()));
        List<Typed.Stmt> lets = new ArrayList<>();
        List<Symbol.Let> params = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Ident p = d.params().get(i);
            if (scope.local(p.name()) != null || Names.isReserved(p.name())) {
                return null; // reported at the declaration
            }
            Symbol.Let sym = new Symbol.Let(p.name(), args.get(i).shape(), p.pos());
            params.add(sym);
            lets.add(new Typed.Let(sym, args.get(i), call.pos()));
            if (detached) {
                Symbol.Let seen = new Symbol.Let(p.name(), args.get(i).shape(), p.pos());
                lets.add(new Typed.Let(seen, new Typed.Apply(dev.lossc.prim.Prim.STOP_GRADIENT,
                        List.of(new Typed.Ref(sym, sym.shape(), call.pos())), dev.lossc.prim.Attributes.NONE, sym.shape(), call.pos()), call.pos()));
                sym = seen;
            }
            scope.put(p.name(), sym);
        }
        Ctx inner = ctx.with(scope, Ctx.Where.DEF, ctx.iterations(), def);
        // The body's statements are checked as anywhere else (a failure is reported once, at its
        // place, however many calls inline it); only a var of this call may be assigned.
        session.defVars.push(java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        boolean ok = true;
        try {
            for (Stmt s : d.body()) {
                if (!(s instanceof Stmt.Let || s instanceof Stmt.Var || s instanceof Stmt.Assign || s instanceof Stmt.Unpack || s instanceof Stmt.For)) {
                    ok = false; // reported at the declaration
                    continue;
                }
                int before = lets.size();
                session.statements.statement(s, inner, lets);
                ok &= lets.size() > before;
            }
        } finally {
            session.defVars.pop();
        }
        List<Expr> items = d.result() instanceof Expr.Tuple t ? t.items() : List.of(d.result());
        List<Typed.Expr> results = new ArrayList<>();
        for (Expr item : items) {
            Typed.Expr r = session.expr(item, inner);
            ok &= r != null;
            results.add(r);
        }
        return ok ? new Inlined(lets, results, params) : null;
    }
}
