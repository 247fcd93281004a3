package dev.lossc.ad;

import dev.lossc.diag.Pos;
import dev.lossc.ir.Custom;
import dev.lossc.ir.IrProgram;
import dev.lossc.ir.Rename;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Prim;
import dev.lossc.prim.Scalar;
import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Phase 4: reverse mode as a source transformation, from primal IR to adjoint IR. Walks the
 * primal program backwards and, for each active operation and active operand, emits the
 * operand's rule from the primitive table: an elementwise rule becomes a {@link Stmt.Map} of its
 * scalar expression, a structured rule an {@link Stmt.Op} of the primitive it names. Loops become
 * reversed loops. Adjoints accumulate, but the first write to an adjoint that covers all of it
 * assigns instead, so only adjoints first reached by a partial write (a view, a loop) are cleared:
 * temps at the start of their iteration's backward, top-level ones when the backward pass starts.
 * A var's adjoint is handed to the assigned value and cleared at each assignment.
 */
public final class ReverseMode {
    private final IrProgram program;
    private final Activity activity;
    private final Map<Value, Value> adjoints = new HashMap<>();
    private int nextId;
    private Value seed;

    private ReverseMode(IrProgram program, Activity activity) {
        this.program = program;
        this.activity = activity;
        this.nextId = program.nextId();
    }

    public static AdjointProgram differentiate(IrProgram program) {
        return differentiate(program, null);
    }

    /**
     * Reverse mode of {@code program}'s result (its loss, or an output) with its adjoint seeded from
     * {@code seed}, an array of the result's shape (a Jacobian's reverse sweep sets one element at
     * a time); with {@code seed} null, from 1 (the gradient of a scalar loss).
     */
    public static AdjointProgram differentiate(IrProgram program, Value seed) {
        Activity activity = Activity.of(program.body(), program.params(), program.customs());
        ReverseMode rm = new ReverseMode(program, activity);
        rm.seed = seed;
        if (seed != null) {
            rm.nextId = Math.max(rm.nextId, seed.id() + 1);
        }
        List<Stmt> body = new ArrayList<>();
        if (activity.isActive(program.loss())) {
            body.addAll(rm.reverse(program.body(), true));
        }
        // Vars carry adjoints across assignments: they start at zero.
        List<Stmt> start = new ArrayList<>();
        for (Value v : program.vars()) {
            if (activity.isActive(v)) {
                start.add(new Stmt.Zero(rm.adjoint(v), null));
            }
        }
        // A param the loss does not reach has a zero gradient.
        for (Value p : program.params()) {
            if (!rm.adjoints.containsKey(p)) {
                start.add(new Stmt.Zero(rm.adjoint(p), null));
            }
        }
        start.addAll(body);
        return new AdjointProgram(start);
    }

    /** The adjoint of a value, or for a view, the same view of its root's adjoint. */
    private Value adjoint(Value v) {
        if (v.kind() == Value.Kind.VIEW) {
            return Value.view(nextId++, adjoint(v.root()), v.viewOffset(), v.shape());
        }
        return adjoints.computeIfAbsent(v, p -> Value.adjointOf(nextId++, p));
    }

    private List<Stmt> reverse(List<Stmt> body, boolean top) {
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
        List<Stmt> out = new ArrayList<>();
        if (top) {
            out.add(seed == null ? new Stmt.Map(adjoint(program.loss()), new Scalar.Num(1.0), List.of(), Shape.SCALAR, false, lossPos(), null)
                    : new Stmt.Map(adjoint(program.loss()), new Scalar.In(0), List.of(seed), seed.shape(), false, lossPos(),
                    Stmt.Note.of("the output's adjoint: the seed, one element set per row of the Jacobian")));
            written.add(program.loss());
        }
        for (int i = body.size() - 1; i >= 0; i--) {
            Stmt s = body.get(i);
            if (s instanceof Stmt.Op op) {
                if (!activity.isActive(op.out())) {
                    continue;
                }
                Custom custom = program.customs().get(op.out());
                if (custom != null) {
                    out.addAll(customRule(op, custom, owned, written, needZero));
                    continue;
                }
                for (int k = op.args().size() - 1; k >= 0; k--) {
                    Value arg = op.args().get(k);
                    if (activity.isActive(arg) && op.prim().hasAdjoint(k)) {
                        boolean assign = firstWrite(arg, owned, written, needZero);
                        out.add(rule(op, k, !assign));
                    }
                }
            } else if (s instanceof Stmt.Assign a) {
                if (!activity.isActive(a.var())) {
                    continue;
                }
                Value dVar = adjoint(a.var());
                if (activity.isActive(a.source())) {
                    boolean assign = firstWrite(a.source(), owned, written, needZero);
                    out.add(new Stmt.Map(adjoint(a.source()), new Scalar.In(0), List.of(dVar), a.var().shape(), !assign, a.pos(),
                            Stmt.Note.of("var " + a.var().name() + " was assigned here: hand its adjoint back")));
                }
                out.add(new Stmt.Zero(dVar, a.pos()));
            } else if (s instanceof Stmt.Loop l) {
                List<Stmt> inner = reverse(l.body(), false);
                if (!inner.isEmpty()) {
                    // Written in every iteration: whatever of ours it reaches first must start cleared.
                    for (Value target : targets(inner, new LinkedHashSet<>())) {
                        firstWriteOfRoot(target, false, owned, written, needZero);
                    }
                    out.add(new Stmt.Loop(l.loop(), inner, true, l.pos()));
                }
            } else {
                throw new IllegalStateException("not a primal statement: " + s);
            }
        }
        for (Value v : owned) {
            if (adjoints.containsKey(v) && !written.contains(v)) {
                needZero.add(v);
            }
        }
        List<Stmt> withZeros = new ArrayList<>();
        for (Value v : needZero) {
            withZeros.add(new Stmt.Zero(adjoint(v), null));
        }
        withZeros.addAll(out);
        return withZeros;
    }

