package dev.lossc.check;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Exprs;
import dev.lossc.ast.Ident;
import dev.lossc.ast.Stmt;
import dev.lossc.diag.DiagnosticKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Version 3's several results: {@code let (h, c) = cell(x, h0, c0);} declares one let per result
 * of a def that returns a tuple, {@code (h, c) = cell(x, h, c);} assigns them to vars. The call
 * is inlined once ({@link Defs#expand}); for vars, every result is computed before any var is
 * assigned (each is held in a let of its own first), so a result that reads a var sees its value
 * from before the statement: {@code (a, b) = swap(a, b);} swaps.
 */
final class Unpacking {
    private final Session session;

    Unpacking(Session session) {
        this.session = session;
    }

    void unpack(Stmt.Unpack u, Ctx ctx, List<Typed.Stmt> out) {
        List<Typed.Stmt> checked = check(u, ctx);
        if (checked == null) {
            if (u.declares()) {
                u.names().forEach(n -> session.declareQuietly(n, ctx.scope()));
            }
            return;
        }
        out.addAll(checked);
    }

    /** The statements of a correct unpacking, or null after reporting its errors. */
    private List<Typed.Stmt> check(Stmt.Unpack u, Ctx ctx) {
        Set<String> seen = new HashSet<>();
        for (Ident n : u.names()) {
            if (!seen.add(n.name())) {
                session.reporter.error(n.pos(), DiagnosticKind.UNPACK_TWICE, n.name());
                return null;
            }
        }
        Symbol.Def def = tupleDef(u.value(), ctx);
        if (def == null) {
            return null;
        }
        Expr.Tuple tuple = (Expr.Tuple) def.def().result();
        if (tuple.items().size() != u.names().size()) {
            session.reporter.error(u.names().get(0).pos(), DiagnosticKind.UNPACK_COUNT, def.name(), tuple.items().size(), u.names().size());
            return null;
        }
        List<Symbol.Var> targets = u.declares() ? null : targets(u, ctx);
        if (!u.declares() && targets == null) {
            return null;
        }
        Expr.Call call = (Expr.Call) u.value();
        List<Typed.Expr> args = new ArrayList<>();
        for (Expr a : call.args()) {
            args.add(session.expr(a, ctx));
        }
        Defs.Inlined in = session.defs.expand(def, call, args, ctx, false);
        if (in == null) {
            return null;
        }
        List<Typed.Stmt> out = new ArrayList<>(in.lets());
        List<Ident> names = u.names();
        if (u.declares()) {
            for (int i = 0; i < names.size(); i++) {
                Typed.Expr r = in.results().get(i);
                Symbol.Let sym = new Symbol.Let(names.get(i).name(), r.shape(), names.get(i).pos());
                if (session.declare(names.get(i), sym, ctx.scope())) {
                    out.add(new Typed.Let(sym, r, u.pos()));
                }
            }
            return out;
        }
        for (int i = 0; i < names.size(); i++) {
            Symbol.Var var = targets.get(i);
            Typed.Expr r = in.results().get(i);
            if (!r.shape().equals(var.shape())) {
                session.reporter.error(names.get(i).pos(), DiagnosticKind.ASSIGN_SHAPE, var.name(), var.shape(), r.shape());
                return null;
            }
        }
        // Every result first, in a let of its own; then the vars.
        List<Symbol.Let> held = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Typed.Expr r = in.results().get(i);
            Symbol.Let sym = new Symbol.Let(names.get(i).name(), r.shape(), names.get(i).pos());
            held.add(sym);
            out.add(new Typed.Let(sym, r, u.pos()));
        }
        for (int i = 0; i < names.size(); i++) {
            Symbol.Let sym = held.get(i);
            out.add(new Typed.Assign(targets.get(i), new Typed.Ref(sym, sym.shape(), names.get(i).pos()), u.pos()));
        }
        return out;
    }

    /** The def whose results {@code value} unpacks, or null after reporting what it is instead. */
    private Symbol.Def tupleDef(Expr value, Ctx ctx) {
        if (value instanceof Expr.Call c && ctx.scope().lookup(c.function().name()) instanceof Symbol.Def def
                && !Names.isReserved(def.name())) {
            if (def.def().result() instanceof Expr.Tuple) {
                return def;
            }
            session.reporter.error(Exprs.start(value), DiagnosticKind.UNPACK_NOT_TUPLE, "a call of '" + def.name() + "', which returns one value");
            return null;
        }
        if (value instanceof Expr.Call c && ctx.scope().lookup(c.function().name()) instanceof Symbol.Poisoned) {
            return null; // reported at its declaration
        }
        if (value instanceof Expr.Call c && ctx.scope().lookup(c.function().name()) == null && !Names.isBuiltin(c.function().name())) {
            session.reporter.error(c.pos(), DiagnosticKind.UNKNOWN_FUNCTION, c.function().name());
            return null;
        }
        String what = value instanceof Expr.Call c ? "a call of '" + c.function().name() + "', which returns one value"
                : value instanceof Expr.Name n ? "'" + n.id().name() + "', a single value" : "an expression of a single value";
        session.reporter.error(Exprs.start(value), DiagnosticKind.UNPACK_NOT_TUPLE, what);
        return null;
    }

    /** The vars an unpacking assigns, in order, or null after reporting a name that is not one (or not this def's). */
    private List<Symbol.Var> targets(Stmt.Unpack u, Ctx ctx) {
        List<Symbol.Var> out = new ArrayList<>();
        for (Ident n : u.names()) {
            Symbol.Var var = session.statements.assignTarget(n, ctx);
            if (var == null) {
                return null;
            }
            out.add(var);
        }
        return out;
    }
}
