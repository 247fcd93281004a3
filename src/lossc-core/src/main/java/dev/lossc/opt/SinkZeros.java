package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * A zero fill moves down its block to just before the next statement that uses the array (or to
 * the block's end): clearing a var's adjoint right after handing it back would otherwise stand
 * between the hand-back and the statement that reads it, and keep them from fusing. A fill that
 * then sits right before a write of the whole array is dropped by {@link DeadStores}.
 */
final class SinkZeros implements Pass {
    public String name() {
        return "sink-zeros";
    }

    public String summary() {
        return "zero fills move down to just before the array's next use";
    }

    public Plan apply(Plan p) {
        return p.with(p.forward(), sink(p.backward()));
    }

    private static List<Stmt> sink(List<Stmt> block) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : block) {
            out.add(s instanceof Stmt.Loop l ? new Stmt.Loop(l.loop(), sink(l.body()), l.reversed(), l.pos()) : s);
        }
        for (int i = out.size() - 1; i >= 0; i--) {
            // Gradients stay where they are cleared, at the start: one fill clears them all there.
            if (out.get(i) instanceof Stmt.Zero z && z.target().primal().kind() != Value.Kind.PARAM) {
                Value v = z.target().root();
                int j = i + 1;
                while (j < out.size() && !Uses.mentions(out.get(j), v)) {
                    j++;
                }
                out.remove(i);
                out.add(j - 1, z);
            }
        }
        return out;
    }
}
