package dev.lossc.ir;

import dev.lossc.types.Shape;
import dev.lossc.check.Affine;
import dev.lossc.check.Derived;
import dev.lossc.check.Symbol;
import dev.lossc.check.Typed;
import dev.lossc.diag.Pos;
import dev.lossc.prim.Attributes;
import dev.lossc.prim.Prim;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Phase 3: the checked program to the normalized IR. Expressions become sequences of
 * {@code out = prim(args)}, derived built-ins become primitives, indexing becomes views, var reads
 * become snapshots, and what does not reach the loss is dropped.
 */
public final class Lowering {
    private int nextId;
    private final Map<Symbol, Value> bound = new IdentityHashMap<>();
    private final Map<Value, Value> varReads = new HashMap<>();
    private final List<Symbol.Loop> loops = new ArrayList<>();
    private List<Stmt> block = new ArrayList<>();
    private final List<Value> vars = new ArrayList<>();
    /** Outputs as lowered: name, value, how many top-level statements precede them, position. */
    private record Pending(String name, Value value, int prefix, Pos pos) {}
    private final List<Pending> outputs = new ArrayList<>();
    /** The rules of each call of a def with its own derivative, by the value of its {@link Prim#CUSTOM} op. */
    private final Map<Value, Custom> customs = new java.util.LinkedHashMap<>();

    private Lowering() {}

    public static IrProgram lower(Typed.Program program) {
        return new Lowering().run(program);
    }

    private IrProgram run(Typed.Program p) {
        List<Value> inputs = new ArrayList<>();
        for (Symbol.Input in : p.inputs()) {
            Value v = in.integer() ? Value.intInput(nextId++, in.name(), in.shape(), in.index(), p.indexLimits().getOrDefault(in, 0))
                    : Value.input(nextId++, in.name(), in.shape(), in.index());
            inputs.add(v);
            bound.put(in, v);
        }
        List<Value> params = new ArrayList<>();
        for (Symbol.Param ps : p.params()) {
            Value v = Value.param(nextId++, ps.name(), ps.shape(), ps.index());
            params.add(v);
            bound.put(ps, v);
        }
        List<Value> states = new ArrayList<>();
        for (Symbol.State ss : p.states()) {
            Value v = Value.state(nextId++, ss.name(), ss.shape(), ss.index());
            states.add(v);
            bound.put(ss, v);
        }
        for (Typed.Stmt s : p.statements()) {
            statement(s);
        }
        Value loss = expr(p.loss());
        if (loss.kind() != Value.Kind.TEMP) {
            loss = op(Prim.COPY, List.of(loss), Shape.SCALAR, p.lossPos());
        }
        loss.nameIfAnonymous("lossValue");
        int[] id = {nextId};
        // A training call computes the loss and updates every state its statements write.
        List<Value> roots = new ArrayList<>(states);
        roots.add(loss);
        List<Stmt> body = prune(Modes.resolve(block, true, id), roots);
        List<IrProgram.Output> outs = new ArrayList<>();
        for (Pending o : outputs) {
            // Only the statements before the output: later assignments to a var it read do not matter.
            List<Stmt> inference = Modes.resolve(block.subList(0, o.prefix()), false, id);
            outs.add(new IrProgram.Output(o.name(), o.value(), prune(inference, List.of(o.value())), o.pos()));
        }
        Map<Value, Custom> resolved = new java.util.LinkedHashMap<>();
        customs.forEach((out, c) -> resolved.put(out, new Custom(c.function(), c.params(), c.args(), c.dy(), Modes.resolve(c.grad(), true, id), c.grads(),
                c.tangents(), Modes.resolve(c.jvp(), true, id), c.jvpValue(), c.pos())));
        return new IrProgram(p.className(), p.dims(), p.params(), inputs, params, vars, body, loss, id[0], outs, p.states(), states, resolved);
    }

