package dev.lossc.ad;

import dev.lossc.ir.Value;
import java.util.List;

/** {@code --dump adjoint}: the backward program, one accumulation per line. */
public final class AdjointPrinter {
    private AdjointPrinter() {}

    public static String print(AdjointProgram p) {
        StringBuilder out = new StringBuilder();
        for (Value v : p.zeroAtStart()) {
            out.append(d(v)).append(" = 0\n");
        }
        steps(p.steps(), 0, out);
        if (p.steps().isEmpty()) {
            out.append("# the loss does not depend on any param: the gradient is zero\n");
        }
        return out.toString();
    }

    private static String d(Value v) {
        return "d[" + v.label() + "]";
    }

    private static void steps(List<AdjointProgram.Step> steps, int depth, StringBuilder out) {
        String pad = "  ".repeat(depth);
        for (AdjointProgram.Step s : steps) {
            if (s instanceof AdjointProgram.Seed seed) {
                out.append(pad).append(d(seed.loss())).append(" = 1\n");
            } else if (s instanceof AdjointProgram.Zero z) {
                out.append(pad).append(d(z.value())).append(" = 0\n");
            } else if (s instanceof AdjointProgram.Accumulate a) {
                Value arg = a.op().args().get(a.operand());
                out.append(pad).append(d(arg)).append(a.overwrite() ? " = from " : " += from ").append(a.op().out().label()).append(" = ")
                        .append(a.op().prim().spelling()).append(", operand ").append(a.operand()).append(": ")
                        .append(a.math()).append("  # line ").append(a.pos().line()).append('\n');
            } else if (s instanceof AdjointProgram.Unassign u) {
                if (u.sourceActive()) {
                    out.append(pad).append(d(u.assign().source())).append(u.overwrite() ? " = " : " += ").append(d(u.assign().var())).append("; ");
                } else {
                    out.append(pad);
                }
                out.append(d(u.assign().var())).append(" = 0  # line ").append(u.pos().line()).append('\n');
            } else if (s instanceof AdjointProgram.ReverseLoop l) {
                out.append(pad).append("for ").append(l.loop().name()).append(" in reversed(")
                        .append(l.loop().from()).append("..").append(l.loop().to()).append(")\n");
                steps(l.body(), depth + 1, out);
            }
        }
    }
}
