package dev.lossc.ad;

import dev.lossc.ir.IrProgram;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Phase 4: reverse mode as a source transformation. Walks the primal IR backwards and emits, for
 * each active operation, one accumulation per active operand. Loops become reversed loops whose
 * temps read their per-iteration slots. Adjoints accumulate, but the first write to an adjoint that
 * covers all of it assigns instead, so only adjoints first reached by a partial write (a view, a
 * broadcast, a loop) are cleared: temps at the start of their iteration's backward, top-level ones
 * when the backward pass starts. A var's adjoint is handed to the assigned value and cleared at
 * each assignment.
 */
public final class ReverseMode {
    private final Activity activity;
    private final Set<Value> adjoints = new LinkedHashSet<>();
    private final Set<Value> zeroAtStart = new LinkedHashSet<>();
    private final Set<Value> readByBackward = new HashSet<>();
    private final IrProgram program;

    private ReverseMode(IrProgram program, Activity activity) {
        this.program = program;
        this.activity = activity;
    }

    public static AdjointProgram differentiate(IrProgram program) {
        Activity activity = Activity.of(program.body(), program.params());
        ReverseMode rm = new ReverseMode(program, activity);
        List<AdjointProgram.Step> steps = new ArrayList<>();
        if (activity.isActive(program.loss())) {
            steps.addAll(rm.reverse(program.body(), true));
        }
        for (Value v : program.vars()) {
            if (activity.isActive(v)) {
                rm.zeroAtStart.add(v);
            }
        }
        return new AdjointProgram(steps, new ArrayList<>(rm.adjoints), new ArrayList<>(rm.zeroAtStart), rm.readByBackward, activity);
    }

    /** True if the rule writes every element of operand k's adjoint exactly once. */
    private static boolean coversOnce(Stmt.Op op, int k, Rule rule) {
        if (op.args().get(k).kind() == Value.Kind.VIEW) {
            return false;
        }
        if (rule instanceof Rule.Kernel kernel) {
            return kernel.once();
        }
        // Same shape: one element each; a scalar operand is reduced in a local and written once.
        return op.args().get(k).shape().equals(op.out().shape()) || op.args().get(k).shape().isScalar();
    }

    private List<AdjointProgram.Step> reverse(List<Stmt> body, boolean top) {
        // The adjoints this block is responsible for clearing: its own temps (and, at the top, params).
        Set<Value> owned = new LinkedHashSet<>();
        for (Stmt s : body) {
            if (s instanceof Stmt.Op op && activity.isActive(op.out())) {
                owned.add(op.out());
            }
        }
        if (top) {
            owned.addAll(program.params());
        }
        Set<Value> written = new HashSet<>();
        Set<Value> needZero = new LinkedHashSet<>();
        List<AdjointProgram.Step> out = new ArrayList<>();
        if (top) {
            out.add(new AdjointProgram.Seed(program.loss(), posOfLoss()));
            written.add(program.loss());
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
                        Rule rule = Rules.of(op.prim(), k, op.attribute());
                        adjoints.add(arg.root());
                        for (int r = 0; r < op.args().size(); r++) {
                            if (rule.readsOperand(r)) {
                                readByBackward.add(op.args().get(r).root());
                            }
                        }
                        if (rule.readsResult()) {
                            readByBackward.add(op.out());
                        }
                        boolean overwrite = firstWrite(arg.root(), coversOnce(op, k, rule), owned, written, needZero);
                        out.add(new AdjointProgram.Accumulate(op, k, rule, overwrite));
                    }
                }
            } else if (s instanceof Stmt.Assign a) {
                if (!activity.isActive(a.var())) {
                    continue;
                }
                adjoints.add(a.var());
                boolean sourceActive = activity.isActive(a.source());
                boolean overwrite = false;
                if (sourceActive) {
                    adjoints.add(a.source().root());
                    overwrite = firstWrite(a.source().root(), a.source().kind() != Value.Kind.VIEW, owned, written, needZero);
                }
                out.add(new AdjointProgram.Unassign(a, sourceActive, overwrite));
            } else if (s instanceof Stmt.Loop l) {
                List<AdjointProgram.Step> inner = reverse(l.body(), false);
                if (!inner.isEmpty()) {
                    // Written in every iteration: whatever of ours it reaches first must start cleared.
                    for (Value target : targets(inner, new LinkedHashSet<>())) {
                        firstWrite(target, false, owned, written, needZero);
                    }
                    out.add(new AdjointProgram.ReverseLoop(l.loop(), inner, l.pos()));
                }
            }
        }
        for (Value v : owned) {
            if (adjoints.contains(v) && !written.contains(v)) {
                needZero.add(v);
            }
        }
        if (top) {
            zeroAtStart.addAll(needZero);
            return out;
        }
        List<AdjointProgram.Step> withZeros = new ArrayList<>();
        for (Value v : needZero) {
            withZeros.add(new AdjointProgram.Zero(v, null));
        }
        withZeros.addAll(out);
        return withZeros;
    }

    /** Records a write to {@code target}'s adjoint; true if it may assign instead of accumulating. */
    private static boolean firstWrite(Value target, boolean coversOnce, Set<Value> owned, Set<Value> written, Set<Value> needZero) {
        if (!owned.contains(target) || !written.add(target)) {
            return false;
        }
        if (!coversOnce) {
            needZero.add(target);
        }
        return coversOnce;
    }

    private static Set<Value> targets(List<AdjointProgram.Step> steps, Set<Value> into) {
        for (AdjointProgram.Step s : steps) {
            if (s instanceof AdjointProgram.Accumulate a) {
                into.add(a.op().args().get(a.operand()).root());
            } else if (s instanceof AdjointProgram.Unassign u && u.sourceActive()) {
                into.add(u.assign().source().root());
            } else if (s instanceof AdjointProgram.ReverseLoop l) {
                targets(l.body(), into);
            }
        }
        return into;
    }

    private dev.lossc.diag.Pos posOfLoss() {
        for (int i = program.body().size() - 1; i >= 0; i--) {
            if (program.body().get(i) instanceof Stmt.Op op && op.out() == program.loss()) {
                return op.pos();
            }
        }
        return dev.lossc.diag.Pos.START;
    }
}
