package dev.lossc.ad;

import dev.lossc.ir.IrProgram;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Phase 4: reverse mode as a source transformation. Walks the primal IR backwards and emits, for
 * each active operation, one accumulation per active operand. Loops become reversed loops whose
 * temps read their per-iteration slots; a temp's adjoint is zeroed where its iteration's backward
 * begins, a var's adjoint is handed to the assigned value and cleared at each assignment.
 */
public final class ReverseMode {
    private final Activity activity;
    private final Set<Value> adjoints = new LinkedHashSet<>();

    private ReverseMode(Activity activity) {
        this.activity = activity;
    }

    public static AdjointProgram differentiate(IrProgram program) {
        Activity activity = Activity.of(program.body(), program.params());
        ReverseMode rm = new ReverseMode(activity);
        List<AdjointProgram.Step> steps = new ArrayList<>();
        if (activity.isActive(program.loss())) {
            steps.add(new AdjointProgram.Seed(program.loss(), program.loss() == null ? null : posOfLoss(program)));
            steps.addAll(rm.reverse(program.body(), true));
        }
        return new AdjointProgram(steps, new ArrayList<>(rm.adjoints), activity);
    }

    private static dev.lossc.diag.Pos posOfLoss(IrProgram program) {
        for (int i = program.body().size() - 1; i >= 0; i--) {
            if (program.body().get(i) instanceof Stmt.Op op && op.out() == program.loss()) {
                return op.pos();
            }
        }
        return dev.lossc.diag.Pos.START;
    }

    private List<AdjointProgram.Step> reverse(List<Stmt> body, boolean top) {
        List<AdjointProgram.Step> out = new ArrayList<>();
        // Zero the adjoints of the temps this block defines, before they accumulate. (Top-level
        // ones and vars are zeroed once by the generated backward entry.)
        if (!top) {
            for (Stmt s : body) {
                if (s instanceof Stmt.Op op && activity.isActive(op.out())) {
                    out.add(new AdjointProgram.Zero(op.out(), op.pos()));
                }
            }
        }
        for (int i = body.size() - 1; i >= 0; i--) {
            Stmt s = body.get(i);
            if (s instanceof Stmt.Op op) {
                if (!activity.isActive(op.out())) {
                    continue;
                }
                adjoints.add(op.out());
                for (int k = op.args().size() - 1; k >= 0; k--) {
                    Value arg = op.args().get(k);
                    if (activity.isActive(arg)) {
                        adjoints.add(arg.root());
                        out.add(new AdjointProgram.Accumulate(op, k, Rules.of(op.prim(), k, op.attribute())));
                    }
                }
            } else if (s instanceof Stmt.Assign a) {
                if (!activity.isActive(a.var())) {
                    continue;
                }
                adjoints.add(a.var());
                boolean sourceActive = activity.isActive(a.source());
                if (sourceActive) {
                    adjoints.add(a.source().root());
                }
                out.add(new AdjointProgram.Unassign(a, sourceActive));
            } else if (s instanceof Stmt.Loop l) {
                List<AdjointProgram.Step> inner = reverse(l.body(), false);
                if (!inner.isEmpty()) {
                    out.add(new AdjointProgram.ReverseLoop(l.loop(), inner, l.pos()));
                }
            }
        }
        return out;
    }
}
