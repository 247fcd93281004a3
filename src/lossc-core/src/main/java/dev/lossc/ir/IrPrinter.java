package dev.lossc.ir;

import dev.lossc.prim.Prim;
import dev.lossc.prim.Scalar;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code --dump ir} and {@code --dump adjoint}: one statement per line, {@code out = prim(args)}
 * or {@code out += …}, elementwise expressions written out, loops indented.
 */
public final class IrPrinter {
    private IrPrinter() {}

    public static String print(IrProgram p) {
        StringBuilder out = new StringBuilder("model " + p.className() + "\n");
        for (Value in : p.inputs()) {
            out.append("input ").append(in.name()).append(' ').append(in.shape()).append('\n');
        }
        for (Value par : p.params()) {
            out.append("param ").append(par.name()).append(' ').append(par.shape()).append('\n');
        }
        for (Value v : p.vars()) {
            out.append("var ").append(v.label()).append(' ').append(v.shape()).append('\n');
        }
        block(p.body(), 0, out);
        out.append("loss ").append(p.loss().label()).append('\n');
        return out.toString();
    }

    /** A list of statements (the backward pass, or any block). */
    public static String print(List<Stmt> body) {
        StringBuilder out = new StringBuilder();
        block(body, 0, out);
        return out.toString();
    }

    private static String line(Stmt s) {
        return s.pos() == null ? "" : "  # line " + s.pos().line();
    }

    private static void block(List<Stmt> body, int depth, StringBuilder out) {
        String pad = "  ".repeat(depth);
        for (Stmt s : body) {
            Stmt.visit(s, new Stmt.Visitor<Void>() {
                public Void op(Stmt.Op op) {
                    String args = op.args().stream().map(Value::label).collect(Collectors.joining(", "));
                    String attr = op.attributes().suffix();
                    String call = op.prim().lowerName() + "(" + args + attr + ")";
                    if (op.epilogue() != null) {
                        Stmt.Epilogue e = op.epilogue();
                        String expr = Scalar.java(e.expr(), v -> ((Scalar.In) v).index() == 0 ? call : e.args().get(((Scalar.In) v).index() - 1).label(), f -> { });
                        out.append(pad).append(e.out().label()).append(' ').append(e.out().shape()).append(e.accumulate() ? " += " : " = ")
                                .append(expr).append(line(op)).append('\n');
                        return null;
                    }
                    out.append(pad).append(op.out().label()).append(' ').append(op.out().shape()).append(op.accumulate() ? " += " : " = ")
                            .append(call).append(line(op)).append('\n');
                    return null;
                }

                public Void map(Stmt.Map m) {
                    String expr = Scalar.java(m.expr(), v -> v instanceof Scalar.In i ? m.args().get(i.index()).label() : "?", f -> { });
                    out.append(pad).append(m.out().label()).append(' ').append(m.out().shape()).append(m.accumulate() ? " += " : " = ");
                    if (!m.isPointwise()) {
                        out.append("sum over ").append(m.domain()).append(" of ");
                    }
                    out.append(expr).append(line(m)).append('\n');
                    return null;
                }

                public Void assign(Stmt.Assign a) {
                    out.append(pad).append(a.var().label()).append(" := ").append(a.source().label()).append(line(a)).append('\n');
                    return null;
                }

                public Void zero(Stmt.Zero z) {
                    out.append(pad).append(z.target().label()).append(" = 0").append(line(z)).append('\n');
                    return null;
                }

                public Void loop(Stmt.Loop l) {
                    out.append(pad).append("for ").append(l.loop().name()).append(" in ")
                            .append(l.reversed() ? "reversed(" : "").append(l.loop().from()).append("..").append(l.loop().to())
                            .append(l.reversed() ? ")" : "").append('\n');
                    block(l.body(), depth + 1, out);
                    return null;
                }
            });
        }
    }
}
