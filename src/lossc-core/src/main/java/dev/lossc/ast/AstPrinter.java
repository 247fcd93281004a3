package dev.lossc.ast;

import java.util.List;
import java.util.stream.Collectors;

/** {@code --dump ast}: the tree as an indented outline, one node per line, with positions. */
public final class AstPrinter {
    private AstPrinter() {}

    public static String print(Program program) {
        StringBuilder out = new StringBuilder("Program " + program.file() + "\n");
        for (Stmt s : program.statements()) {
            stmt(s, 1, out);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, int depth, String text) {
        out.append("  ".repeat(depth)).append(text).append('\n');
    }

    private static void stmt(Stmt s, int d, StringBuilder out) {
        String at = " @" + s.pos();
        if (s instanceof Stmt.Model m) {
            line(out, d, "Model " + m.name() + at);
        } else if (s instanceof Stmt.Dim dim) {
            line(out, d, "Dim" + at);
            for (Stmt.DimDecl decl : dim.decls()) {
                line(out, d + 1, decl.name() + (decl.varying() ? " <= " : " = ") + expr(decl.value()));
            }
        } else if (s instanceof Stmt.Const c) {
            line(out, d, "Const " + c.name() + " = " + expr(c.value()) + at);
        } else if (s instanceof Stmt.Input in) {
            line(out, d, "Input " + in.name() + shape(in.shape()) + (in.integer() ? ": int" : "") + at);
        } else if (s instanceof Stmt.Param p) {
            String init = p.init().map(i -> " init " + i.kind() + (i.hasParens() ? "(" + list(i.args()) + ")" : "")).orElse("");
            String key = p.key().map(k -> " as \"" + k.text() + "\"").orElse("");
            line(out, d, "Param " + p.name() + shape(p.shape()) + key + init + at);
        } else if (s instanceof Stmt.Output o) {
            line(out, d, "Output " + o.name() + " = " + expr(o.value()) + at);
        } else if (s instanceof Stmt.Let l) {
            line(out, d, "Let " + l.name() + " = " + expr(l.value()) + at);
        } else if (s instanceof Stmt.Var v) {
            line(out, d, "Var " + v.name() + " = " + expr(v.value()) + at);
        } else if (s instanceof Stmt.Assign a) {
            line(out, d, "Assign " + a.name() + " = " + expr(a.value()) + at);
        } else if (s instanceof Stmt.Unpack u) {
            String names = "(" + u.names().stream().map(Ident::name).collect(Collectors.joining(", ")) + ")";
            line(out, d, (u.declares() ? "Let " : "Assign ") + names + " = " + expr(u.value()) + at);
        } else if (s instanceof Stmt.For f) {
            String checkpoint = f.checkpoint() == null ? "" : f.checkpoint().snapshots() == null ? " checkpoint" : " checkpoint(" + expr(f.checkpoint().snapshots()) + ")";
            line(out, d, "For " + f.variable() + " in " + expr(f.from()) + ".." + expr(f.to()) + checkpoint + at);
            for (Stmt b : f.body()) {
                stmt(b, d + 1, out);
            }
        } else if (s instanceof Stmt.Def def) {
            line(out, d, "Def " + def.name() + "(" + def.params().stream().map(Ident::name).collect(Collectors.joining(", ")) + ")" + at);
            for (Stmt b : def.body()) {
                stmt(b, d + 1, out);
            }
            line(out, d + 1, "Return " + expr(def.result()));
            for (Stmt.Rule r : def.rules()) {
                line(out, d + 1, "Rule " + r.kind().name() + "(" + r.names().stream().map(Ident::name).collect(Collectors.joining(", ")) + ") = "
                        + expr(r.value()) + " @" + r.pos());
            }
        } else if (s instanceof Stmt.Loss l) {
            line(out, d, "Loss " + expr(l.value()) + at);
        } else {
            throw new IllegalStateException("no printer for " + s.getClass().getSimpleName());
        }
    }

    private static String shape(List<Expr> sizes) {
        return sizes.isEmpty() ? "" : "[" + list(sizes) + "]";
    }

    private static String list(List<Expr> es) {
        StringBuilder out = new StringBuilder();
        list(es, out);
        return out.toString();
    }

    private static void list(List<Expr> es, StringBuilder out) {
        for (int i = 0; i < es.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            expr(es.get(i), out);
        }
    }

    /** Fully parenthesized, so precedence and associativity can be read off. */
    public static String expr(Expr e) {
        StringBuilder out = new StringBuilder();
        expr(e, out);
        return out.toString();
    }

    /** Appends rather than concatenates: a long operator chain prints in linear time. */
    private static void expr(Expr e, StringBuilder out) {
        if (e instanceof Expr.Num n) {
            out.append(n.text());
        } else if (e instanceof Expr.Name n) {
            out.append(n.id().name());
        } else if (e instanceof Expr.Call c) {
            out.append(c.function().name()).append('(');
            list(c.args(), out);
            for (int i = 0; i < c.named().size(); i++) {
                out.append(c.args().isEmpty() && i == 0 ? "" : ", ").append(c.named().get(i).name().name()).append(" = ");
                expr(c.named().get(i).value(), out);
            }
            out.append(')');
        } else if (e instanceof Expr.Neg n) {
            out.append("(-");
            expr(n.operand(), out);
            out.append(')');
        } else if (e instanceof Expr.Binary b) {
            out.append('(');
            expr(b.left(), out);
            out.append(' ').append(b.op().symbol).append(' ');
            expr(b.right(), out);
            out.append(')');
        } else if (e instanceof Expr.Pow p) {
            out.append('(');
            expr(p.base(), out);
            out.append(" ^ ");
            expr(p.exponent(), out);
            out.append(')');
        } else if (e instanceof Expr.Range r) {
            if (!r.whole()) {
                expr(r.from(), out);
            }
            out.append("..");
            if (!r.whole()) {
                expr(r.to(), out);
            }
        } else if (e instanceof Expr.Index i) {
            expr(i.base(), out);
            out.append('[');
            list(i.indexes(), out);
            out.append(']');
        } else if (e instanceof Expr.Tuple t) {
            out.append('(');
            list(t.items(), out);
            out.append(')');
        } else {
            throw new IllegalStateException("no printer for " + e.getClass().getSimpleName());
        }
    }
}
