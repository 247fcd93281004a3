package dev.lossc.testing;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Ident;
import dev.lossc.ast.Program;
import dev.lossc.ast.Stmt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent reference evaluator for the tests: interprets the AST directly (it shares no code
 * with the checker, the IR, the reverse-mode transform or the code generator) over a scalar
 * computation graph in the style of micrograd, and gets the gradient by walking that graph
 * backwards. Slow and simple on purpose.
 */
public final class RefEval {
    /** One scalar of the graph: value, adjoint, parents and local derivatives. */
    static final class Node {
        final double v;
        final Node[] parents;
        final double[] local;
        double g;

        Node(double v, Node[] parents, double[] local) {
            this.v = v;
            this.parents = parents;
            this.local = local;
        }
    }

    /**
     * A tensor, row-major: rank 0, 1 or 2, or (version 3) 3 or 4, whose {@code rows} is its first
     * axis, {@code cols} the product of the others and {@code inner} their sizes (null below rank 3).
     */
    record T(int rank, int rows, int cols, Node[] data, int[] inner) {
        T(int rank, int rows, int cols, Node[] data) {
            this(rank, rows, cols, data, null);
        }

        /** A value of these sizes, one per axis. */
        static T of(int[] dims, Node[] data) {
            return switch (dims.length) {
                case 0 -> new T(0, 1, 1, data);
                case 1 -> new T(1, 1, dims[0], data);
                case 2 -> new T(2, dims[0], dims[1], data);
                default -> new T(dims.length, dims[0], data.length / Math.max(1, dims[0]), data,
                        java.util.Arrays.copyOfRange(dims, 1, dims.length));
            };
        }

        /** Its sizes, one per axis. */
        int[] dims() {
            return switch (rank) {
                case 0 -> new int[0];
                case 1 -> new int[] {cols};
                case 2 -> new int[] {rows, cols};
                default -> {
                    int[] d = new int[rank];
                    d[0] = rows;
                    System.arraycopy(inner, 0, d, 1, rank - 1);
                    yield d;
                }
            };
        }

        /** Other elements in this shape. */
        T with(Node[] other) {
            return new T(rank, rows, cols, other, inner);
        }

        int size() {
            return data.length;
        }

        Node at(int i) {
            return data[i];
        }
    }

    /** The loss, its gradient by param, and each output's value (flat) in declaration order. */
    public record Result(double loss, Map<String, double[]> gradient, Map<String, double[]> outputs, Map<String, double[]> states) {
        public Result(double loss, Map<String, double[]> gradient, Map<String, double[]> outputs) {
            this(loss, gradient, outputs, Map.of());
        }
    }

    /** States (version 3) by name: their values, changed in place by a training run's batch norms. */
    private final Map<String, double[]> states = new LinkedHashMap<>();

    private final Map<String, double[]> outputs = new LinkedHashMap<>();

    private final List<Node> tape = new ArrayList<>();
    private final Map<String, Integer> dims = new HashMap<>();
    /** Varying dims whose actual size no input has given yet. */
    private final java.util.Set<String> varying = new java.util.HashSet<>();
    private final Map<String, Double> consts = new HashMap<>();
    private final Map<String, Stmt.Def> defs = new HashMap<>();
    private final Map<String, T> params = new LinkedHashMap<>();
    /** Int inputs (version 2), whether each is a scalar, and the row length of an int matrix (version 3; 0 otherwise). */
    private final Map<String, int[]> intInputs = new HashMap<>();
    private final Map<String, Boolean> intScalars = new HashMap<>();
    private final Map<String, Integer> intCols = new HashMap<>();
    /** The sizes after the first of int data of rank 2 or more (version 3). */
    private final Map<String, int[]> intLater = new HashMap<>();

    /** An index: an int input's value or an element of one ({@code toks[t]}, {@code toks[i, t]}), else a constant expression. */
    private int index(Expr e, Env env) {
        if (e instanceof Expr.Name n && intInputs.containsKey(n.id().name())) {
            return intInputs.get(n.id().name())[0];
        }
        if (e instanceof Expr.Index ix && ix.base() instanceof Expr.Name n && intInputs.containsKey(n.id().name())) {
            int at = (int) constant(ix.indexes().get(0), env);
            if (ix.indexes().size() == 2) {
                at = at * intCols.get(n.id().name()) + (int) constant(ix.indexes().get(1), env);
            }
            return intInputs.get(n.id().name())[at];
        }
        return (int) constant(e, env);
    }

    /** The positions an index selects along an axis of {@code size}: a range's, or one; null: all. */
    private int[] positions(Expr x, int size, Env env) {
        if (x == null || (x instanceof Expr.Range r && r.whole())) {
            return java.util.stream.IntStream.range(0, size).toArray();
        }
        if (x instanceof Expr.Range r) {
            return java.util.stream.IntStream.range((int) constant(r.from(), env), (int) constant(r.to(), env)).toArray();
        }
        return new int[] {index(x, env)};
    }

    /** The ids of an int vector input {@code e} names, or of a row {@code toks[i]} or column {@code toks[.., t]} of an int matrix; else null. */
    private int[] intVector(Expr e, Env env) {
        if (e instanceof Expr.Name n && intInputs.containsKey(n.id().name()) && !intScalars.get(n.id().name())) {
            return intInputs.get(n.id().name());
        }
        if (e instanceof Expr.Index ix && ix.base() instanceof Expr.Name n && intCols.getOrDefault(n.id().name(), 0) > 0) {
            int[] all = intInputs.get(n.id().name());
            int cols = intCols.get(n.id().name());
            int rows = all.length / cols;
            if (ix.indexes().size() == 1) {
                int i = (int) constant(ix.indexes().get(0), env);
                return java.util.Arrays.copyOfRange(all, i * cols, i * cols + cols);
            }
            if (ix.indexes().get(0) instanceof Expr.Range) {
                int t = (int) constant(ix.indexes().get(1), env);
                int[] column = new int[rows];
                for (int i = 0; i < rows; i++) {
                    column[i] = all[i * cols + t];
                }
                return column;
            }
        }
        return null;
    }

    private RefEval() {}

    /** Evaluates the program in {@code source} with the given flat row-major values for every input and param. */
    public static Result evaluate(String source, Map<String, double[]> values) {
        return evaluate(dev.lossc.parser.SourceParser.parse("reference.loss", source, new dev.lossc.diag.Reporter("reference.loss")).orElseThrow(),
                values);
    }

    /** Evaluates {@code program} with the given flat row-major values for every input and param. */
    public static Result evaluate(Program program, Map<String, double[]> values) {
        return evaluate(program, values, 0L);
    }

    /**
     * As {@link #evaluate(String, Map)}, with dropout's masks drawn from {@code seed} (version 3:
     * SplitMix64 from the seed, one draw per element in row-major order, in the order the
     * program's dropouts run, as docs/language.md defines it): the loss and gradient of a
     * training call, and the outputs of an inference run (no masks).
     */
    public static Result evaluate(String source, Map<String, double[]> values, long seed) {
        return evaluate(dev.lossc.parser.SourceParser.parse("reference.loss", source, new dev.lossc.diag.Reporter("reference.loss")).orElseThrow(),
                values, seed);
    }

    private static Result evaluate(Program program, Map<String, double[]> values, long seed) {
        RefEval training = new RefEval();
        training.dropoutState = seed;
        Result r = training.run(program, values);
        if (!training.sawDropout && training.states.isEmpty()) {
            return r;
        }
        // Outputs are an inference run's: no masks, and batch norm reads the states as given.
        RefEval inference = new RefEval();
        inference.inference = true;
        return new Result(r.loss(), r.gradient(), inference.run(program, values).outputs(), training.states);
    }

    /** Dropout (version 3): the generator's state; whether this run is an inference one (no masks); whether a dropout ran. */
    private long dropoutState;
    private boolean inference;
    private boolean sawDropout;

