package dev.lossc.ir;

import java.util.List;
import java.util.stream.Collectors;

/** {@code --dump ir}: one {@code out = prim(args)} per line, loops indented. */
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

    private static void block(List<Stmt> body, int depth, StringBuilder out) {
        String pad = "  ".repeat(depth);
        for (Stmt s : body) {
            if (s instanceof Stmt.Op op) {
                String args = op.args().stream().map(Value::label).collect(Collectors.joining(", "));
                String attr = op.prim() == Prim.POW || op.prim() == Prim.LEAKY_RELU ? "; " + op.attribute() : "";
                out.append(pad).append(op.out().label()).append(' ').append(op.out().shape()).append(" = ")
                        .append(op.prim().spelling()).append('(').append(args).append(attr).append(")  # line ")
                        .append(op.pos().line()).append('\n');
            } else if (s instanceof Stmt.Assign a) {
                out.append(pad).append(a.var().label()).append(" := ").append(a.source().label())
                        .append("  # line ").append(a.pos().line()).append('\n');
            } else if (s instanceof Stmt.Loop l) {
                out.append(pad).append("for ").append(l.loop().name()).append(" in ").append(l.loop().from())
                        .append("..").append(l.loop().to()).append('\n');
                block(l.body(), depth + 1, out);
            }
        }
    }
}
