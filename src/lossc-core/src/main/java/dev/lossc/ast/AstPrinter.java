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
                line(out, d + 1, decl.name() + " = " + expr(decl.value()));
            }
        } else if (s instanceof Stmt.Const c) {
            line(out, d, "Const " + c.name() + " = " + expr(c.value()) + at);
        } else if (s instanceof Stmt.Input in) {
            line(out, d, "Input " + in.name() + shape(in.shape()) + at);
        } else if (s instanceof Stmt.Param p) {
            String init = p.init().map(i -> " init " + i.kind() + (i.hasParens() ? "(" + list(i.args()) + ")" : "")).orElse("");
            line(out, d, "Param " + p.name() + shape(p.shape()) + init + at);
        } else if (s instanceof Stmt.Let l) {
            line(out, d, "Let " + l.name() + " = " + expr(l.value()) + at);
        } else if (s instanceof Stmt.Var v) {
            line(out, d, "Var " + v.name() + " = " + expr(v.value()) + at);
        } else if (s instanceof Stmt.Assign a) {
            line(out, d, "Assign " + a.name() + " = " + expr(a.value()) + at);
        } else if (s instanceof Stmt.For f) {
            line(out, d, "For " + f.variable() + " in " + expr(f.from()) + ".." + expr(f.to()) + at);
            for (Stmt b : f.body()) {
                stmt(b, d + 1, out);
            }
        } else if (s instanceof Stmt.Def def) {
            line(out, d, "Def " + def.name() + "(" + def.params().stream().map(Ident::name).collect(Collectors.joining(", ")) + ")" + at);
            for (Stmt b : def.body()) {
                stmt(b, d + 1, out);
            }
            line(out, d + 1, "Return " + expr(def.result()));
        } else if (s instanceof Stmt.Loss l) {
            line(out, d, "Loss " + expr(l.value()) + at);
        }
    }

    private static String shape(List<Expr> sizes) {
        return sizes.isEmpty() ? "" : "[" + list(sizes) + "]";
    }

    private static String list(List<Expr> es) {
        return es.stream().map(AstPrinter::expr).collect(Collectors.joining(", "));
    }

    /** Fully parenthesized, so precedence and associativity can be read off. */
    public static String expr(Expr e) {
        if (e instanceof Expr.Num n) {
            return n.text();
        } else if (e instanceof Expr.Name n) {
            return n.id().name();
        } else if (e instanceof Expr.Call c) {
            return c.function().name() + "(" + list(c.args()) + ")";
        } else if (e instanceof Expr.Neg n) {
            return "(-" + expr(n.operand()) + ")";
        } else if (e instanceof Expr.Binary b) {
            return "(" + expr(b.left()) + " " + b.op().symbol + " " + expr(b.right()) + ")";
        } else if (e instanceof Expr.Pow p) {
            return "(" + expr(p.base()) + " ^ " + expr(p.exponent()) + ")";
        }
        Expr.Index i = (Expr.Index) e;
        return expr(i.base()) + "[" + list(i.indexes()) + "]";
    }
}
