package dev.lossc.check;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Ident;
import dev.lossc.ast.Stmt;
import dev.lossc.diag.DiagnosticKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A def's own derivatives (version 3): {@code grad(dy) = …} and {@code jvp(dx) = …}, checked at the
 * declaration (their form and names) and at each call (their shapes there), where the call becomes
 * a {@link Typed.Custom}.
 */
final class Rules {
    /** The name a rule reads the call's value by. */
    static final String RESULT = "result";

    /** How a def's body and rules are searched for unknown names. */
    interface NameCheck {
        void namesIn(Expr e, Scope scope, Symbol.Def def);
    }

    private final Session session;

    Rules(Session session) {
        this.session = session;
    }

    /** Reports a rule's errors of form, once, where the def is declared. */
    void checkDeclaration(Symbol.Def def, NameCheck names) {
        Stmt.Def d = def.def();
        Map<String, Stmt.Rule> seen = new HashMap<>();
        for (Stmt.Rule r : d.rules()) {
            String kind = r.kind().name();
            if (!kind.equals("grad") && !kind.equals("jvp")) {
                continue; // reported by the parser
            }
            if (seen.containsKey(kind)) {
                session.reporter.error(r.pos(), DiagnosticKind.RULE_TWICE, def.name(), kind, seen.get(kind).pos().line());
                continue;
            }
            seen.put(kind, r);
            if (d.result() instanceof Expr.Tuple) {
                session.reporter.error(r.pos(), DiagnosticKind.RULE_ON_TUPLE, def.name());
                continue;
            }
            int wanted = kind.equals("grad") ? 1 : d.params().size();
            if (r.names().size() != wanted) {
                session.reporter.error(r.pos(), DiagnosticKind.RULE_NAMES, kind, def.name(), r.names().size(), r.names().size() == 1 ? "" : "s",
                        kind.equals("grad") ? "one: the result's adjoint, grad(dy)" : "one tangent per parameter (" + wanted + ")");
                continue;
            }
            if (kind.equals("grad")) {
                int given = r.value() instanceof Expr.Tuple t ? t.items().size() : 1;
                if (given != d.params().size()) {
                    session.reporter.error(r.pos(), DiagnosticKind.RULE_COUNT, def.name(), given, given == 1 ? "" : "s", def.name(),
                            d.params().size(), d.params().size() == 1 ? "" : "s", d.params().size() > 1 ? ", as (da, db)" : "");
                    continue;
                }
            }
            Scope scope = new Scope(Scope.of(def.scope()));
            List<Ident> declared = new ArrayList<>(d.params());
            declared.add(new Ident(RESULT, r.pos()));
            declared.addAll(r.names());
            for (Ident id : declared) {
                Symbol earlier = scope.local(id.name());
                if (earlier != null) {
                    session.reporter.error(id.pos(), DiagnosticKind.ALREADY_DECLARED, id.name(), earlier.declared().line());
                } else {
                    scope.put(id.name(), new Symbol.Poisoned(id.name(), id.pos()));
                }
            }
            names.namesIn(r.value(), scope, def);
        }
        Stmt.Rule jvp = d.rule("jvp");
        if (jvp != null && d.rule("grad") == null) {
            session.reporter.error(jvp.pos(), DiagnosticKind.JVP_WITHOUT_GRAD, def.name());
        }
        if (d.rule("grad") != null) {
            outerReads(def, def, new java.util.HashSet<>());
        }
    }

    /**
     * Reports each name the body of {@code def} (or of a def it calls) reads from outside that has
     * a derivative (a param, or a let or var, which may depend on one): the body is not
     * differentiated, so its derivative would be lost without a word. Inputs, consts, dims and
     * states may be read.
     */
    private void outerReads(Symbol.Def ruled, Symbol.Def def, java.util.Set<String> seen) {
        if (!seen.add(def.name())) {
            return;
        }
        java.util.Set<String> local = new java.util.HashSet<>();
        def.def().params().forEach(p -> local.add(p.name()));
        declared(def.def().body(), local);
        List<Expr> exprs = new ArrayList<>();
        expressions(def.def().body(), exprs);
        exprs.add(def.def().result());
        for (Expr e : exprs) {
            walk(e, x -> {
                String name = x instanceof Expr.Name n ? n.id().name() : x instanceof Expr.Call c ? c.function().name() : null;
                if (name == null || local.contains(name)) {
                    return;
                }
                Symbol s = def.scope().get(name);
                if (x instanceof Expr.Name n && (s instanceof Symbol.Param || s instanceof Symbol.Let || s instanceof Symbol.Var)) {
                    String kind = s instanceof Symbol.Param ? "param" : s instanceof Symbol.Let ? "let" : "var";
                    session.reporter.error(n.id().pos(), DiagnosticKind.RULE_BODY_READS, ruled.name(), kind, name);
                } else if (s instanceof Symbol.Def called && called.def().rule("grad") == null) {
                    outerReads(ruled, called, seen);
                }
            });
        }
    }

