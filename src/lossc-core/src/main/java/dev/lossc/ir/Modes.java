package dev.lossc.ir;

import dev.lossc.prim.Attributes;
import dev.lossc.prim.Prim;
import java.util.ArrayList;
import java.util.List;

/**
 * Training calls and output methods (inference) compute some primitives differently, as each
 * primitive's {@link Prim.Mode} in the table says: a program is lowered once, then resolved for
 * one mode or the other before it is pruned, differentiated or planned. Nothing after this sees a
 * mode: {@code dropout}'s mask is drawn or is all ones, {@code batch_norm} reads the batch's
 * statistics or its states, and a state's running update is there or is not.
 */
final class Modes {
    private Modes() {}

    /** {@code body} as a training call ({@code training}) or an output method computes it; {@code nextId} gives new constants their ids. */
    static List<Stmt> resolve(List<Stmt> body, boolean training, int[] nextId) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                out.add(new Stmt.Loop(l.loop(), resolve(l.body(), training, nextId), l.reversed(), l.pos()));
                continue;
            }
            if (!(s instanceof Stmt.Op op)) {
                out.add(s);
                continue;
            }
            switch (op.prim().mode()) {
                case SAME -> out.add(op);
                case SELECT -> out.add(copy(op, op.args().get(training ? 0 : 1)));
                case ONES_IN_INFERENCE -> out.add(training ? op : copy(op, Value.constant(nextId[0]++, 1.0)));
                case TRAINING_ONLY -> {
                    if (training) {
                        out.add(op);
                    }
                }
            }
        }
        return out;
    }

    private static Stmt.Op copy(Stmt.Op op, Value source) {
        return new Stmt.Op(op.out(), Prim.COPY, List.of(source), Attributes.NONE, op.pos());
    }
}