    private double nextUniform() {
        long z = dropoutState += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return ((z ^ (z >>> 31)) >>> 11) * 0x1.0p-53;
    }

    private Result run(Program program, Map<String, double[]> values) {
        Env global = new Env(null);
        Node loss = null;
        for (Stmt s : program.statements()) {
            if (s instanceof Stmt.Loss l) {
                loss = scalar(eval(l.value(), global));
            } else {
                exec(s, global, values);
            }
        }
        loss.g = 1.0;
        for (int i = tape.size() - 1; i >= 0; i--) {
            Node n = tape.get(i);
            if (n.g != 0.0 && n.parents != null) {
                for (int k = 0; k < n.parents.length; k++) {
                    n.parents[k].g += n.g * n.local[k];
                }
            }
        }
        Map<String, double[]> grads = new LinkedHashMap<>();
        params.forEach((name, t) -> {
            double[] g = new double[t.size()];
            for (int i = 0; i < g.length; i++) {
                g[i] = t.at(i).g;
            }
            grads.put(name, g);
        });
        return new Result(loss.v, grads, outputs);
    }

    /** Scopes: names to tensors, plus loop variables as integers. */
    private static final class Env {
        final Env parent;
        final Map<String, T> values = new HashMap<>();
        final Map<String, Integer> ints = new HashMap<>();

        Env(Env parent) {
            this.parent = parent;
        }

        T lookup(String n) {
            for (Env e = this; e != null; e = e.parent) {
                if (e.values.containsKey(n)) {
                    return e.values.get(n);
                }
            }
            return null;
        }

        Integer loopVar(String n) {
            for (Env e = this; e != null; e = e.parent) {
                if (e.ints.containsKey(n)) {
                    return e.ints.get(n);
                }
                if (e.values.containsKey(n)) {
                    return null;
                }
            }
            return null;
        }

        void assign(String n, T v) {
            for (Env e = this; e != null; e = e.parent) {
                if (e.values.containsKey(n)) {
                    e.values.put(n, v);
                    return;
                }
            }
            throw new IllegalStateException("no var " + n);
        }
    }

