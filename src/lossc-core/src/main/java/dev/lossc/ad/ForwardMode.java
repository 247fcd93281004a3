package dev.lossc.ad;

import dev.lossc.diag.Pos;
import dev.lossc.ir.Custom;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Attributes;
import dev.lossc.prim.Prim;
import dev.lossc.prim.Scalar;
import dev.lossc.prim.ScalarTangent;
import dev.lossc.prim.Tangent;
import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forward mode as a source transformation: after each statement, the statement that computes the
 * tangent of what it wrote ({@link Value.Kind#TANGENT} values), from the primitive table's tangent
 * rules. Applied to the forward pass it gives directional derivatives ({@code jvp}); applied to the
 * forward pass and then to the backward pass reverse mode made of it, it gives the Hessian times a
 * direction (forward over reverse: the tangent of every adjoint statement). The params' tangents are
 * the direction; inputs and states have none. Each tangent mirrors its primal's writes (an
 * assignment, an accumulation, a fill), so it is set up exactly when its primal is; a write whose
 * tangent is zero becomes a fill of the tangent, or nothing for an accumulation.
 */
public final class ForwardMode {
    /** Roots whose tangent is not zero: written, somewhere, from a param or another such value. */
    private final Set<Value> varied = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Value, Value> tangents = new IdentityHashMap<>();
    private final Map<Value, Custom> customs;
    private int nextId;

    private ForwardMode(int nextId, Map<Value, Custom> customs) {
        this.nextId = nextId;
        this.customs = customs;
    }

    /**
     * Forward mode over these statement lists (run in this order: the forward pass, then the
     * backward pass), with the params varied; {@code customs}: the program's calls of defs with
     * their own derivatives, whose jvp rules give their results' tangents.
     */
    public static ForwardMode over(List<Value> params, List<List<Stmt>> bodies, Map<Value, Custom> customs) {
        int max = 0;
        List<Stmt> flat = new ArrayList<>();
        for (List<Stmt> b : bodies) {
            flatten(b, flat);
        }
        // The values of custom calls' rules (their statements' and placeholders') are below the first new id too.
        List<Stmt> rules = new ArrayList<>();
        for (Custom c : customs.values()) {
            flatten(c.grad(), rules);
            flatten(c.jvp(), rules);
            max = Math.max(max, c.dy().id());
            for (Value t : c.tangents()) {
                max = Math.max(max, t.id());
            }
        }
        for (Value p : params) {
            max = Math.max(max, p.id());
        }
        max = Math.max(max, Math.max(largestId(rules), largestId(flat)));
        ForwardMode fm = new ForwardMode(max + 1, customs);
        fm.varied.addAll(params);
        // A fixed point: a loop carries a var's tangent into the next iteration.
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Stmt s : flat) {
                Value w = Stmt.written(s).root();
                if (!fm.varied.contains(w) && fm.contributes(s)) {
                    fm.varied.add(w);
                    changed = true;
                }
            }
        }
        return fm;
    }

    /** The largest id of a value (or a view's root) the statements read or write. */
    private static int largestId(List<Stmt> flat) {
        int max = 0;
        for (Stmt s : flat) {
            for (Value v : Stmt.read(s)) {
                max = Math.max(max, Math.max(v.id(), v.root().id()));
            }
            Value w = Stmt.written(s);
            max = Math.max(max, Math.max(w.id(), w.root().id()));
        }
        return max;
    }

    private static void flatten(List<Stmt> body, List<Stmt> into) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                flatten(l.body(), into);
            } else {
                into.add(s);
            }
        }
    }

    /** True if {@code v}'s tangent may be non-zero. */
    public boolean varies(Value v) {
        return varied.contains(v.root());
    }

    /** The tangent of a value, or for a view, the same view of its root's tangent. */
    public Value tangent(Value v) {
        if (v.kind() == Value.Kind.VIEW) {
            return Value.view(nextId++, tangent(v.root()), v.viewOffset(), v.shape());
        }
        return tangents.computeIfAbsent(v, p -> Value.tangentOf(nextId++, p));
    }

    /** {@code body} with each statement followed by its tangent (or preceded, when it overwrites what the tangent reads). */
    public List<Stmt> interleave(List<Stmt> body) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                out.add(new Stmt.Loop(l.loop(), interleave(l.body()), l.reversed(), l.pos()));
                continue;
            }
            List<Stmt> t = tangentOf(s);
            Value w = Stmt.written(s).root();
            boolean overwritesOperand = Stmt.read(s).stream().anyMatch(v -> v.root() == w) && !(s instanceof Stmt.Map m && m.accumulate())
                    && !(s instanceof Stmt.Op op && op.accumulate());
            if (overwritesOperand) {
                out.addAll(t);
                out.add(s);
            } else {
                out.add(s);
                out.addAll(t);
            }
        }
        return out;
    }

    /** A fill of {@code v}'s tangent (the whole root, or the view). */
    public Stmt zero(Value v, Pos pos) {
        Value t = tangent(v);
        if (v.kind() != Value.Kind.VIEW) {
            return new Stmt.Zero(t, pos);
        }
        return new Stmt.Map(t, new Scalar.Num(0.0), List.of(), v.shape(), false, pos, Stmt.Note.tangent(v.root(), null, Attributes.NONE, null));
    }

    // ------------------------------------------------------------------ which operands carry a tangent

    private boolean contributes(Stmt s) {
        if (s instanceof Stmt.Op op && customs.containsKey(op.out())) {
            return customs.get(op.out()).args().stream().anyMatch(this::varies);
        } else if (s instanceof Stmt.Op op) {
            for (int k : tangentOperands(op)) {
                if (varies(op.args().get(k))) {
                    return true;
                }
            }
            return false;
        } else if (s instanceof Stmt.Map m) {
            return !ScalarTangent.isZero(ScalarTangent.of(m.expr(), i -> varies(m.args().get(i)) ? new Scalar.In(i) : null));
        } else if (s instanceof Stmt.Assign a) {
            return varies(a.source());
        }
        return false;
    }

    /** The operands whose tangents reach the result (none into a state: states are not differentiated). */
    private static List<Integer> tangentOperands(Stmt.Op op) {
        Prim p = op.prim();
        if (op.out().root().kind() == Value.Kind.STATE || p.mode() == Prim.Mode.TRAINING_ONLY) {
            return List.of();
        }
        List<Integer> ks = new ArrayList<>();
        if (p.isElementwise()) {
            for (int k = 0; k < p.arity(); k++) {
                if (p.hasAdjoint(k) && !ScalarTangent.isZero(Scalar.simplify(p.derivative(k)))) {
                    ks.add(k);
                }
            }
            return ks;
        }
        return p.tangent().operands();
    }

    // ------------------------------------------------------------------ the tangent statements

    private List<Stmt> tangentOf(Stmt s) {
        Value w = Stmt.written(s);
        if (!varies(w)) {
            return List.of();
        }
        List<Stmt> out = new ArrayList<>();
        if (s instanceof Stmt.Zero z) {
            out.add(zero(z.target(), z.pos()));
        } else if (s instanceof Stmt.Assign a) {
            out.add(varies(a.source()) ? new Stmt.Assign(tangent(a.var()), tangent(a.source()), a.pos()) : zero(a.var(), a.pos()));
        } else if (s instanceof Stmt.Map m) {
            map(m, out);
        } else if (s instanceof Stmt.Op op) {
            if (op.epilogue() != null) {
                throw new IllegalStateException("forward mode runs before epilogues are fused");
            }
            if (customs.containsKey(op.out())) {
                custom(op, customs.get(op.out()), out);
                return out;
            }
            boolean any = tangentOperands(op).stream().anyMatch(k -> varies(op.args().get(k)));
            if (any) {
                op(op, out);
            } else if (!op.accumulate()) {
                out.add(zero(op.out(), op.pos()));
            }
        }
        return out;
    }

    /**
     * A def's own jvp rule at its call: its statements with each parameter's tangent read as its
     * argument's (a zero array for one that does not vary), then the result's tangent given its value.
     */
    private void custom(Stmt.Op op, Custom c, List<Stmt> out) {
        if (!c.hasJvp()) {
            throw new IllegalStateException("forward mode through " + c.function() + ", which has no jvp rule (the checker reports it)");
        }
        Map<Value, Value> to = new IdentityHashMap<>();
        for (int k = 0; k < c.args().size(); k++) {
            Value arg = c.args().get(k);
            Value t;
            if (varies(arg) && arg.kind() != Value.Kind.VIEW) {
                t = tangent(arg);
            } else {
                t = Value.scratch(nextId++, arg.shape());
                out.add(varies(arg) ? new Stmt.Map(t, new Scalar.In(0), List.of(tangent(arg)), arg.shape(), false, op.pos(), null)
                        : new Stmt.Zero(t, op.pos()));
            }
            to.put(c.tangents().get(k), t);
        }
        for (Stmt s : c.jvp()) {
            out.add(dev.lossc.ir.Rename.stmt(s, to));
        }
        out.add(new Stmt.Map(tangent(op.out()), new Scalar.In(0), List.of(dev.lossc.ir.Rename.value(c.jvpValue(), to)), op.out().shape(), false,
                op.pos(), Stmt.Note.tangent(op.out().root(), null, Attributes.NONE, Stmt.Note.of("the jvp rule of " + c.function()))));
    }

    /** A fused loop's tangent: the directional derivative of its expression, over its inputs and their tangents. */
    private void map(Stmt.Map m, List<Stmt> out) {
        List<Value> inputs = new ArrayList<>(m.args());
        Scalar d = ScalarTangent.of(m.expr(), i -> varies(m.args().get(i)) ? in(inputs, tangent(m.args().get(i))) : null);
        Stmt.Note note = Stmt.Note.tangent(m.out().root(), null, Attributes.NONE, m.note());
        if (ScalarTangent.isZero(d)) {
            if (!m.accumulate()) {
                out.add(zero(m.out(), m.pos()));
            }
            return;
        }
        out.add(new Stmt.Map(tangent(m.out()), d, inputs, m.domain(), m.accumulate(), m.pos(), note));
    }

    private void op(Stmt.Op op, List<Stmt> out) {
        Prim p = op.prim();
        Stmt.Note note = Stmt.Note.tangent(op.out().root(), p, op.attributes(), op.note());
        Value ty = tangent(op.out());
        if (p.isElementwise()) {
            // Σ_k rule_k with dy read as operand k's tangent: the adjoint rule's own derivative.
            List<Value> inputs = new ArrayList<>();
            Scalar sum = null;
            for (int k : tangentOperands(op)) {
                Value arg = op.args().get(k);
                if (!varies(arg)) {
                    continue;
                }
                Scalar term = ReverseMode.applied(p.derivative(k), op, inputs, tangent(arg));
                sum = sum == null ? term : new Scalar.Bin('+', sum, term);
            }
            out.add(new Stmt.Map(ty, Scalar.simplify(sum), inputs, op.out().shape(), op.accumulate(), op.pos(), note));
            return;
        }
        Tangent rule = p.tangent();
        List<Value> x = op.args();
        boolean acc = op.accumulate();
        switch (rule.kind()) {
            case MULTILINEAR -> {
                for (int k : rule.operands()) {
                    if (!varies(x.get(k))) {
                        continue;
                    }
                    List<Value> args = new ArrayList<>(x);
                    args.set(k, tangent(x.get(k)));
                    out.add(new Stmt.Op(ty, p, args, op.attributes(), acc, op.pos(), note));
                    acc = true;
                }
            }
            case LINEAR -> {
                List<Value> args = new ArrayList<>();
                for (int k = 0; k < x.size(); k++) {
                    if (!varies(x.get(k)) && rule.operands().contains(k)) {
                        // Its tangent is zero: a filled array stands for it.
                        out.add(new Stmt.Zero(tangent(x.get(k).root()), op.pos()));
                    }
                    args.add(rule.operands().contains(k) ? tangent(x.get(k)) : x.get(k));
                }
                out.add(new Stmt.Op(ty, p, args, op.attributes(), acc, op.pos(), note));
            }
            case CONSTANT -> throw new IllegalStateException("a constant has no varied operand");
            case SOFTMAX -> out.add(new Stmt.Op(ty, Prim.SOFTMAX_BACKWARD, List.of(op.out(), tangent(x.get(0))), Attributes.NONE, acc, op.pos(), note));
            case MAX_POOL -> out.add(new Stmt.Op(ty, Prim.MAX_POOL_PICK, List.of(tangent(x.get(0)), x.get(0)), op.attributes(), acc, op.pos(), note));
            case LOG_SOFTMAX -> {
                // ẏ = ẋ - rowsum(exp(y) ẋ)
                Value tx = tangent(x.get(0));
                Value s = rowSum(map("exp(a) * b", x.get(0).shape(), op, out, op.out(), tx), op, out);
                out.add(mapInto(ty, "a - b", op.out().shape(), acc, op, note, tx, expand(s, tx.shape(), op, out)));
            }
            case LOGSUMEXP -> {
                // ẏ = rowsum(exp(x - y) ẋ)
                Value tx = tangent(x.get(0));
                Value p1 = map("exp(a - b) * c", x.get(0).shape(), op, out, x.get(0), expand(op.out(), x.get(0).shape(), op, out), tx);
                out.add(new Stmt.Op(ty, rowSumPrim(p1), List.of(p1), rowSumAttributes(p1), acc, op.pos(), note));
            }
            case SOFTMAX_BACKWARD -> {
                // o = y (g - rowsum(y g))
                Value y = x.get(0), g = x.get(1);
                if (varies(g)) {
                    out.add(new Stmt.Op(ty, Prim.SOFTMAX_BACKWARD, List.of(y, tangent(g)), Attributes.NONE, acc, op.pos(), note));
                    acc = true;
                }
                if (varies(y)) {
                    Value ty0 = tangent(y);
                    Value s1 = expand(rowSum(map("a * b", y.shape(), op, out, y, g), op, out), y.shape(), op, out);
                    Value s2 = expand(rowSum(map("a * b", y.shape(), op, out, ty0, g), op, out), y.shape(), op, out);
                    out.add(mapInto(ty, "a * (b - c) - d * e", y.shape(), acc, op, note, ty0, g, s1, y, s2));
                }
            }
            case LOG_SOFTMAX_BACKWARD -> {
                // o = g - exp(y) rowsum(g)
                Value y = x.get(0), g = x.get(1);
                if (varies(g)) {
                    out.add(new Stmt.Op(ty, Prim.LOG_SOFTMAX_BACKWARD, List.of(y, tangent(g)), Attributes.NONE, acc, op.pos(), note));
                    acc = true;
                }
                if (varies(y)) {
                    Value s = expand(rowSum(g, op, out), y.shape(), op, out);
                    out.add(mapInto(ty, "-(exp(a) * b * c)", y.shape(), acc, op, note, y, tangent(y), s));
                }
            }
            case LOGSUMEXP_BACKWARD -> {
                // o = g exp(x - y), g and y one per row
                Value xv = x.get(0), y = x.get(1), g = x.get(2);
                if (varies(g)) {
                    out.add(new Stmt.Op(ty, Prim.LOGSUMEXP_BACKWARD, List.of(xv, y, tangent(g)), Attributes.NONE, acc, op.pos(), note));
                    acc = true;
                }
                if (varies(xv) || varies(y)) {
                    Value ey = expand(y, xv.shape(), op, out);
                    Value eg = expand(g, xv.shape(), op, out);
                    List<Value> args = new ArrayList<>(List.of(xv, ey, eg));
                    String d;
                    if (varies(xv) && varies(y)) {
                        args.add(tangent(xv));
                        args.add(expand(tangent(y), xv.shape(), op, out));
                        d = "(d - e)";
                    } else if (varies(xv)) {
                        args.add(tangent(xv));
                        d = "d";
                    } else {
                        args.add(expand(tangent(y), xv.shape(), op, out));
                        d = "(-d)";
                    }
                    out.add(mapInto(ty, "c * exp(a - b) * " + d, xv.shape(), acc, op, note, args.toArray(Value[]::new)));
                }
            }
        }
    }

    // ------------------------------------------------------------------ row sums and their spreading (the softmax family's rules)

    /** A new intermediate {@code expr(args)} over {@code shape} ({@code a}, {@code b}, …: the args). */
    private Value map(String expr, Shape shape, Stmt.Op op, List<Stmt> out, Value... args) {
        Value t = Value.scratch(nextId++, shape);
        out.add(mapInto(t, expr, shape, false, op, Stmt.Note.tangent(t, null, Attributes.NONE, null), args));
        return t;
    }

    private static Stmt mapInto(Value target, String expr, Shape domain, boolean acc, Stmt.Op op, Stmt.Note note, Value... args) {
        return new Stmt.Map(target, Scalar.simplify(Scalar.parseInputs(expr)), List.of(args), domain, acc, op.pos(), note);
    }

    /** The sum of each row of a matrix (its last axis), or of a vector: {@code [m]}, or a scalar. */
    private Value rowSum(Value v, Stmt.Op op, List<Stmt> out) {
        Value s = Value.scratch(nextId++, v.shape().isMatrix() ? Shape.vector(v.shape().rowAxis()) : Shape.SCALAR);
        out.add(new Stmt.Op(s, rowSumPrim(v), List.of(v), rowSumAttributes(v), false, op.pos(), Stmt.Note.tangent(s, null, Attributes.NONE, null)));
        return s;
    }

    private static Prim rowSumPrim(Value v) {
        return v.shape().isMatrix() ? Prim.SUM_AXIS : Prim.SUM;
    }

    private static Attributes rowSumAttributes(Value v) {
        return v.shape().isMatrix() ? Attributes.ints(1) : Attributes.NONE;
    }

    /** A value per row spread over the row ({@code [m]} → {@code [m, n]}); a scalar is read as it is by every element. */
    private Value expand(Value perRow, Shape like, Stmt.Op op, List<Stmt> out) {
        if (!like.isMatrix()) {
            return perRow;
        }
        Value e = Value.scratch(nextId++, like);
        out.add(new Stmt.Op(e, Prim.EXPAND_COLS, List.of(perRow), Attributes.NONE, false, op.pos(), Stmt.Note.tangent(e, null, Attributes.NONE, null)));
        return e;
    }

    private static Scalar in(List<Value> inputs, Value v) {
        return ReverseMode.in(inputs, v);
    }
}