    /**
     * A def's own grad rule at its call: its statements with {@code dy} read as the result's adjoint,
     * then each active argument's adjoint given its value.
     */
    private List<Stmt> customRule(Stmt.Op op, Custom c, Set<Value> owned, Set<Value> written, Set<Value> needZero) {
        Map<Value, Value> to = new HashMap<>();
        to.put(c.dy(), adjoint(op.out()));
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : c.grad()) {
            out.add(Rename.stmt(s, to));
        }
        for (int k = c.args().size() - 1; k >= 0; k--) {
            Value arg = c.args().get(k);
            if (activity.isActive(arg)) {
                boolean assign = firstWrite(arg, owned, written, needZero);
                out.add(new Stmt.Map(adjoint(arg), new Scalar.In(0), List.of(Rename.value(c.grads().get(k), to)), arg.shape(), !assign, op.pos(),
                        Stmt.Note.of("d " + c.args().get(k).name() + " by the grad rule of " + c.function() + " (its body is not differentiated)")));
            }
        }
        return out;
    }

    /** True if this write to {@code arg}'s adjoint may assign: it is the first, and covers all of it. */
    private boolean firstWrite(Value arg, Set<Value> owned, Set<Value> written, Set<Value> needZero) {
        return firstWriteOfRoot(arg.root(), arg.kind() != Value.Kind.VIEW, owned, written, needZero);
    }

    private static boolean firstWriteOfRoot(Value target, boolean coversAll, Set<Value> owned, Set<Value> written, Set<Value> needZero) {
        if (!owned.contains(target) || !written.add(target)) {
            return false;
        }
        if (!coversAll) {
            needZero.add(target);
        }
        return coversAll;
    }

    /** The primal values whose adjoints a block writes (roots). */
    private static Set<Value> targets(List<Stmt> steps, Set<Value> into) {
        for (Stmt s : steps) {
            if (s instanceof Stmt.Loop l) {
                targets(l.body(), into);
            } else if (!(s instanceof Stmt.Zero)) {
                Value w = Stmt.written(s);
                if (w.root().kind() == Value.Kind.ADJOINT) {
                    into.add(w.root().primal());
                }
            }
        }
        return into;
    }

    /** Operand {@code k}'s rule for {@code op}, from the primitive table. */
    private Stmt rule(Stmt.Op op, int k, boolean accumulate) {
        Value target = adjoint(op.args().get(k));
        Stmt.Note note = new Stmt.Note(op.args().get(k), op.out(), op.prim(), k, op.attributes(), null, null);
        Prim p = op.prim();
        if (p.isElementwise()) {
            List<Value> inputs = new ArrayList<>();
            Scalar expr = applied(p.derivative(k), op, inputs, adjoint(op.out()));
            return new Stmt.Map(target, Scalar.simplify(expr), inputs, op.out().shape(), accumulate, op.pos(), note);
        }
        Prim.Contribution c = p.contribution(k, op.attributes());
        List<Value> args = new ArrayList<>();
        for (Prim.Ref r : c.args()) {
            args.add(switch (r) {
                case X0 -> op.args().get(0);
                case X1 -> op.args().get(1);
                case Y -> op.out();
                case DY -> adjoint(op.out());
            });
        }
        if (c.prim().isElementwise()) {
            // An elementwise primitive spread over the operand's shape (dot's b * dy, sum's copy of dy).
            List<Value> inputs = new ArrayList<>();
            Scalar expr = Scalar.replace(c.prim().forward(), v -> v instanceof Scalar.Operand o ? in(inputs, args.get(o.index())) : null);
            return new Stmt.Map(target, Scalar.simplify(expr), inputs, target.shape(), accumulate, op.pos(), note);
        }
        return new Stmt.Op(target, c.prim(), args, c.attributes(), accumulate, op.pos(), note);
    }

    /**
     * An elementwise rule of {@code op}'s primitive as a loop's expression: its operands and result
     * read from {@code inputs} (added as needed), its attributes folded in, and {@code dy} reading
     * {@code dy} (the result's adjoint, or in forward mode an operand's tangent).
     */
    static Scalar applied(Scalar rule, Stmt.Op op, List<Value> inputs, Value dy) {
        return Scalar.replace(rule, v -> {
            if (v instanceof Scalar.Operand o) {
                return in(inputs, op.args().get(o.index()));
            } else if (v instanceof Scalar.Result) {
                return in(inputs, op.out());
            } else if (v instanceof Scalar.ResultAdjoint) {
                return in(inputs, dy);
            } else if (v instanceof Scalar.Attribute a) {
                return new Scalar.Num(op.attributes().real(a.index()));
            }
            return null;
        });
    }

    /** The loop input reading {@code v}, added to {@code inputs} once. */
    static Scalar in(List<Value> inputs, Value v) {
        int i = inputs.indexOf(v);
        if (i < 0) {
            inputs.add(v);
            i = inputs.size() - 1;
        }
        return new Scalar.In(i);
    }

    private Pos lossPos() {
        for (int i = program.body().size() - 1; i >= 0; i--) {
            if (program.body().get(i) instanceof Stmt.Op op && op.out() == program.loss()) {
                return op.pos();
            }
        }
        return Pos.START;
    }
}