    /** What reaches {@code roots}, and what the rules of the custom calls kept read (their arguments and the values they use). */
    private List<Stmt> prune(List<Stmt> body, List<Value> roots) {
        List<Value> all = new ArrayList<>(roots);
        while (true) {
            List<Stmt> kept = Liveness.prune(body, all);
            List<Value> more = new ArrayList<>(roots);
            for (Map.Entry<Value, Custom> e : customs.entrySet()) {
                if (writes(kept, e.getKey())) {
                    more.addAll(e.getValue().args());
                    for (Stmt s : e.getValue().grad()) {
                        more.addAll(Stmt.read(s));
                    }
                    for (Stmt s : e.getValue().jvp()) {
                        more.addAll(Stmt.read(s));
                    }
                }
            }
            if (more.size() == all.size()) {
                return kept;
            }
            all = more;
        }
    }

    private static boolean writes(List<Stmt> body, Value v) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l ? writes(l.body(), v) : Stmt.written(s) == v) {
                return true;
            }
        }
        return false;
    }

    private void statement(Typed.Stmt s) {
        if (s instanceof Typed.Let l) {
            Value v = expr(l.value());
            v.nameIfAnonymous(l.symbol().name());
            bound.put(l.symbol(), v);
        } else if (s instanceof Typed.Output o) {
            Value v = expr(o.value());
            if (v.kind() != Value.Kind.TEMP || !v.logicalShape().equals(o.value().shape())) {
                // An input, a param, a constant, a view (or a tensor's value computed as its storage):
                // the output method copies it into its own storage, of the output's shape.
                v = op(Prim.COPY, List.of(v), o.value().shape(), o.pos());
            }
            v.nameIfAnonymous(o.symbol().name());
            bound.put(o.symbol(), v);
            outputs.add(new Pending(o.symbol().name(), v, block.size(), o.pos()));
        } else if (s instanceof Typed.VarDecl d) {
            Value init = expr(d.value());
            Value var = Value.var(nextId++, d.symbol().name(), d.symbol().shape());
            vars.add(var);
            bound.put(d.symbol(), var);
            block.add(new Stmt.Assign(var, init, d.pos()));
        } else if (s instanceof Typed.Assign a) {
            Value v = expr(a.value());
            Value var = bound.get(a.symbol());
            block.add(new Stmt.Assign(var, v, a.pos()));
            varReads.remove(var);
        } else if (s instanceof Typed.For f) {
            List<Stmt> outer = block;
            block = new ArrayList<>();
            loops.add(f.loop());
            varReads.clear();
            for (Typed.Stmt b : f.body()) {
                statement(b);
            }
            varReads.clear();
            loops.remove(loops.size() - 1);
            Stmt.Loop loop = new Stmt.Loop(f.loop(), block, f.pos());
            block = outer;
            block.add(loop);
        } else {
            throw new IllegalStateException("no lowering for statement " + s.getClass().getSimpleName());
        }
    }

    private Value constant(double v) {
        return Value.constant(nextId++, v);
    }

    private Value op(Prim prim, List<Value> args, Shape shape, Pos pos) {
        return op(prim, args, Attributes.NONE, shape, pos);
    }

    private Value op(Prim prim, List<Value> args, Attributes attributes, Shape shape, Pos pos) {
        Value out = Value.temp(nextId++, null, shape, loops);
        block.add(new Stmt.Op(out, prim, args, attributes, pos));
        return out;
    }

    private Value scaled(Value v, double factor, Pos pos) {
        return factor == 1.0 ? v : op(Prim.MUL, List.of(v, constant(factor)), v.shape(), pos);
    }

    /**
     * {@code v} divided by the number of elements along {@code axes}: a constant factor for fixed
     * sizes, the same factor computed at run time when one of them varies per call.
     */
    private Value averaged(Value v, Pos pos, Shape.Axis... axes) {
        return averaged(v, 1.0, pos, axes);
    }

    /** {@code v * (numerator / count)}: for fixed sizes, the constant a version-1 program gets. */
    private Value averaged(Value v, double numerator, Pos pos, Shape.Axis... axes) {
        int fixed = 1;
        List<String> dims = new ArrayList<>();
        for (Shape.Axis a : axes) {
            if (a.varies()) {
                dims.add(a.dim());
                fixed *= a.factor();
            } else {
                fixed *= a.size();
            }
        }
        if (dims.isEmpty()) {
            return scaled(v, numerator / fixed, pos);
        }
        return op(Prim.MUL, List.of(v, Value.count(nextId++, numerator, fixed, dims)), v.shape(), pos);
    }

    /** The axes of all of a shape's elements. */
    private static Shape.Axis[] all(Shape s) {
        return new Shape.Axis[] {s.rowAxis(), s.colAxis()};
    }

    private Value expr(Typed.Expr e) {
        if (e instanceof Typed.Const c) {
            return constant(c.value());
        } else if (e instanceof Typed.LoopIndex li) {
            return Value.loopIndex(nextId++, li.loop());
        } else if (e instanceof Typed.Ref r) {
            Value v = bound.get(r.symbol());
            if (v.kind() == Value.Kind.VAR) {
                return varReads.computeIfAbsent(v, var -> op(Prim.COPY, List.of(var), var.shape(), r.pos()));
            }
            return v;
        } else if (e instanceof Typed.IntRef r) {
            return intData(r);
        } else if (e instanceof Typed.Index ix) {
            return index(ix);
        } else if (e instanceof Typed.Slice sl) {
            return slice(sl);
        } else if (e instanceof Typed.Block b) {
            for (Typed.Stmt s : b.lets()) {
                statement(s);
            }
            return expr(b.result());
        } else if (e instanceof Typed.Custom c) {
            return custom(c);
        }
        if (e instanceof Typed.Apply a) {
            List<Value> args = new ArrayList<>();
            for (Typed.Expr x : a.args()) {
                args.add(expr(x));
            }
            Shape first = a.args().get(0).shape();
            if (first.isTensor() && LAST_AXIS.contains(a.prim())) {
                return lastAxis(a, args, first);
            }
            if (a.prim() == Prim.CONV && a.attributes().integer(Prim.CONV_ATTRIBUTES.indexOf("groups")) == 1) {
                return im2colConvolution(a, args);
            }
            if (a.prim() == Prim.GATHER && a.args().get(1).shape().rank() >= 2) {
                // A lookup by int data [B, T, ..] (version 3): its ids as one vector, the rows gathered, seen as [B, T, .., n].
                Value flat = allIds(args.get(1), a.args().get(1).shape());
                Shape.Axis all = flat.shape().colAxis();
                Shape rows = first.isVector() ? Shape.vector(all) : Shape.matrix(all, first.colAxis());
                Value y = op(Prim.GATHER, List.of(args.get(0), flat), a.attributes(), rows, a.pos());
                return view(y, Affine.of(0), a.shape());
            }
            return op(a.prim(), args, a.attributes(), a.shape(), a.pos());
        }
        if (e instanceof Typed.Derived d) {
            List<Value> args = new ArrayList<>();
            for (Typed.Expr x : d.args()) {
                args.add(expr(x));
            }
            return derived(d, args);
        }
        throw new IllegalStateException("no lowering for " + e.getClass().getSimpleName());
    }

    /**
     * A call of a def with its own derivative: its body (which reads its parameters through
     * stop_gradient), the call's value as a {@link Prim#CUSTOM} op of the body's, and its rules
     * lowered aside, into the {@link Custom} the AD applies.
     */
    private Value custom(Typed.Custom c) {
        for (Typed.Stmt s : c.lets()) {
            statement(s);
        }
        Value body = expr(c.body());
        Value out = op(Prim.CUSTOM, List.of(body), c.shape(), c.pos());
        out.nameIfAnonymous(c.function());
        bound.put(c.result(), out);
        List<Value> args = new ArrayList<>();
        c.params().forEach(p -> args.add(bound.get(p)));
        List<Stmt> outer = block;
        Map<Value, Value> reads = new HashMap<>(varReads);
        try {
            block = new ArrayList<>();
            Value dy = Value.temp(nextId++, c.dy().name(), c.shape(), loops);
            bound.put(c.dy(), dy);
            List<Value> grads = new ArrayList<>();
            c.grads().forEach(g -> grads.add(expr(g)));
            List<Stmt> grad = block;
            block = new ArrayList<>();
            List<Value> tangents = new ArrayList<>();
            for (Symbol.Let t : c.tangents()) {
                Value v = Value.temp(nextId++, t.name(), t.shape(), loops);
                tangents.add(v);
                bound.put(t, v);
            }
            Value jvp = c.jvp() == null ? null : expr(c.jvp());
            customs.put(out, new Custom(c.function(), c.params().stream().map(Symbol.Let::name).toList(), args, dy, grad, grads, tangents, block, jvp, c.pos()));
        } finally {
            block = outer;
            varReads.clear();
            varReads.putAll(reads);
        }
        return out;
    }

    /** The primitives that read a tensor one position of its leading axes at a time (version 3): along its last axis. */
    private static final java.util.Set<Prim> LAST_AXIS = java.util.Set.of(Prim.SOFTMAX, Prim.LOG_SOFTMAX, Prim.LOGSUMEXP, Prim.MATMUL, Prim.MATVEC);

    /**
     * {@code softmax(X, -1)}, {@code X @ W} and the like of a tensor: the same primitive on the
     * matrix of its last axis ({@code [B, T, K]} seen as {@code [B * T, K]}, a view), its result
     * seen in the call's shape.
     */
    private Value lastAxis(Typed.Apply a, List<Value> args, Shape first) {
        Shape rows = first.lastAxisRows();
        List<Value> viewed = new ArrayList<>(args);
        viewed.set(0, view(args.get(0), Affine.of(0), rows));
        Shape out = switch (a.prim().kernel()) {
            case SOFTMAX, LOG_SOFTMAX -> rows;
            case MATMUL -> Shape.matrix(rows.rowAxis(), args.get(1).shape().colAxis());
            default -> Shape.vector(rows.rowAxis());
        };
        Value y = op(a.prim(), viewed, a.attributes(), out, a.pos());
        return view(y, Affine.of(0), a.shape());
    }

    /**
     * A convolution ({@code groups} 1) as one matrix product on the product plan: the windows of X
     * as rows ({@link Prim#IM2COL}, {@code [N * oh * ow, C * kh * kw]}), times the kernel read as
     * {@code [O, C * kh * kw]} transposed (nn.Linear's layout, {@code matmul_nt}), to
     * {@code [N, oh * ow, O]}, its last two axes swapped into {@code [N, O, oh, ow]}. The reverse
     * mode applies the product's rules and im2col's (dK and the windows' adjoint as products, the
     * windows' adjoint added back into X).
     */
    private Value im2colConvolution(Typed.Apply a, List<Value> args) {
        Attributes g = a.attributes();
        java.util.function.ToIntFunction<String> at = name -> g.integer(Prim.CONV_ATTRIBUTES.indexOf(name));
        Shape.Axis n = args.get(0).shape().rowAxis();
        int positions = at.applyAsInt("oh") * at.applyAsInt("ow");
        int window = at.applyAsInt("c") * at.applyAsInt("kh") * at.applyAsInt("kw");
        int o = at.applyAsInt("o");
        Value columns = op(Prim.IM2COL, List.of(args.get(0)), g, Shape.matrix(n.times(positions), Shape.Axis.of(window)), a.pos());
        Value product = op(Prim.MATMUL_NT, List.of(columns, args.get(1)), Shape.matrix(n.times(positions), Shape.Axis.of(o)), a.pos());
        Shape channelsLast = Shape.of(List.of(n, Shape.Axis.of(positions), Shape.Axis.of(o)));
        Value swapped = op(Prim.PERMUTE, List.of(view(product, Affine.of(0), channelsLast)),
                Attributes.ints(3, n.size(), positions, o, 1, 0, 2, 1, 3), Shape.of(List.of(n, Shape.Axis.of(o), Shape.Axis.of(positions))), a.pos());
        return view(swapped, Affine.of(0), a.shape());
    }

    private Value index(Typed.Index ix) {
        Value base = expr(ix.base());
        Shape s = base.shape();
        Affine offset = Affine.of(0);
        if (ix.base().shape().isTensor()) {
            // Row-major: each index steps over the elements of the axes after it.
            List<Shape.Axis> axes = ix.base().shape().axes();
            for (int k = 0; k < ix.indexes().size(); k++) {
                int stride = 1;
                for (Shape.Axis a : axes.subList(k + 1, axes.size())) {
                    stride *= a.size();
                }
                offset = offset.plus(ix.indexes().get(k).times(stride), 1);
            }
        } else if (s.isMatrix()) {
            offset = offset.plus(ix.indexes().get(0).times(s.cols()), 1);
            if (ix.indexes().size() == 2) {
                offset = offset.plus(ix.indexes().get(1), 1);
            }
        } else {
            offset = ix.indexes().get(0);
        }
        return view(base, offset, ix.shape());
    }

    /**
     * A slice: a view when its elements are one run of the base's storage (and for {@code row},
     * {@code column}); otherwise a {@link Prim#SLICE} that reads the block through a view at its
     * first element, with the base's row length as stride.
     */
    private Value slice(Typed.Slice sl) {
        Value base = expr(sl.base());
        int stride = base.shape().cols();
        Value start = view(base, sl.row().times(stride).plus(sl.col(), 1), sl.shape());
        if (sl.contiguous()) {
            return start;
        }
        return op(Prim.SLICE, List.of(start), Attributes.ints(stride), sl.shape(), sl.pos());
    }

    /** Int data as a gather or {@code cross_entropy} reads it: the input, or a row or column of an int matrix (version 3). */
    private Value intData(Typed.IntRef r) {
        Value data = bound.get(r.input());
        if (r.at() == null || r.shape().isScalar()) {
            return data;
        }
        return r.stride() == 1 ? Value.view(nextId++, data, r.at(), r.shape()) : Value.stridedView(nextId++, data, r.at(), r.shape(), r.stride());
    }

    /** Int data of rank 2 or more ({@code ids}, of shape {@code shape}) read as one vector of every id, {@code [B * T * ..]}: a view. */
    private Value allIds(Value ids, Shape shape) {
        return Value.view(nextId++, ids, Affine.of(0), Shape.vector(shape.rowAxis().times(shape.cols())));
    }

    /** The part of {@code base} at {@code offset} (elements), of shape {@code shape}. */
    private Value view(Value base, Affine offset, Shape shape) {
        if (base.kind() == Value.Kind.VIEW) {
            offset = base.viewOffset().plus(offset, 1);
        }
        return Value.view(nextId++, base.root(), offset, shape);
    }

    /**
     * {@code cross_entropy} with class indices: {@code logsumexp(z) - z[label]}, or for a batch the
     * mean over rows of {@code logsumexp(Z[i]) - Z[i, labels[i]]} (PyTorch's, with indices).
     */
    private Value crossEntropyWithIndices(Value z, Typed.IntRef labels, Pos pos) {
        Value indices = intData(labels);
        if (labels.shape().rank() >= 2) {
            // A sequence loss (version 3): Z[B, T, K] as [B * T, K], its labels [B, T] as one vector [B * T].
            z = view(z, Affine.of(0), z.logicalShape().lastAxisRows());
            indices = allIds(indices, labels.shape());
        }
        Shape s = z.shape();
        if (s.isVector()) {
            Value lse = op(Prim.LOGSUMEXP, List.of(z), Shape.SCALAR, pos);
            Value picked = view(z, Affine.datum(labels.input(), labels.at(), s.cols()), Shape.SCALAR);
            return op(Prim.SUB, List.of(lse, picked), Shape.SCALAR, pos);
        }
        Shape rows = Shape.vector(s.rowAxis());
        Value lse = op(Prim.LOGSUMEXP, List.of(z), rows, pos);
        Value picked = op(Prim.PICK, List.of(z, indices), rows, pos);
        Value d = op(Prim.SUB, List.of(lse, picked), rows, pos);
        return averaged(op(Prim.SUM, List.of(d), Shape.SCALAR, pos), pos, s.rowAxis());
    }

    /**
     * {@code max(x)}, {@code amax(X, axis)} (and, on {@code -x}, the {@code min} forms): the value of
     * the max kernel, which has no adjoint, plus zero carrying the adjoint to the elements equal to
     * it, in equal shares (PyTorch's amax): {@code m + sum(tie_share(x, mask / count))}. The value is
     * the kernel's exactly, infinities included.
     */
    private Value largest(Value x, Derived f, Shape shape, Pos pos, boolean min) {
        Shape s = x.shape();
        if (min) {
            x = op(Prim.NEG, List.of(x), s, pos);
        }
        boolean all = f == Derived.MAX_ALL || f == Derived.MIN_ALL;
        boolean rows = f == Derived.AMAX_AXIS0 || f == Derived.AMIN_AXIS0;
        Prim kernel = all ? Prim.MAX_ALL : Prim.MAX_AXIS;
        Prim sum = all ? Prim.SUM : Prim.SUM_AXIS;
        Attributes axis = all ? Attributes.NONE : Attributes.ints(rows ? 0 : 1);
        Value m = op(kernel, List.of(x), axis, shape, pos);
        // Along axis 1, the row maxima are spread over their rows to compare element by element.
        Value spread = all || rows ? m : op(Prim.EXPAND_COLS, List.of(m), s, pos);
        Value mask = op(Prim.EQ, List.of(x, spread), s, pos);
        Value count = op(sum, List.of(mask), axis, shape, pos);
        Value counts = all || rows ? count : op(Prim.EXPAND_COLS, List.of(count), s, pos);
        Value share = op(Prim.DIV, List.of(mask, counts), s, pos);
        Value zero = op(sum, List.of(op(Prim.TIE_SHARE, List.of(x, share), s, pos)), axis, shape, pos);
        Value y = op(Prim.ADD, List.of(m, zero), shape, pos);
        return min ? op(Prim.NEG, List.of(y), shape, pos) : y;
    }

    /**
     * {@code batch_norm(X[N, C], gamma, beta, mean, var, momentum, eps)}, PyTorch's
     * {@code BatchNorm1d}: in a training call, {@code (X - mu) / sqrt(v + eps) * gamma + beta} with
     * the batch's mean {@code mu} and biased variance {@code v} per channel (the gradient flows
     * through both), and the states updated with {@code mu} and the unbiased variance
     * {@code v * N / (N - 1)}; in an output method, the same formula with the states.
     */
    private Value batchNorm(List<Value> args, double momentum, double eps, Pos pos) {
        Value x = args.get(0);
        Value gamma = args.get(1);
        Value beta = args.get(2);
        Value mean = args.get(3);
        Value var = args.get(4);
        Shape s = x.shape();
        Shape logical = x.logicalShape();
        Shape.Axis n = s.rowAxis();
        // A matrix's channels are its columns (BatchNorm1d); a tensor's its axis 1, each over the
        // batch and every position after it (BatchNorm2d): summed in one reduction, spread back by a broadcast.
        boolean tensor = logical.isTensor();
        Shape c = Shape.vector(tensor ? logical.axis(1) : s.colAxis());
        List<Shape.Axis> perC = new ArrayList<>();
        for (int k = 1; k < logical.rank(); k++) {
            perC.add(k == 1 ? logical.axis(1) : Shape.Axis.of(1));
        }
        Shape channel = tensor ? Shape.of(perC) : c;
        int rest = tensor ? logical.cols() / logical.axis(1).size() : 1;
        java.util.function.Function<Value, Value> perChannel = v -> tensor
                ? op(Prim.REDUCE_TO, List.of(v), Attributes.broadcast(logical, channel), c, pos)
                : op(Prim.SUM_AXIS, List.of(v), Attributes.ints(0), c, pos);
        java.util.function.UnaryOperator<Value> spread = v -> !tensor || v.shape().isScalar() ? v
                : op(Prim.BROADCAST, List.of(v), Attributes.broadcast(logical, channel), logical, pos);
        Shape.Axis[] counted = rest == 1 ? new Shape.Axis[] {n} : new Shape.Axis[] {n, Shape.Axis.of(rest)};
        Value mu = averaged(perChannel.apply(x), pos, counted);
        Value centred = op(Prim.SUB, List.of(x, spread.apply(mu)), s, pos);
        Value squares = op(Prim.POW, List.of(centred), Attributes.reals(2), s, pos);
        Value sums = perChannel.apply(squares);
        Value v = averaged(sums, pos, counted);
        Value training = normalized(centred, v, gamma, beta, eps, spread, pos);
        // The running estimates (training calls only): the unbiased variance, sums / (N - 1).
        Value unbiased = n.varies() ? Value.count(nextId++, 1.0, n.factor() * rest, List.of(n.dim()), 1)
                : constant(1.0 / ((double) n.size() * rest - 1));
        block.add(new Stmt.Op(mean, Prim.RUNNING_UPDATE, List.of(mean, mu, constant(1.0)), Attributes.reals(momentum), pos));
        block.add(new Stmt.Op(var, Prim.RUNNING_UPDATE, List.of(var, sums, unbiased), Attributes.reals(momentum), pos));
        Value inference = normalized(op(Prim.SUB, List.of(x, spread.apply(mean)), s, pos), var, gamma, beta, eps, spread, pos);
        return op(Prim.TRAINING_OR_INFERENCE, List.of(training, inference), logical, pos);
    }

    /** {@code centred / sqrt(variance + eps) * gamma + beta}, the variance per channel (a row broadcast down the batch, or spread over a tensor). */
    private Value normalized(Value centred, Value variance, Value gamma, Value beta, double eps, java.util.function.UnaryOperator<Value> spread,
                             Pos pos) {
        Shape s = centred.shape();
        Shape c = variance.shape();
        Value sd = op(Prim.SQRT, List.of(op(Prim.ADD, List.of(variance, constant(eps)), c, pos)), c, pos);
        Value unit = op(Prim.DIV, List.of(centred, spread.apply(sd)), s, pos);
        // PyTorch's affine=False (gamma 1, beta 0) neither scales nor shifts: no "* 1.0 + 0.0" in the code.
        Value scaled = isConstant(gamma, 1) ? unit : op(Prim.MUL, List.of(unit, spread.apply(gamma)), s, pos);
        return isConstant(beta, 0) ? scaled : op(Prim.ADD, List.of(scaled, spread.apply(beta)), s, pos);
    }

    private static boolean isConstant(Value v, double c) {
        return v.kind() == Value.Kind.CONST && v.constant() == c;
    }

    /** The derived built-ins, rewritten into primitives: they need no derivative rules of their own. */
    private Value derived(Typed.Derived a, List<Value> args) {
        Pos pos = a.pos();
        Shape shape = a.shape();
        Value x = args.get(0);
        return switch (a.function()) {
            // A constant at every element: the scalar broadcast by a copy (nothing flows back into a constant).
            case FULL -> op(Prim.COPY, args, shape, pos);
            // x times a mask the class draws per call (all ones in output methods).
            case DROPOUT -> {
                double p = ((Typed.Const) a.args().get(1)).value();
                Value mask = op(Prim.DROPOUT_MASK, List.of(x), Attributes.reals(p), shape, pos);
                yield op(Prim.MUL, List.of(x, mask), shape, pos);
            }
            case BATCH_NORM -> batchNorm(args, ((Typed.Const) a.args().get(5)).value(), ((Typed.Const) a.args().get(6)).value(), pos);
            case MEAN -> averaged(op(Prim.SUM, args, shape, pos), pos, all(x.shape()));
            case MEAN_AXIS0 -> averaged(op(Prim.SUM_AXIS, args, Attributes.ints(0), shape, pos), pos, x.shape().rowAxis());
            case MEAN_AXIS1 -> averaged(op(Prim.SUM_AXIS, args, Attributes.ints(1), shape, pos), pos, x.shape().colAxis());
            case MSE -> {
                Value d = op(Prim.SUB, args, x.shape(), pos);
                Value sq = op(Prim.POW, List.of(d), Attributes.reals(2), x.shape(), pos);
                yield averaged(op(Prim.SUM, List.of(sq), shape, pos), pos, all(x.shape()));
            }
            case CROSS_ENTROPY -> {
                if (a.args().get(1) instanceof Typed.IntRef labels) {
                    yield crossEntropyWithIndices(x, labels, pos);
                }
                Value logp = op(Prim.LOG_SOFTMAX, List.of(x), x.shape(), pos);
                Value tl = op(Prim.MUL, List.of(args.get(1), logp), x.shape(), pos);
                Value total = op(Prim.SUM, List.of(tl), shape, pos);
                if (x.shape().rowAxis().varies()) {
                    yield averaged(total, -1.0, pos, x.shape().rowAxis());
                }
                yield op(Prim.MUL, List.of(total, constant(-1.0 / x.shape().rows())), shape, pos);
            }
            case BCE_LOGITS -> {
                Value sp = op(Prim.SOFTPLUS, List.of(x), x.shape(), pos);
                Value yz = op(Prim.MUL, List.of(args.get(1), x), x.shape(), pos);
                Value d = op(Prim.SUB, List.of(sp, yz), x.shape(), pos);
                yield averaged(op(Prim.SUM, List.of(d), shape, pos), pos, all(x.shape()));
            }
            case L2 -> op(Prim.SUM, List.of(op(Prim.POW, args, Attributes.reals(2), x.shape(), pos)), shape, pos);
            case L1 -> op(Prim.SUM, List.of(op(Prim.ABS, args, x.shape(), pos)), shape, pos);
            case MAX_ALL, AMAX_AXIS0, AMAX_AXIS1 -> largest(x, a.function(), shape, pos, false);
            case MIN_ALL, AMIN_AXIS0, AMIN_AXIS1 -> largest(x, a.function(), shape, pos, true);
            case NORM -> {
                Value s = op(Prim.SUM, List.of(op(Prim.POW, List.of(x), Attributes.reals(2), x.shape(), pos)), Shape.SCALAR, pos);
                yield op(Prim.NORM_SQRT, List.of(s), Shape.SCALAR, pos);
            }
            case SOFTMAX_AXIS0, LOG_SOFTMAX_AXIS0 -> {
                Shape t = x.shape().transposed();
                Value xt = op(Prim.TRANSPOSE, List.of(x), t, pos);
                Value s = op(a.function() == Derived.SOFTMAX_AXIS0 ? Prim.SOFTMAX : Prim.LOG_SOFTMAX, List.of(xt), t, pos);
                yield op(Prim.TRANSPOSE, List.of(s), x.shape(), pos);
            }
            case LOGSUMEXP_AXIS0 -> {
                Value xt = op(Prim.TRANSPOSE, List.of(x), x.shape().transposed(), pos);
                yield op(Prim.LOGSUMEXP, List.of(xt), shape, pos);
            }
        };
    }
}