    private static void declared(List<Stmt> body, java.util.Set<String> into) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Let l) {
                into.add(l.name().name());
            } else if (s instanceof Stmt.Var v) {
                into.add(v.name().name());
            } else if (s instanceof Stmt.Unpack u) {
                u.names().forEach(n -> into.add(n.name()));
            } else if (s instanceof Stmt.For f) {
                into.add(f.variable().name());
                declared(f.body(), into);
            }
        }
    }

    private static void expressions(List<Stmt> body, List<Expr> into) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Let l) {
                into.add(l.value());
            } else if (s instanceof Stmt.Var v) {
                into.add(v.value());
            } else if (s instanceof Stmt.Assign a) {
                into.add(a.value());
            } else if (s instanceof Stmt.Unpack u) {
                into.add(u.value());
            } else if (s instanceof Stmt.For f) {
                expressions(f.body(), into);
            }
        }
    }

    private static void walk(Expr e, java.util.function.Consumer<Expr> visit) {
        if (e == null) {
            return;
        }
        visit.accept(e);
        if (e instanceof Expr.Call c) {
            c.args().forEach(a -> walk(a, visit));
            c.named().forEach(a -> walk(a.value(), visit));
        } else if (e instanceof Expr.Neg n) {
            walk(n.operand(), visit);
        } else if (e instanceof Expr.Binary b) {
            walk(b.left(), visit);
            walk(b.right(), visit);
        } else if (e instanceof Expr.Pow p) {
            walk(p.base(), visit);
            walk(p.exponent(), visit);
        } else if (e instanceof Expr.Index i) {
            walk(i.base(), visit);
            i.indexes().forEach(x -> walk(x, visit));
        } else if (e instanceof Expr.Range r) {
            walk(r.from(), visit);
            walk(r.to(), visit);
        } else if (e instanceof Expr.Tuple t) {
            t.items().forEach(x -> walk(x, visit));
        }
    }

    /** A call of a def with a grad rule: its body detached, its rules checked at this call's shapes (null after an error). */
    Typed.Expr call(Symbol.Def def, Expr.Call call, List<Typed.Expr> args, Ctx ctx) {
        Stmt.Def d = def.def();
        Defs.Inlined in = session.defs.expand(def, call, args, ctx, true);
        if (in == null || !formOk(d)) {
            return null;
        }
        Typed.Expr body = in.results().get(0);
        Stmt.Rule grad = d.rule("grad");
        Symbol.Let result = new Symbol.Let(RESULT, body.shape(), grad.pos());
        Symbol.Let dy = new Symbol.Let(grad.names().get(0).name(), body.shape(), grad.names().get(0).pos());
        Scope gradScope = ruleScope(def, in.params(), result);
        gradScope.put(dy.name(), dy);
        List<Expr> items = grad.value() instanceof Expr.Tuple t ? t.items() : List.of(grad.value());
        List<Typed.Expr> grads = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            Typed.Expr g = session.expr(items.get(i), ctx.with(gradScope, Ctx.Where.DEF, ctx.iterations(), def));
            Symbol.Let p = in.params().get(i);
            if (g != null && !g.shape().equals(p.shape())) {
                session.reporter.error(items.get(i).pos(), DiagnosticKind.RULE_SHAPE, "grad", def.name(), "the adjoint of '" + p.name() + "'",
                        g.shape(), "'" + p.name() + "'", p.shape());
                g = null;
            }
            ok &= g != null;
            grads.add(g);
        }
        Stmt.Rule jvpRule = d.rule("jvp");
        List<Symbol.Let> tangents = new ArrayList<>();
        Typed.Expr jvp = null;
        if (jvpRule != null) {
            Scope jvpScope = ruleScope(def, in.params(), result);
            for (int i = 0; i < jvpRule.names().size(); i++) {
                Ident n = jvpRule.names().get(i);
                Symbol.Let t = new Symbol.Let(n.name(), in.params().get(i).shape(), n.pos());
                tangents.add(t);
                jvpScope.put(n.name(), t);
            }
            jvp = session.expr(jvpRule.value(), ctx.with(jvpScope, Ctx.Where.DEF, ctx.iterations(), def));
            if (jvp != null && !jvp.shape().equals(body.shape())) {
                session.reporter.error(jvpRule.value().pos(), DiagnosticKind.RULE_SHAPE, "jvp", def.name(), "the result's tangent",
                        jvp.shape(), "the result", body.shape());
                jvp = null;
            }
            ok &= jvp != null;
        }
        return ok ? new Typed.Custom(def.name(), in.lets(), body, in.params(), result, dy, grads, tangents, jvp, call.pos()) : null;
    }

    /** True if the def's rules passed the checks of {@link #checkDeclaration} (reported there). */
    private static boolean formOk(Stmt.Def d) {
        Map<String, Integer> counts = new HashMap<>();
        for (Stmt.Rule r : d.rules()) {
            counts.merge(r.kind().name(), 1, Integer::sum);
        }
        Stmt.Rule grad = d.rule("grad");
        Stmt.Rule jvp = d.rule("jvp");
        int given = grad.value() instanceof Expr.Tuple t ? t.items().size() : 1;
        return counts.keySet().stream().allMatch(k -> k.equals("grad") || k.equals("jvp")) && counts.values().stream().allMatch(c -> c == 1)
                && !(d.result() instanceof Expr.Tuple) && grad.names().size() == 1 && given == d.params().size()
                && (jvp == null || jvp.names().size() == d.params().size()) && !clash(d);
    }

    /** True if a rule's name repeats a parameter's, {@code result} or another of its names. */
    private static boolean clash(Stmt.Def d) {
        for (Stmt.Rule r : d.rules()) {
            java.util.Set<String> names = new java.util.HashSet<>();
            names.add(RESULT);
            for (Ident p : d.params()) {
                if (!names.add(p.name())) {
                    return true;
                }
            }
            for (Ident n : r.names()) {
                if (!names.add(n.name())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What a rule sees: what the def sees, its parameters (the call's arguments) and {@code result}. */
    private static Scope ruleScope(Symbol.Def def, List<Symbol.Let> params, Symbol.Let result) {
        Scope scope = new Scope(Scope.of(def.scope()));
        for (Symbol.Let p : params) {
            scope.put(p.name(), p);
        }
        scope.put(RESULT, result);
        return scope;
    }
}