    private void exec(Stmt s, Env env, Map<String, double[]> values) {
        if (s instanceof Stmt.Dim d) {
            for (Stmt.DimDecl decl : d.decls()) {
                dims.put(decl.name().name(), (int) constant(decl.value(), env));
                if (decl.varying()) {
                    varying.add(decl.name().name());
                }
            }
        } else if (s instanceof Stmt.Const c) {
            consts.put(c.name().name(), constant(c.value(), env));
        } else if (s instanceof Stmt.Input in && !in.shape().isEmpty() && in.shape().get(0) instanceof Expr.Name n
                && varying.contains(n.id().name())) {
            // A dim that varies per call takes its size from the first input it sizes (the checker
            // keeps it off everything before): the values' rows.
            int rest = 1;
            for (Expr size : in.shape().subList(Math.min(1, in.shape().size() - 1), in.shape().size())) {
                rest *= in.shape().size() >= 2 ? (int) constant(size, env) : 1;
            }
            dims.put(n.id().name(), values.get(in.name().name()).length / rest);
            varying.remove(n.id().name());
            exec(s, env, values);
            return;
        } else if (s instanceof Stmt.Input in && in.integer()) {
            double[] v = values.get(in.name().name());
            int[] ints = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                ints[i] = (int) v[i];
            }
            intInputs.put(in.name().name(), ints);
            intScalars.put(in.name().name(), in.shape().isEmpty());
            if (in.shape().size() == 2) {
                intCols.put(in.name().name(), (int) constant(in.shape().get(1), env));
            }
            if (in.shape().size() >= 2) {
                int[] later = new int[in.shape().size() - 1];
                for (int k = 0; k < later.length; k++) {
                    later[k] = (int) constant(in.shape().get(k + 1), env);
                }
                intLater.put(in.name().name(), later);
            }
        } else if (s instanceof Stmt.Input in) {
            env.values.put(in.name().name(), leaf(in.shape(), values.get(in.name().name()), env));
        } else if (s instanceof Stmt.Param p) {
            T t = leaf(p.shape(), values.get(p.name().name()), env);
            params.put(p.name().name(), t);
            env.values.put(p.name().name(), t);
        } else if (s instanceof Stmt.State st) {
            // As given, else its init: zeros (the default) or ones.
            int n = leafSize(st.shape(), env);
            double[] given = values.get(st.name().name());
            double[] v = given != null ? given.clone() : new double[n];
            if (given == null && st.init().isPresent() && st.init().get().kind().name().equals("ones")) {
                java.util.Arrays.fill(v, 1.0);
            }
            states.put(st.name().name(), v);
        } else if (s instanceof Stmt.Let l) {
            env.values.put(l.name().name(), eval(l.value(), env));
        } else if (s instanceof Stmt.Output o) {
            T t = eval(o.value(), env);
            double[] v = new double[t.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.at(i).v;
            }
            outputs.put(o.name().name(), v);
            env.values.put(o.name().name(), t);
        } else if (s instanceof Stmt.Var v) {
            env.values.put(v.name().name(), eval(v.value(), env));
        } else if (s instanceof Stmt.Assign a) {
            env.assign(a.name().name(), eval(a.value(), env));
        } else if (s instanceof Stmt.For f) {
            int from = (int) constant(f.from(), env);
            int to = (int) constant(f.to(), env);
            for (int t = from; t < to; t++) {
                Env body = new Env(env);
                body.ints.put(f.variable().name(), t);
                for (Stmt b : f.body()) {
                    exec(b, body, values);
                }
            }
        } else if (s instanceof Stmt.Def d) {
            defs.put(d.name().name(), d);
            defScopes.put(d, env);
        } else if (s instanceof Stmt.Unpack u) {
            // Version 3: every result of the call first, then the names.
            Expr.Call call = (Expr.Call) u.value();
            Stmt.Def def = defs.get(call.function().name());
            Env scope = new Env(defScopes.get(def));
            for (int i = 0; i < def.params().size(); i++) {
                scope.values.put(def.params().get(i).name(), eval(call.args().get(i), env));
            }
            for (Stmt b : def.body()) {
                exec(b, scope, Map.of());
            }
            List<T> results = new ArrayList<>();
            for (Expr item : ((Expr.Tuple) def.result()).items()) {
                results.add(eval(item, scope));
            }
            for (int i = 0; i < u.names().size(); i++) {
                if (u.declares()) {
                    env.values.put(u.names().get(i).name(), results.get(i));
                } else {
                    env.assign(u.names().get(i).name(), results.get(i));
                }
            }
        }
    }

    private final Map<Stmt.Def, Env> defScopes = new HashMap<>();

    private T leaf(List<Expr> shape, double[] data, Env env) {
        int[] dims = new int[shape.size()];
        int n = 1;
        for (int k = 0; k < dims.length; k++) {
            dims[k] = (int) constant(shape.get(k), env);
            n *= dims[k];
        }
        if (data == null || data.length != n) {
            throw new IllegalArgumentException("bad value length");
        }
        Node[] nodes = new Node[data.length];
        for (int i = 0; i < data.length; i++) {
            nodes[i] = node(data[i], null, null);
        }
        return T.of(dims, nodes);
    }

    private int leafSize(List<Expr> shape, Env env) {
        int n = 1;
        for (Expr e : shape) {
            n *= (int) constant(e, env);
        }
        return n;
    }

    /** The sum (or mean) of a tensor along one axis, which goes away. */
    private T reduceAxis(T x, int axis, boolean mean) {
        int[] d = x.dims();
        int outer = 1;
        int inner = 1;
        for (int k = 0; k < d.length; k++) {
            if (k < axis) {
                outer *= d[k];
            } else if (k > axis) {
                inner *= d[k];
            }
        }
        Node[] out = new Node[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                List<Node> terms = new ArrayList<>();
                for (int a = 0; a < d[axis]; a++) {
                    terms.add(x.at((o * d[axis] + a) * inner + i));
                }
                Node s = sum(terms);
                out[o * inner + i] = mean ? mul(s, c(1.0 / d[axis])) : s;
            }
        }
        int[] kept = new int[d.length - 1];
        for (int k = 0, m = 0; k < d.length; k++) {
            if (k != axis) {
                kept[m++] = d[k];
            }
        }
        return T.of(kept, out);
    }

    /** A size argument of a convolution or pool: one number for both axes, or a pair (h, w); {h, w}, h neutral for a 1-D form. */
    private int[] sizes(Expr e, boolean twoD, int neutral, Env env) {
        if (e instanceof Expr.Tuple t) {
            return new int[] {(int) constant(t.items().get(0), env), (int) constant(t.items().get(1), env)};
        }
        int n = (int) constant(e, env);
        return twoD ? new int[] {n, n} : new int[] {neutral, n};
    }

    /**
     * {@code conv1d/2d} and {@code max/avg_pool1d/2d} by PyTorch's definitions, element by element:
     * cross-correlation with zero padding; a max pool's value is its window's first largest element
     * (the node itself, so the adjoint goes there), an average pool's its window's sum over kh * kw.
     */
    private T convOrPool(Expr.Call call, Env env) {
        String f = call.function().name();
        boolean conv = f.startsWith("conv");
        boolean twoD = f.endsWith("2d");
        T x = eval(call.args().get(0), env);
        T k = conv ? eval(call.args().get(1), env) : null;
        Map<String, Expr> named = new HashMap<>();
        List<String> order = conv ? List.of() : List.of("kernel", "stride", "padding");
        for (int i = conv ? 2 : 1; i < call.args().size(); i++) {
            named.put(order.get(i - 1), call.args().get(i));
        }
        call.named().forEach(n -> named.put(n.name().name(), n.value()));
        int[] d = x.dims();
        int n = d[0];
        int ch = d[1];
        int h = twoD ? d[2] : 1;
        int w = d[d.length - 1];
        int[] kd = conv ? k.dims() : null;
        int[] kernel = conv ? new int[] {twoD ? kd[2] : 1, kd[kd.length - 1]} : sizes(named.get("kernel"), twoD, 1, env);
        int[] stride = named.containsKey("stride") ? sizes(named.get("stride"), twoD, 1, env) : conv ? new int[] {1, 1} : kernel.clone();
        int[] pad = named.containsKey("padding") ? sizes(named.get("padding"), twoD, 0, env) : new int[] {0, 0};
        int[] dil = named.containsKey("dilation") ? sizes(named.get("dilation"), twoD, 1, env) : new int[] {1, 1};
        int groups = named.containsKey("groups") ? (int) constant(named.get("groups"), env) : 1;
        int outCh = conv ? kd[0] : ch;
        int oh = (h + 2 * pad[0] - dil[0] * (kernel[0] - 1) - 1) / stride[0] + 1;
        int ow = (w + 2 * pad[1] - dil[1] * (kernel[1] - 1) - 1) / stride[1] + 1;
        Node[] out = new Node[n * outCh * oh * ow];
        int cg = ch / groups;
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < outCh; o++) {
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        List<Node> xs = new ArrayList<>();
                        List<Node> ks = new ArrayList<>();
                        for (int ci = 0; ci < (conv ? cg : 1); ci++) {
                            int c = conv ? (o / (outCh / groups)) * cg + ci : o;
                            for (int a = 0; a < kernel[0]; a++) {
                                for (int b = 0; b < kernel[1]; b++) {
                                    int iy = y * stride[0] - pad[0] + a * dil[0];
                                    int ix = z * stride[1] - pad[1] + b * dil[1];
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        xs.add(x.at(((s * ch + c) * h + iy) * w + ix));
                                        if (conv) {
                                            ks.add(k.at(((o * cg + ci) * kernel[0] + a) * kernel[1] + b));
                                        }
                                    }
                                }
                            }
                        }
                        Node v;
                        if (conv) {
                            v = xs.isEmpty() ? c(0) : dot(xs, ks);
                        } else if (f.startsWith("max")) {
                            v = xs.get(0);
                            for (Node e : xs) {
                                if (e.v > v.v || Double.isNaN(e.v)) {
                                    v = e;
                                }
                            }
                        } else {
                            v = mul(sum(xs), c(1.0 / (kernel[0] * kernel[1])));
                        }
                        out[((s * outCh + o) * oh + y) * ow + z] = v;
                    }
                }
            }
        }
        return T.of(twoD ? new int[] {n, outCh, oh, ow} : new int[] {n, outCh, ow}, out);
    }

    /**
     * {@code batch_norm(X[N, C], gamma, beta, mean, var, momentum = 0.1, eps = 1e-5)} as PyTorch's
     * BatchNorm1d defines it: a training run normalizes each column by its batch mean and biased
     * variance and moves the states toward the mean and the unbiased variance; an inference run
     * normalizes with the states.
     */
    private T batchNorm(Expr.Call call, Env env) {
        T x = eval(call.args().get(0), env);
        T gamma = eval(call.args().get(1), env);
        T beta = eval(call.args().get(2), env);
        double[] mean = states.get(((Expr.Name) call.args().get(3)).id().name());
        double[] var = states.get(((Expr.Name) call.args().get(4)).id().name());
        double momentum = 0.1;
        double eps = 1e-5;
        List<Expr> positional = call.args();
        if (positional.size() > 5) {
            momentum = constant(positional.get(5), env);
        }
        if (positional.size() > 6) {
            eps = constant(positional.get(6), env);
        }
        for (Expr.NamedArg n : call.named()) {
            if (n.name().name().equals("momentum")) {
                momentum = constant(n.value(), env);
            } else {
                eps = constant(n.value(), env);
            }
        }
        // The elements of channel j: column j of a matrix; of a tensor [N, C, …], every element of
        // its axis-1 index j (BatchNorm2d), in row-major order.
        int channels = x.rank() > 2 ? x.dims()[1] : x.cols();
        int per = x.rank() > 2 ? x.cols() / channels : 1;
        int rows = x.rows() * per;
        Node[] out = new Node[x.size()];
        for (int j = 0; j < channels; j++) {
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < x.rows(); i++) {
                for (int q = 0; q < per; q++) {
                    at.add(x.rank() > 2 ? (i * channels + j) * per + q : i * channels + j);
                }
            }
            Node m;
            Node sd;
            if (inference) {
                m = c(mean[j]);
                sd = unary("sqrt", c(var[j] + eps), 0);
            } else {
                List<Node> column = new ArrayList<>();
                for (int i : at) {
                    column.add(x.at(i));
                }
                m = mul(sum(column), c(1.0 / rows));
                List<Node> squares = new ArrayList<>();
                for (Node e : column) {
                    Node d = sub(e, m);
                    squares.add(mul(d, d));
                }
                Node ss = sum(squares);
                Node v = mul(ss, c(1.0 / rows));
                sd = unary("sqrt", add(v, c(eps)), 0);
                mean[j] = (1 - momentum) * mean[j] + momentum * m.v;
                var[j] = (1 - momentum) * var[j] + momentum * (ss.v / (rows - 1));
            }
            Node g = gamma.size() == 1 ? gamma.at(0) : gamma.at(j);
            Node b = beta.size() == 1 ? beta.at(0) : beta.at(j);
            for (int i : at) {
                out[i] = add(mul(div(sub(x.at(i), m), sd), g), b);
            }
        }
        return x.with(out);
    }

    private double constant(Expr e, Env env) {
        return scalar(eval(e, env)).v;
    }

    private Node node(double v, Node[] parents, double[] local) {
        Node n = new Node(v, parents, local);
        tape.add(n);
        return n;
    }

    private Node c(double v) {
        return node(v, null, null);
    }

    private static Node scalar(T t) {
        if (t.rank() != 0) {
            throw new IllegalStateException("not a scalar");
        }
        return t.at(0);
    }

    private static T sc(Node n) {
        return new T(0, 1, 1, new Node[] {n});
    }

    // ------------------------------------------------------------------ scalar ops

    private Node add(Node a, Node b) {
        return node(a.v + b.v, new Node[] {a, b}, new double[] {1, 1});
    }

    private Node sub(Node a, Node b) {
        return node(a.v - b.v, new Node[] {a, b}, new double[] {1, -1});
    }

    private Node mul(Node a, Node b) {
        return node(a.v * b.v, new Node[] {a, b}, new double[] {b.v, a.v});
    }

    private Node div(Node a, Node b) {
        return node(a.v / b.v, new Node[] {a, b}, new double[] {1 / b.v, -a.v / (b.v * b.v)});
    }

    private Node neg(Node a) {
        return node(-a.v, new Node[] {a}, new double[] {-1});
    }

    private Node unary(String f, Node a, double k) {
        double x = a.v;
        double y;
        double d;
        switch (f) {
            case "sigmoid" -> {
                y = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
                d = y * (1 - y);
            }
            case "tanh" -> {
                y = Math.tanh(x);
                d = 1 - y * y;
            }
            case "relu" -> {
                y = x > 0 ? x : 0;
                d = x > 0 ? 1 : 0;
            }
            case "softplus" -> {
                y = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
                d = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            }
            case "exp" -> {
                y = Math.exp(x);
                d = y;
            }
            case "log" -> {
                y = Math.log(x);
                d = 1 / x;
            }
            case "sin" -> {
                y = Math.sin(x);
                d = Math.cos(x);
            }
            case "stop_gradient" -> {
                y = x;
                d = 0;
            }
            case "cos" -> {
                y = Math.cos(x);
                d = -Math.sin(x);
            }
            case "sqrt" -> {
                y = Math.sqrt(x);
                d = 0.5 / y;
            }
            case "gelu" -> {
                y = Erf.gelu(x);
                d = Erf.geluDerivative(x);
            }
            case "abs" -> {
                y = Math.abs(x);
                d = x > 0 ? 1 : x < 0 ? -1 : 0;
            }
            case "leaky_relu" -> {
                y = x > 0 ? x : k * x;
                d = x > 0 ? 1 : k;
            }
            case "elu" -> {
                y = x > 0 ? x : k * Math.expm1(x);
                d = x > 0 ? 1 : k * Math.exp(x);
            }
            case "pow" -> {
                y = Math.pow(x, k);
                d = k == 0 ? 0 : k * Math.pow(x, k - 1);
            }
            default -> throw new IllegalArgumentException(f);
        }
        return node(y, new Node[] {a}, new double[] {d});
    }

    private Node maxmin(boolean max, Node a, Node b) {
        double y = max ? Math.max(a.v, b.v) : Math.min(a.v, b.v);
        double da;
        if (a.v == b.v) {
            da = 0.5;
        } else {
            da = (max ? a.v > b.v : a.v < b.v) ? 1 : 0;
        }
        return node(y, new Node[] {a, b}, new double[] {da, 1 - da});
    }

    private Node sum(List<Node> xs) {
        double acc = 0;
        for (Node n : xs) {
            acc += n.v;
        }
        double[] ones = new double[xs.size()];
        java.util.Arrays.fill(ones, 1);
        return node(acc, xs.toArray(new Node[0]), ones);
    }

    // ------------------------------------------------------------------ tensors

    private interface Binary {
        Node apply(Node a, Node b);
    }

    /** NumPy's broadcasting, written out: [n] is [1, n]; per axis equal sizes, or a 1 that stretches. */
    private static T broadcastShape(T a, T b) {
        if (a.rank() == 0) {
            return b;
        }
        if (b.rank() == 0) {
            return a;
        }
        int rows = stretch(a.rows(), b.rows());
        int cols = stretch(a.cols(), b.cols());
        int rank = Math.max(a.rank(), b.rank());
        return new T(rank, rows, cols, new Node[rows * cols]);
    }

    private static int stretch(int a, int b) {
        if (a == b || b == 1) {
            return a;
        }
        if (a == 1) {
            return b;
        }
        throw new IllegalStateException("shapes " + a + " and " + b + " do not broadcast");
    }

    private T broadcast(T a, T b, Binary f) {
        if (a.rank() > 2 || b.rank() > 2) {
            return broadcastAny(a, b, f);
        }
        T shape = broadcastShape(a, b);
        Node[] out = new Node[shape.size()];
        for (int i = 0; i < shape.rows(); i++) {
            for (int j = 0; j < shape.cols(); j++) {
                out[i * shape.cols() + j] = f.apply(pick(a, shape, i, j), pick(b, shape, i, j));
            }
        }
        return new T(shape.rank(), shape.rows(), shape.cols(), out);
    }

    /** NumPy's rule over any rank (version 3): axes aligned from the right, a 1 stretches. */
    private T broadcastAny(T a, T b, Binary f) {
        int[] x = a.dims();
        int[] y = b.dims();
        int rank = Math.max(x.length, y.length);
        int[] d = new int[rank];
        for (int k = 0; k < rank; k++) {
            int i = k - (rank - x.length);
            int j = k - (rank - y.length);
            d[k] = i < 0 ? y[j] : j < 0 ? x[i] : stretch(x[i], y[j]);
        }
        int n = 1;
        for (int v : d) {
            n *= v;
        }
        Node[] out = new Node[n];
        int[] at = new int[rank];
        for (int e = 0; e < n; e++) {
            int rest = e;
            for (int k = rank - 1; k >= 0; k--) {
                at[k] = rest % d[k];
                rest /= d[k];
            }
            out[e] = f.apply(a.at(flatAt(x, at)), b.at(flatAt(y, at)));
        }
        return T.of(d, out);
    }

    /** The element of a value of sizes {@code dims} at position {@code at} of a larger shape (right-aligned; a 1 stretches). */
    private static int flatAt(int[] dims, int[] at) {
        int flat = 0;
        for (int k = 0; k < dims.length; k++) {
            int i = at[at.length - dims.length + k];
            flat = flat * dims[k] + (dims[k] == 1 ? 0 : i);
        }
        return flat;
    }

    private static Node pick(T t, T shape, int i, int j) {
        int r = t.rows() == 1 ? 0 : i;
        int c = t.cols() == 1 ? 0 : j;
        return t.at(r * t.cols() + c);
    }

    /** Three shapes broadcast together (where, clamp): by pairs, then element by element. */
    private T broadcast3(T a, T b, T c3, java.util.function.Function<Node[], Node> f) {
        T ab = broadcast(a, b, (x, y) -> x);
        T shape = broadcast(ab, c3, (x, y) -> x);
        Node[] out = new Node[shape.size()];
        for (int i = 0; i < shape.rows(); i++) {
            for (int j = 0; j < shape.cols(); j++) {
                out[i * shape.cols() + j] = f.apply(new Node[] {pick(a, shape, i, j), pick(b, shape, i, j), pick(c3, shape, i, j)});
            }
        }
        return new T(shape.rank(), shape.rows(), shape.cols(), out);
    }

    /** The largest (smallest) of {@code xs}; tied elements share the adjoint equally (PyTorch's amax). */
    private Node extreme(List<Node> xs, boolean max) {
        double m = xs.get(0).v;
        for (Node x : xs) {
            m = max ? Math.max(m, x.v) : Math.min(m, x.v);
        }
        int ties = 0;
        for (Node x : xs) {
            ties += x.v == m ? 1 : 0;
        }
        double[] local = new double[xs.size()];
        for (int i = 0; i < local.length; i++) {
            local[i] = xs.get(i).v == m ? 1.0 / ties : 0.0;
        }
        return node(m, xs.toArray(new Node[0]), local);
    }

    private T transposed(T x) {
        Node[] out = new Node[x.size()];
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < x.cols(); j++) {
                out[j * x.rows() + i] = x.at(i * x.cols() + j);
            }
        }
        return new T(2, x.cols(), x.rows(), out);
    }

    private T map(T x, java.util.function.UnaryOperator<Node> f) {
        Node[] out = new Node[x.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.apply(x.at(i));
        }
        return x.with(out);
    }

    private Node dot(List<Node> a, List<Node> b) {
        List<Node> products = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            products.add(mul(a.get(i), b.get(i)));
        }
        return sum(products);
    }

    private List<Node> row(T m, int i) {
        List<Node> r = new ArrayList<>();
        for (int j = 0; j < m.cols(); j++) {
            r.add(m.at(i * m.cols() + j));
        }
        return r;
    }

    private List<Node> column(T m, int j) {
        List<Node> c = new ArrayList<>();
        for (int i = 0; i < m.rows(); i++) {
            c.add(m.at(i * m.cols() + j));
        }
        return c;
    }

    /** A tensor as the matrix of its last axis ({@code [B, T, K]} as {@code [B * T, K]}); anything else as itself. */
    /** The flat positions of each line along {@code axis} of a value of sizes {@code d}, the lines in row-major order of the other axes. */
    private static List<int[]> lines(int[] d, int axis) {
        int after = 1;
        for (int k = axis + 1; k < d.length; k++) {
            after *= d[k];
        }
        int before = 1;
        for (int k = 0; k < axis; k++) {
            before *= d[k];
        }
        List<int[]> lines = new ArrayList<>();
        for (int b = 0; b < before; b++) {
            for (int a = 0; a < after; a++) {
                int[] line = new int[d[axis]];
                for (int j = 0; j < line.length; j++) {
                    line[j] = (b * d[axis] + j) * after + a;
                }
                lines.add(line);
            }
        }
        return lines;
    }

    private static T lastRows(T x) {
        if (x.rank() <= 2) {
            return x;
        }
        int last = x.dims()[x.rank() - 1];
        return new T(2, x.size() / last, last, x.data());
    }

    /** Axis k of the result is axis perm[k] of x (torch's permute). */
    private static T permuted(T x, int[] perm) {
        int[] d = x.dims();
        int[] t = new int[d.length];
        for (int k = 0; k < d.length; k++) {
            t[k] = d[perm[k]];
        }
        Node[] out = new Node[x.size()];
        int[] at = new int[d.length];
        for (int e = 0; e < out.length; e++) {
            int rest = e;
            for (int k = d.length - 1; k >= 0; k--) {
                at[k] = rest % t[k];
                rest /= t[k];
            }
            int src = 0;
            int[] pos = new int[d.length];
            for (int k = 0; k < d.length; k++) {
                pos[perm[k]] = at[k];
            }
            for (int k = 0; k < d.length; k++) {
                src = src * d[k] + pos[k];
            }
            out[e] = x.at(src);
        }
        return T.of(t, out);
    }

    private T matmul(T a, T b) {
        if (b.rank() > 2 && a.rank() >= 2) {
            // Batches of matrices: [.., m, n] @ [.., n, k], the leading axes broadcast (NumPy's rule),
            // one product per position of the result's leading axes.
            int[] d = a.dims();
            int[] e = b.dims();
            int m = d[d.length - 2];
            int n = d[d.length - 1];
            int k = e[e.length - 1];
            int r = Math.max(d.length, e.length) - 2;
            int[] lead = new int[r];
            for (int q = 0; q < r; q++) {
                int p = q - (r - (d.length - 2));
                int o = q - (r - (e.length - 2));
                lead[q] = Math.max(p >= 0 ? d[p] : 1, o >= 0 ? e[o] : 1);
            }
            int batch = 1;
            for (int l : lead) {
                batch *= l;
            }
            Node[] out = new Node[batch * m * k];
            for (int g = 0; g < batch; g++) {
                // The matrix of each operand at this position: its own index along each leading axis (0 where it has size 1).
                int ga = 0;
                int gb = 0;
                for (int q = 0, rest = g, span = batch; q < r; q++) {
                    span /= lead[q];
                    int at = rest / span;
                    rest %= span;
                    int p = q - (r - (d.length - 2));
                    int o = q - (r - (e.length - 2));
                    if (p >= 0) {
                        ga = ga * d[p] + (d[p] == 1 ? 0 : at);
                    }
                    if (o >= 0) {
                        gb = gb * e[o] + (e[o] == 1 ? 0 : at);
                    }
                }
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < k; j++) {
                        List<Node> xs = new ArrayList<>();
                        List<Node> ys = new ArrayList<>();
                        for (int p = 0; p < n; p++) {
                            xs.add(a.at(ga * m * n + i * n + p));
                            ys.add(b.at(gb * n * k + p * k + j));
                        }
                        out[g * m * k + i * k + j] = dot(xs, ys);
                    }
                }
            }
            int[] shape = java.util.Arrays.copyOf(lead, r + 2);
            shape[r] = m;
            shape[r + 1] = k;
            return T.of(shape, out);
        }
        if (a.rank() > 2) {
            // torch.matmul's broadcast of a batch of matrices times one matrix (or vector).
            int[] d = a.dims();
            T m = matmul(lastRows(a), b);
            int[] out = java.util.Arrays.copyOf(d, b.rank() == 2 ? d.length : d.length - 1);
            if (b.rank() == 2) {
                out[d.length - 1] = b.cols();
            }
            return T.of(out, m.data());
        }
        if (a.rank() == 2 && b.rank() == 1) {
            Node[] out = new Node[a.rows()];
            for (int i = 0; i < a.rows(); i++) {
                out[i] = dot(row(a, i), List.of(b.data()));
            }
            return new T(1, 1, a.rows(), out);
        }
        if (a.rank() == 1 && b.rank() == 2) {
            Node[] out = new Node[b.cols()];
            for (int j = 0; j < b.cols(); j++) {
                out[j] = dot(List.of(a.data()), column(b, j));
            }
            return new T(1, 1, b.cols(), out);
        }
        if (a.rank() == 2 && b.rank() == 2) {
            Node[] out = new Node[a.rows() * b.cols()];
            for (int i = 0; i < a.rows(); i++) {
                for (int j = 0; j < b.cols(); j++) {
                    out[i * b.cols() + j] = dot(row(a, i), column(b, j));
                }
            }
            return new T(2, a.rows(), b.cols(), out);
        }
        return sc(dot(List.of(a.data()), List.of(b.data())));
    }

    private T rowsOf(T x, java.util.function.Function<List<Node>, List<Node>> f) {
        return rowsOf(x, f, true);
    }

    private T rowsOf(T x, java.util.function.Function<List<Node>, List<Node>> f, boolean keepsShape) {
        int rows = x.rank() == 2 ? x.rows() : 1;
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            out.addAll(f.apply(row(x, i)));
        }
        Node[] data = out.toArray(new Node[0]);
        if (keepsShape) {
            return x.with(data);
        }
        return x.rank() == 2 ? new T(1, 1, rows, data) : sc(data[0]);
    }

    /** log(sum(exp(x))) with the maximum taken as a constant shift (its derivative cancels). */
    private Node logsumexp(List<Node> r) {
        double m = Double.NEGATIVE_INFINITY;
        for (Node n : r) {
            m = Math.max(m, n.v);
        }
        if (Double.isInfinite(m)) {
            m = 0;
        }
        Node shift = c(m);
        List<Node> exps = new ArrayList<>();
        for (Node n : r) {
            exps.add(unary("exp", sub(n, shift), 0));
        }
        return add(shift, unary("log", sum(exps), 0));
    }

    private List<Node> logSoftmax(List<Node> r) {
        Node lse = logsumexp(r);
        List<Node> out = new ArrayList<>();
        for (Node n : r) {
            out.add(sub(n, lse));
        }
        return out;
    }

    private List<Node> softmax(List<Node> r) {
        List<Node> out = new ArrayList<>();
        for (Node n : logSoftmax(r)) {
            out.add(unary("exp", n, 0));
        }
        return out;
    }

    private Node sumAll(T x) {
        return sum(List.of(x.data()));
    }

    private Node meanAll(T x) {
        return mul(sumAll(x), c(1.0 / x.size()));
    }

    // ------------------------------------------------------------------ expressions

    private T eval(Expr e, Env env) {
        if (e instanceof Expr.Num n) {
            return sc(c(n.value()));
        } else if (e instanceof Expr.Name n) {
            String name = n.id().name();
            Integer loop = env.loopVar(name);
            if (loop != null) {
                return sc(c(loop));
            }
            T v = env.lookup(name);
            if (v != null) {
                return v;
            }
            if (dims.containsKey(name)) {
                return sc(c(dims.get(name)));
            }
            return sc(c(consts.get(name)));
        } else if (e instanceof Expr.Neg n) {
            return map(eval(n.operand(), env), this::neg);
        } else if (e instanceof Expr.Pow p) {
            double k = constant(p.exponent(), env);
            return map(eval(p.base(), env), x -> unary("pow", x, k));
        } else if (e instanceof Expr.Binary b) {
            T l = eval(b.left(), env);
            T r = eval(b.right(), env);
            return switch (b.op()) {
                case ADD -> broadcast(l, r, this::add);
                case SUB -> broadcast(l, r, this::sub);
                case MUL -> broadcast(l, r, this::mul);
                case DIV -> broadcast(l, r, this::div);
                case MATMUL -> matmul(l, r);
                case LT -> broadcast(l, r, (x, y) -> c(x.v < y.v ? 1 : 0));
                case LE -> broadcast(l, r, (x, y) -> c(x.v <= y.v ? 1 : 0));
                case GT -> broadcast(l, r, (x, y) -> c(x.v > y.v ? 1 : 0));
                case GE -> broadcast(l, r, (x, y) -> c(x.v >= y.v ? 1 : 0));
                case EQ -> broadcast(l, r, (x, y) -> c(x.v == y.v ? 1 : 0));
                case NE -> broadcast(l, r, (x, y) -> c(x.v != y.v ? 1 : 0));
            };
        } else if (e instanceof Expr.Index ix && ix.indexes().stream().anyMatch(x -> x instanceof Expr.Range)) {
            // A slice: the positions each index selects; an axis given a single position is dropped.
            T base = eval(ix.base(), env);
            if (base.rank() > 2) {
                // A tensor's slice (version 3): every combination of the positions selected along each axis, row-major.
                int[] d = base.dims();
                int[][] picked = new int[d.length][];
                List<Integer> kept = new ArrayList<>();
                for (int k = 0; k < d.length; k++) {
                    Expr x = k < ix.indexes().size() ? ix.indexes().get(k) : null;
                    picked[k] = positions(x, d[k], env);
                    if (x == null || x instanceof Expr.Range) {
                        kept.add(picked[k].length);
                    }
                }
                List<Node> out = new ArrayList<>();
                int[] at = new int[d.length];
                while (true) {
                    int flat = 0;
                    for (int k = 0; k < d.length; k++) {
                        flat = flat * d[k] + picked[k][at[k]];
                    }
                    out.add(base.at(flat));
                    int k = d.length - 1;
                    while (k >= 0 && ++at[k] == picked[k].length) {
                        at[k--] = 0;
                    }
                    if (k < 0) {
                        break;
                    }
                }
                return T.of(kept.stream().mapToInt(Integer::intValue).toArray(), out.toArray(Node[]::new));
            }
            int[][] axes = base.rank() == 2 ? new int[][] {positions(null, base.rows(), env), positions(null, base.cols(), env)}
                    : new int[][] {{0}, positions(null, base.cols(), env)};
            boolean[] kept = {base.rank() == 2, true};
            for (int k = 0; k < ix.indexes().size(); k++) {
                int axis = base.rank() == 2 ? k : 1;
                Expr x = ix.indexes().get(k);
                axes[axis] = positions(x, axis == 0 ? base.rows() : base.cols(), env);
                kept[axis] = x instanceof Expr.Range;
            }
            Node[] out = new Node[axes[0].length * axes[1].length];
            int n = 0;
            for (int i : axes[0]) {
                for (int j : axes[1]) {
                    out[n++] = base.at(i * base.cols() + j);
                }
            }
            if (kept[0] && kept[1]) {
                return new T(2, axes[0].length, axes[1].length, out);
            }
            return new T(1, 1, out.length, out);
        } else if (e instanceof Expr.Index ix) {
            T base = eval(ix.base(), env);
            int[] rows = ix.indexes().size() == 1 ? intVector(ix.indexes().get(0), env) : null;
            if (rows != null) {
                // A gather: rows (or elements) by an int vector.
                int w = base.rank() == 2 ? base.cols() : 1;
                Node[] out = new Node[rows.length * w];
                for (int i = 0; i < rows.length; i++) {
                    for (int j = 0; j < w; j++) {
                        out[i * w + j] = base.at(rows[i] * w + j);
                    }
                }
                if (ix.indexes().get(0) instanceof Expr.Name n && intLater.containsKey(n.id().name())) {
                    // By whole int data [B, T, ..] (version 3): its shape, then a row of the base.
                    int[] later = intLater.get(n.id().name());
                    int per = 1;
                    for (int l : later) {
                        per *= l;
                    }
                    int[] dims = new int[later.length + (base.rank() == 2 ? 2 : 1)];
                    dims[0] = rows.length / per;
                    System.arraycopy(later, 0, dims, 1, later.length);
                    if (base.rank() == 2) {
                        dims[dims.length - 1] = w;
                    }
                    return T.of(dims, out);
                }
                return base.rank() == 2 ? new T(2, rows.length, w, out) : new T(1, 1, rows.length, out);
            }
            int[] idx = new int[ix.indexes().size()];
            for (int k = 0; k < idx.length; k++) {
                idx[k] = index(ix.indexes().get(k), env);
            }
            if (base.rank() > 2) {
                // Indexes remove axes from the left: the block of the remaining ones.
                int[] d = base.dims();
                int start = 0;
                int block = base.size();
                for (int k = 0; k < idx.length; k++) {
                    block /= d[k];
                    start += idx[k] * block;
                }
                return T.of(java.util.Arrays.copyOfRange(d, idx.length, d.length), java.util.Arrays.copyOfRange(base.data(), start, start + block));
            }
            if (base.rank() == 1) {
                return sc(base.at(idx[0]));
            }
            if (idx.length == 2) {
                return sc(base.at(idx[0] * base.cols() + idx[1]));
            }
            return new T(1, 1, base.cols(), row(base, idx[0]).toArray(new Node[0]));
        }
        return call((Expr.Call) e, env);
    }

    private T call(Expr.Call call, Env env) {
        String f = call.function().name();
        Expr second = call.args().size() == 2 ? call.args().get(1) : null;
        Expr labelsName = second instanceof Expr.Index ix ? ix.base() : second;
        if (f.equals("cross_entropy") && labelsName instanceof Expr.Name n && intInputs.containsKey(n.id().name())) {
            // Class indices: -log_softmax(z)[label], averaged over rows.
            T z = eval(call.args().get(0), env);
            int[] vector = intVector(second, env);
            int[] labels = vector != null ? vector : new int[] {index(second, env)};
            T logp = rowsOf(lastRows(z), this::logSoftmax);
            int w = lastRows(z).cols();
            List<Node> picked = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                picked.add(logp.at(i * w + labels[i]));
            }
            return sc(mul(sum(picked), c(-1.0 / labels.length)));
        }
        if (f.equals("batch_norm") && !defs.containsKey(f)) {
            return batchNorm(call, env);
        }
        if (f.matches("conv[12]d|(max|avg)_pool[12]d") && !defs.containsKey(f)) {
            return convOrPool(call, env);
        }
        List<T> args = new ArrayList<>();
        for (Expr a : call.args()) {
            args.add(eval(a, env));
        }
        // Named arguments (version 3) are constant attributes: alpha second, an axis last.
        for (Expr.NamedArg n : call.named()) {
            int at = n.name().name().equals("axis") && f.equals("concat") ? 2 : 1;
            while (args.size() < at) {
                args.add(null);
            }
            args.add(at, eval(n.value(), env));
        }
        Stmt.Def def = defs.get(f);
        if (def != null) {
            Env scope = new Env(defScopes.get(def));
            for (int i = 0; i < def.params().size(); i++) {
                scope.values.put(def.params().get(i).name(), args.get(i));
            }
            for (Stmt s : def.body()) {
                exec(s, scope, Map.of());
            }
            return eval(def.result(), scope);
        }
        T x = args.get(0);
        // Version 3: an axis counted from the end (-1 the last), for the functions that take one.
        int axisAt = f.equals("concat") ? 2 : 1;
        if (java.util.Set.of("sum", "mean", "amax", "amin", "cumsum", "softmax", "log_softmax", "logsumexp", "concat").contains(f)
                && args.size() > axisAt && args.get(axisAt) != null && scalar(args.get(axisAt)).v < 0) {
            args.set(axisAt, sc(c(scalar(args.get(axisAt)).v + Math.max(1, x.rank()))));
        }
        if (x != null && x.rank() > 2 && (f.equals("sum") || f.equals("mean")) && args.size() == 2) {
            return reduceAxis(x, (int) scalar(args.get(1)).v, f.equals("mean"));
        }
        if (x != null && x.rank() > 2 && java.util.Set.of("softmax", "log_softmax", "logsumexp", "amax", "amin", "cumsum").contains(f) && (args.size() == 2 || !f.startsWith("am"))) {
            // Along an axis of a tensor (the last when none is given): each line along it on its own.
            int axis = args.size() == 2 ? (int) scalar(args.get(1)).v : x.rank() - 1;
            List<int[]> lines = lines(x.dims(), axis);
            boolean reduces = !f.equals("softmax") && !f.equals("log_softmax") && !f.equals("cumsum");
            Node[] out = new Node[reduces ? lines.size() : x.size()];
            for (int l = 0; l < lines.size(); l++) {
                List<Node> line = new ArrayList<>();
                for (int at : lines.get(l)) {
                    line.add(x.at(at));
                }
                switch (f) {
                    case "logsumexp" -> out[l] = logsumexp(line);
                    case "amax", "amin" -> out[l] = extreme(line, f.equals("amax"));
                    default -> {
                        List<Node> y = new ArrayList<>();
                        for (int j = 0; j < line.size(); j++) {
                            y.add(f.equals("cumsum") ? sum(line.subList(0, j + 1)) : null);
                        }
                        if (!f.equals("cumsum")) {
                            y = f.equals("softmax") ? softmax(line) : logSoftmax(line);
                        }
                        for (int j = 0; j < y.size(); j++) {
                            out[lines.get(l)[j]] = y.get(j);
                        }
                    }
                }
            }
            if (!reduces) {
                return x.with(out);
            }
            int[] d = x.dims();
            int[] kept = new int[d.length - 1];
            for (int k = 0, j = 0; k < d.length; k++) {
                if (k != axis) {
                    kept[j++] = d[k];
                }
            }
            return T.of(kept, out);
        }
        if (x != null && x.rank() > 2 && f.equals("concat")) {
            // Two tensors joined along an axis: each element of the result from the one its position falls in.
            T y = args.get(1);
            int axis = (int) scalar(args.get(2)).v;
            int[] dx = x.dims();
            int[] d = x.dims();
            d[axis] += y.dims()[axis];
            Node[] out = new Node[x.size() + y.size()];
            int[] at = new int[d.length];
            for (int flat = 0; flat < out.length; flat++) {
                for (int k = d.length - 1, r = flat; k >= 0; k--) {
                    at[k] = r % d[k];
                    r /= d[k];
                }
                boolean first = at[axis] < dx[axis];
                int[] dims = first ? dx : y.dims();
                int src = 0;
                for (int k = 0; k < d.length; k++) {
                    src = src * dims[k] + (k == axis && !first ? at[k] - dx[axis] : at[k]);
                }
                out[flat] = (first ? x : y).at(src);
            }
            return T.of(d, out);
        }
        switch (f) {
            case "flatten" -> {
                return x.rank() > 2 ? new T(2, x.rows(), x.cols(), x.data()) : x;
            }
            case "reshape" -> {
                // Version 3: the same elements, row-major, in another shape; one size may be -1.
                int[] sizes = new int[args.size() - 1];
                int known = 1;
                for (int k = 0; k < sizes.length; k++) {
                    sizes[k] = (int) scalar(args.get(k + 1)).v;
                    known *= sizes[k] < 0 ? 1 : sizes[k];
                }
                for (int k = 0; k < sizes.length; k++) {
                    sizes[k] = sizes[k] < 0 ? x.size() / known : sizes[k];
                }
                return T.of(sizes, x.data());
            }
            case "unsqueeze" -> {
                int axis = (int) scalar(args.get(1)).v;
                if (x.rank() == 0) {
                    return new T(1, 1, 1, x.data());
                }
                List<Integer> d = new ArrayList<>();
                for (int v : x.dims()) {
                    d.add(v);
                }
                d.add(axis < 0 ? axis + x.rank() + 1 : axis, 1);
                return T.of(d.stream().mapToInt(Integer::intValue).toArray(), x.data());
            }
            case "squeeze" -> {
                if (x.rank() == 1) {
                    return sc(x.at(0));
                }
                int axis = (int) scalar(args.get(1)).v;
                List<Integer> d = new ArrayList<>();
                for (int v : x.dims()) {
                    d.add(v);
                }
                d.remove(axis < 0 ? axis + x.rank() : axis);
                return T.of(d.stream().mapToInt(Integer::intValue).toArray(), x.data());
            }
            case "permute" -> {
                if (x.rank() > 2) {
                    int[] perm = new int[x.rank()];
                    for (int k = 0; k < perm.length; k++) {
                        int a = (int) scalar(args.get(k + 1)).v;
                        perm[k] = a < 0 ? a + x.rank() : a;
                    }
                    return permuted(x, perm);
                }
                boolean swap = x.rank() == 2 && scalar(args.get(1)).v % 2 != 0;
                return swap ? transposed(x) : x;
            }
            case "dropout" -> {
                sawDropout = true;
                double p = args.size() > 1 ? args.get(1).at(0).v : 0.5;
                if (inference || p == 0) {
                    return x;
                }
                Node[] out = new Node[x.size()];
                for (int i = 0; i < out.length; i++) {
                    double m = p == 1 ? 0 : nextUniform() < p ? 0 : 1 / (1 - p);
                    out[i] = mul(x.at(i), c(m));
                }
                return x.with(out);
            }
            case "zeros", "ones", "full" -> {
                // Version 3: a constant tensor; sizes are dims or literals (a varying dim's actual size).
                int first = f.equals("full") ? 1 : 0;
                double value = f.equals("full") ? x.at(0).v : f.equals("ones") ? 1 : 0;
                int rows = (int) args.get(first).at(0).v;
                int cols = args.size() > first + 1 ? (int) args.get(first + 1).at(0).v : 1;
                Node[] out = new Node[rows * cols];
                for (int i = 0; i < out.length; i++) {
                    out[i] = c(value);
                }
                return args.size() > first + 1 ? new T(2, rows, cols, out) : new T(1, 1, rows, out);
            }
            case "row" -> {
                return new T(2, 1, x.cols(), x.data());
            }
            case "column" -> {
                return new T(2, x.cols(), 1, x.data());
            }
            case "concat" -> {
                T y = args.get(1);
                boolean columns = args.size() == 3 && scalar(args.get(2)).v == 1;
                if (!columns) {
                    Node[] out = java.util.Arrays.copyOf(x.data(), x.size() + y.size());
                    System.arraycopy(y.data(), 0, out, x.size(), y.size());
                    return x.rank() == 1 ? new T(1, 1, out.length, out) : new T(2, x.rows() + y.rows(), x.cols(), out);
                }
                Node[] out = new Node[x.size() + y.size()];
                int w = x.cols() + y.cols();
                for (int i = 0; i < x.rows(); i++) {
                    for (int j = 0; j < w; j++) {
                        out[i * w + j] = j < x.cols() ? x.at(i * x.cols() + j) : y.at(i * y.cols() + j - x.cols());
                    }
                }
                return new T(2, x.rows(), w, out);
            }
            case "sigmoid", "tanh", "relu", "softplus", "exp", "log", "sqrt", "abs", "gelu", "sin", "cos", "stop_gradient" -> {
                return map(x, n -> unary(f, n, 0));
            }
            case "leaky_relu" -> {
                double k = args.size() > 1 ? scalar(args.get(1)).v : 0.01;
                return map(x, n -> unary(f, n, k));
            }
            case "elu" -> {
                double k = args.size() > 1 ? scalar(args.get(1)).v : 1.0;
                return map(x, n -> unary(f, n, k));
            }
            case "cumsum" -> {
                // Running sums along the axis: each element a sum node of the ones before it.
                int axis = (int) scalar(args.get(1)).v;
                Node[] out = new Node[x.size()];
                if (x.rank() == 1 || axis == 1) {
                    for (int i = 0; i < x.rows(); i++) {
                        List<Node> line = row(x, i);
                        for (int j = 0; j < line.size(); j++) {
                            out[i * x.cols() + j] = sum(line.subList(0, j + 1));
                        }
                    }
                } else {
                    for (int j = 0; j < x.cols(); j++) {
                        List<Node> line = column(x, j);
                        for (int i = 0; i < line.size(); i++) {
                            out[i * x.cols() + j] = sum(line.subList(0, i + 1));
                        }
                    }
                }
                return x.with(out);
            }
            case "max", "min" -> {
                if (args.size() == 1) {
                    return sc(extreme(List.of(x.data()), f.equals("max")));
                }
                return broadcast(x, args.get(1), (a, b) -> maxmin(f.equals("max"), a, b));
            }
            case "amax", "amin" -> {
                boolean max = f.equals("amax");
                if (args.size() == 1) {
                    return sc(extreme(List.of(x.data()), max));
                }
                int axis = (int) scalar(args.get(1)).v;
                int n = axis == 0 ? x.cols() : x.rows();
                Node[] out = new Node[n];
                for (int k = 0; k < n; k++) {
                    out[k] = extreme(axis == 0 ? column(x, k) : row(x, k), max);
                }
                return new T(1, 1, n, out);
            }
            case "where" -> {
                return broadcast3(x, args.get(1), args.get(2), v -> v[0].v != 0 ? v[1] : v[2]);
            }
            case "clamp" -> {
                // min(max(x, lo), hi); at a bound the adjoint passes to x (PyTorch's clamp).
                return broadcast3(x, args.get(1), args.get(2), v -> {
                    double lo = v[1].v;
                    double hi = v[2].v;
                    double y = Math.min(Math.max(v[0].v, lo), hi);
                    double dx = v[0].v >= lo && v[0].v <= hi ? 1 : 0;
                    double dlo = v[0].v < lo && lo <= hi ? 1 : 0;
                    double dhi = Math.max(v[0].v, lo) > hi ? 1 : 0;
                    return node(y, new Node[] {v[0], v[1], v[2]}, new double[] {dx, dlo, dhi});
                });
            }
            case "norm" -> {
                Node s = sumAll(map(x, n -> unary("pow", n, 2)));
                double y = Math.sqrt(s.v);
                return sc(node(y, new Node[] {s}, new double[] {y == 0 ? 0 : 0.5 / y}));
            }
            case "dot" -> {
                return sc(dot(List.of(x.data()), List.of(args.get(1).data())));
            }
            case "outer" -> {
                T b = args.get(1);
                Node[] out = new Node[x.size() * b.size()];
                for (int i = 0; i < x.size(); i++) {
                    for (int j = 0; j < b.size(); j++) {
                        out[i * b.size() + j] = mul(x.at(i), b.at(j));
                    }
                }
                return new T(2, x.size(), b.size(), out);
            }
            case "transpose" -> {
                if (x.rank() > 2 && args.size() == 3) {
                    int[] perm = new int[x.rank()];
                    for (int k = 0; k < perm.length; k++) {
                        perm[k] = k;
                    }
                    int a = (int) scalar(args.get(1)).v;
                    int b = (int) scalar(args.get(2)).v;
                    a = a < 0 ? a + x.rank() : a;
                    b = b < 0 ? b + x.rank() : b;
                    perm[a] = b;
                    perm[b] = a;
                    return permuted(x, perm);
                }
                // transpose(X, a, b) (version 3): the same axis twice is X itself.
                boolean same = args.size() == 3 && (x.rank() < 2 || ((int) scalar(args.get(1)).v + 2) % 2 == ((int) scalar(args.get(2)).v + 2) % 2);
                return same ? x : transposed(x);
            }
            case "sum", "mean" -> {
                boolean mean = f.equals("mean");
                if (args.size() == 1) {
                    return sc(mean ? meanAll(x) : sumAll(x));
                }
                int axis = (int) scalar(args.get(1)).v;
                int n = axis == 0 ? x.cols() : x.rows();
                Node[] out = new Node[n];
                for (int k = 0; k < n; k++) {
                    Node s = sum(axis == 0 ? column(x, k) : row(x, k));
                    out[k] = mean ? mul(s, c(1.0 / (axis == 0 ? x.rows() : x.cols()))) : s;
                }
                return new T(1, 1, n, out);
            }
            case "softmax" -> {
                boolean columns = args.size() == 2 && scalar(args.get(1)).v == 0;
                return columns ? transposed(rowsOf(transposed(x), this::softmax)) : rowsOf(x, this::softmax);
            }
            case "log_softmax" -> {
                boolean columns = args.size() == 2 && scalar(args.get(1)).v == 0;
                return columns ? transposed(rowsOf(transposed(x), this::logSoftmax)) : rowsOf(x, this::logSoftmax);
            }
            case "logsumexp" -> {
                boolean columns = args.size() == 2 && scalar(args.get(1)).v == 0;
                return rowsOf(columns ? transposed(x) : x, r -> List.of(logsumexp(r)), false);
            }
            case "mse" -> {
                T d = broadcast(x, args.get(1), this::sub);
                return sc(meanAll(map(d, n -> unary("pow", n, 2))));
            }
            case "cross_entropy" -> {
                T logp = rowsOf(x, this::logSoftmax);
                T tl = broadcast(args.get(1), logp, this::mul);
                int rows = x.rank() == 2 ? x.rows() : 1;
                return sc(mul(sumAll(tl), c(-1.0 / rows)));
            }
            case "bce_logits" -> {
                T sp = map(x, n -> unary("softplus", n, 0));
                T d = broadcast(sp, broadcast(args.get(1), x, this::mul), this::sub);
                return sc(meanAll(d));
            }
            case "l2" -> {
                return sc(sumAll(map(x, n -> unary("pow", n, 2))));
            }
            case "l1" -> {
                return sc(sumAll(map(x, n -> unary("abs", n, 0))));
            }
            default -> throw new IllegalArgumentException("unknown function " + f);
        }
    }

    static String name(Ident id) {
        return id.name();
    }
}
