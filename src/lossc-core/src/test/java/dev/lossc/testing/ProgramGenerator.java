package dev.lossc.testing;

import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates random well-typed .loss programs from a seed: dims, consts, inputs, params (with
 * initializers), defs of both forms, lets, vars, nested loops with assignments and indexing by
 * loop variables, every built-in and operator, and broadcasting. Arguments of log, sqrt, division
 * and negative powers are kept positive, so programs are finite for values in [-1, 1].
 */
public final class ProgramGenerator {
    private record Named(String name, Shape shape) {}

    private record Dim(String name, int value) {}

    private final SplittableRandom rnd;
    private final StringBuilder out = new StringBuilder();
    private final List<Dim> dims = new ArrayList<>();
    private final List<List<Named>> scopes = new ArrayList<>();
    private final List<String> loopVars = new ArrayList<>();
    private final List<String> unaryDefs = new ArrayList<>();
    private final List<String> binaryDefs = new ArrayList<>();
    /** Defs of two arguments that return two results (version 3), unpacked by {@code let (a, b) = …}. */
    private final List<String> tupleDefs = new ArrayList<>();
    private Dim steps;
    private String sequence;
    /** Int inputs (version 2): a scalar id and a vector of T ids, or null when not declared. */
    private String intScalar;
    private String intVector;
    private int next;
    private int budget;

    private ProgramGenerator(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    public static String generate(long seed, String className) {
        ProgramGenerator g = new ProgramGenerator(seed);
        // One program in four is a batch model whose batch size varies per call (version 2), one in
        // eight a model of tensors (version 3), the rest models of scalars, vectors and matrices.
        int kind = g.rnd.nextInt(8);
        return kind == 0 ? g.tensorProgram(className) : kind < 3 ? g.batchProgram(className) : g.program(className);
    }

    // ---------------------------------------------------------------- tensors (rank 3 and 4)

    private int between(int lo, int hi) {
        return lo + rnd.nextInt(hi - lo + 1);
    }

    /** One size of a convolution or pool: a number, or sometimes a pair for a 2-D form. */
    private static String size(int h, int w, boolean pair) {
        return pair && h != w ? "(" + h + ", " + w + ")" : Integer.toString(w);
    }

    /**
     * A model of images {@code [B, C, H, W]} and sequences {@code [B, T, D]} whose batch varies per
     * call: a convolution with random stride, padding, dilation and groups, a bias by broadcasting
     * or a batch norm over its channels, a max or average pool, flatten and reshape, a conv1d over the
     * sequences, a linear layer at every position ({@code S @ transpose(W)}), the softmax family
     * along the last axis, sums and means along an axis, and the sequence cross-entropy over int
     * labels {@code [B, T]}.
     */
    private String tensorProgram(String className) {
        int c = between(1, 2);
        int groups = c == 2 && rnd.nextBoolean() ? 2 : 1;
        int o = groups * between(1, 2);
        int h = between(4, 7);
        int w = between(4, 7);
        int kh = between(1, 3);
        int kw = between(1, 3);
        int sh = between(1, 2);
        int sw = between(1, 2);
        int ph = rnd.nextInt(2);
        int pw = rnd.nextInt(2);
        int dh = h >= 6 ? between(1, 2) : 1;
        int dw = w >= 6 ? between(1, 2) : 1;
        int oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        int ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        int t = between(2, 4);
        int d = between(2, 4);
        int v = between(2, 4);
        StringBuilder b = new StringBuilder("// generated tensor program\nmodel ").append(className).append(";\n");
        b.append("dim B <= ").append(between(2, 4)).append(";\n");
        b.append("input X[B, ").append(c).append(", ").append(h).append(", ").append(w).append("];\n");
        b.append("input S[B, ").append(t).append(", ").append(d).append("];\n");
        b.append("input toks[B, ").append(t).append("]: int;\n");
        b.append("param K[").append(o).append(", ").append(c / groups).append(", ").append(kh).append(", ").append(kw).append("];\n");
        b.append("param kb[").append(o).append("];\nparam Wd[").append(v).append(", ").append(d).append("];\nparam bd[").append(v)
                .append("];\nparam u[").append(v).append("];\n");
        boolean pairs = rnd.nextBoolean();
        String conv = "conv2d(X, K" + (sh > 1 || sw > 1 ? ", stride = " + size(sh, sw, true) : "")
                + (ph > 0 || pw > 0 ? ", padding = " + size(ph, pw, true) : "")
                + (dh > 1 || dw > 1 ? ", dilation = " + size(dh, dw, true) : "")
                + (groups > 1 ? ", groups = " + groups : "") + ")";
        if (rnd.nextInt(3) == 0) {
            b.append("param g[").append(o).append("];\nstate m[").append(o).append("];\nstate s[").append(o).append("] init ones;\n");
            b.append("let a = ").append(act("batch_norm(" + conv + ", g, kb, m, s)")).append(";\n");
        } else {
            b.append("let a = ").append(act(conv + " + reshape(kb, " + o + ", 1, 1)")).append(";\n");
        }
        // A pool whose window fits: kernel up to the map's size, padding at most half the kernel.
        int qh = between(1, Math.min(2, oh));
        int qw = between(1, Math.min(3, ow));
        String pool = (rnd.nextBoolean() ? "max_pool2d" : "avg_pool2d") + "(a, " + size(qh, qw, pairs)
                + (rnd.nextBoolean() ? ", stride = 1" : "") + (qh > 1 && qw > 1 && rnd.nextBoolean() ? ", padding = 1" : "") + ")";
        if (!pairs && qh != qw) {
            pool = (rnd.nextBoolean() ? "max_pool2d" : "avg_pool2d") + "(a, kernel = (" + qh + ", " + qw + "))";
        }
        b.append("let p = ").append(pool).append(";\n");
        b.append("let z = S @ transpose(Wd) + bd;\n");
        List<String> terms = new ArrayList<>();
        if (rnd.nextBoolean()) {
            terms.add("cross_entropy(z, toks)");
        }
        if (rnd.nextBoolean()) {
            // Axes moved (permute, transpose of two axes) and batched products of tensors.
            terms.add(rnd.nextBoolean() ? "0.1 * mean(z @ transpose(z, 1, 2))" : "mean(permute(a, 0, 2, 3, 1) @ permute(a, 0, 2, 1, 3))");
        }
        if (rnd.nextBoolean()) {
            // A lookup by a whole int matrix: [B, T] ids to [B, T, 3] rows.
            b.append("param Emb[").append(v).append(", 3];\n");
            terms.add(rnd.nextBoolean() ? "mean(tanh(Emb[toks]))" : "0.1 * sum(Emb[toks] @ transpose(Emb))");
        }
        String[] losses = {"mean(flatten(p) ^ 2)", "cross_entropy(z, toks)", "0.1 * sum(softmax(z, -1) * z)", "mean(logsumexp(z))",
            "mean(sum(a, 1))", "mean(mean(p, -1) ^ 2)", "0.1 * sum(squeeze(unsqueeze(z, 1), 1) ^ 2)", "mean(z @ u)",
            "mean(log_softmax(z) * softmax(z, 2))", "0.01 * l2(K)", "mean(reshape(a, B, -1) ^ 2)", "mean(abs(z - mean(z)))"};
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            terms.add(losses[rnd.nextInt(losses.length)]);
        }
        if (rnd.nextBoolean()) {
            // Slices of any axis of a tensor: copied out (strided) or a view (one run of storage).
            String[] slices = {"mean(X[.., 0..1, 1.." + (h - 1) + ", ..] ^ 2)", "mean(tanh(a[.., 0, .., 0..1]))", "0.1 * sum(S[.., 1.." + t + "] * z[.., 1.." + t + ", 0..1])"};
            terms.add(slices[rnd.nextInt(slices.length)]);
        }
        if (rnd.nextBoolean()) {
            // Functions along an axis other than the last; concat along any axis; products that broadcast their batches.
            String[] along = {"0.1 * sum(softmax(z, 1) * z)", "mean(log_softmax(z, 1))", "mean(logsumexp(z, 1))", "mean(amax(z, 1))", "mean(amin(a, 2))",
                "0.1 * mean(cumsum(z, 1) ^ 2)", "mean(cumsum(a, 3))"};
            terms.add(along[rnd.nextInt(along.length)]);
        }
        if (rnd.nextBoolean()) {
            terms.add(rnd.nextBoolean() ? "mean(concat(z, z * z, 1))" : "mean(concat(S, z, 2) ^ 2)");
        }
        if (rnd.nextBoolean()) {
            if (rnd.nextBoolean()) {
                terms.add("0.1 * sum(Wd @ transpose(S, 1, 2))");
            } else {
                b.append("param P[1, ").append(d).append(", 2];\n");
                terms.add("mean(S @ P)");
            }
        }
        if (rnd.nextInt(3) == 0) {
            // Int data of rank 3: a lookup of rows by every id, [B, T, 2] to [B, T, 2, 2].
            b.append("input ids[B, ").append(t).append(", 2]: int;\nparam Emb3[").append(v).append(", 2];\n");
            terms.add("mean(tanh(Emb3[ids]) * Emb3[ids])");
        }
        if (rnd.nextBoolean()) {
            // A conv1d over the sequences (channels T, length D) and a 1-D pool.
            int k1 = between(1, d);
            b.append("param K1[2, ").append(t).append(", ").append(k1).append("];\n");
            b.append("let q = conv1d(S, K1").append(k1 > 1 && rnd.nextBoolean() ? ", padding = 1" : "").append(");\n");
            terms.add(rnd.nextBoolean() ? "mean(max_pool1d(q, 1) ^ 2)" : "mean(tanh(avg_pool1d(q, 1)))");
        }
        String[] outputs = {"softmax(z, -1)", "p", "flatten(p)", "mean(a, 1)", "logsumexp(z, -1)"};
        for (int i = rnd.nextInt(3); i > 0; i--) {
            b.append("output o").append(i).append(" = ").append(outputs[rnd.nextInt(outputs.length)]).append(";\n");
        }
        b.append("loss ").append(String.join(" + ", terms)).append(";\n");
        return b.toString();
    }

    // ---------------------------------------------------------------- batch models (varying B)

    private String act(String x) {
        return switch (rnd.nextInt(6)) {
            case 0 -> "tanh(" + x + ")";
            case 1 -> "sigmoid(" + x + ")";
            case 2 -> "relu(" + x + ")";
            case 3 -> "softplus(" + x + ")";
            case 4 -> rnd.nextBoolean() ? "leaky_relu(" + x + ", 0.1)" : "elu(" + x + ")";
            default -> x;
        };
    }

    /**
     * A model over a batch {@code dim B <= max}: a layer in row form ({@code X @ transpose(W)}) or
     * column form ({@code W @ transpose(X)}, the batch as columns), an optional token gather, an
     * optional loop over the rows with a look one row back, outputs, and a loss mixing batch losses
     * (class indices, one-hot, mse, bce) with reductions over either axis.
     */
    private String batchProgram(String className) {
        int max = 2 + rnd.nextInt(8);
        int d = 2 + rnd.nextInt(3);
        int h = 2 + rnd.nextInt(4);
        int k = 2 + rnd.nextInt(3);
        StringBuilder o = new StringBuilder("// generated batch program\nmodel ").append(className).append(";\n");
        o.append("dim B <= ").append(max).append(", D = ").append(d).append(", H = ").append(h).append(", K = ").append(k).append(";\n");
        boolean toks = rnd.nextInt(3) == 0;
        o.append("input X[B, D];\n");
        o.append("input labels[B]: int;\n");
        o.append("input T[B, K];\n");
        o.append("input y[B];\n");
        if (toks) {
            o.append("input toks[B]: int;\nparam E[").append(1 + rnd.nextInt(5)).append(", D];\n");
        }
        o.append("param W1[H, D];\nparam b1[H];\nparam W2[K, H];\nparam b2[K];\nparam v[K];\n");
        // An int matrix (version 3): sequences of ids, read by column (and by row and element in the loop below).
        boolean seq = rnd.nextInt(4) == 0;
        if (seq) {
            o.append("input seq[B, 3]: int;\nparam F[").append(2 + rnd.nextInt(4)).append(", K];\n");
        }
        String x = toks ? "(X + E[toks])" : "X";
        int layer = rnd.nextInt(8);
        if (layer < 2) {
            // Batch norm (version 3) on the hidden layer: a learned or a fixed gain and shift, states given or from their init.
            // Nothing before it that adds the same to every row, a bias or a one-row embedding (its gradient is 0
            // exactly, and float rounding of that sum is all a test would see).
            o.append("param g[H];\nparam be[H];\nstate m[H];\nstate s[H] init ones;\n");
            String affine = rnd.nextBoolean() ? "g, be" : "1, 0";
            String options = switch (rnd.nextInt(3)) {
                case 0 -> "";
                case 1 -> ", momentum = 0." + (1 + rnd.nextInt(9));
                default -> ", 0.3, eps = 0.01";
            };
            o.append("let A = ").append(act("batch_norm(X @ transpose(W1), " + affine + ", m, s" + options + ")")).append(";\n");
        } else if (layer < 5) {
            o.append("let A = ").append(act(x + " @ transpose(W1) + b1")).append(";\n");
        } else {
            // The batch as columns: [H, B], then back to rows.
            o.append("let C = ").append(act("W1 @ transpose(" + x + ")")).append(";\n");
            o.append("let A = transpose(C) + b1;\n");
        }
        o.append("let Z = A @ transpose(W2) + b2;\n");
        List<String> terms = new ArrayList<>();
        if (rnd.nextInt(3) == 0) {
            o.append("var acc = 0;\nfor i in 0..B {\n");
            o.append(switch (rnd.nextInt(3)) {
                case 0 -> "  acc = acc + cross_entropy(Z[i], labels[i]);\n";
                case 1 -> "  acc = acc + dot(Z[i], v) ^ 2;\n";
                default -> "  let r = tanh(W2 @ A[i]);\n  acc = acc + sum(r * T[i]);\n";
            });
            if (seq) {
                o.append("  acc = acc + sum(F[seq[i]] @ v) * F[seq[i, 2], 0];\n");
            }
            o.append("}\n");
            if (rnd.nextBoolean()) {
                o.append("for i in 1..B {\n  acc = acc + 0.1 * sum((Z[i] - Z[i - 1]) ^ 2);\n}\n");
            }
            terms.add("0.1 * acc");
        }
        String[] outputs = {"softmax(Z)", "mean(Z, 0)", "sum(Z, 1)", "amax(Z, 1)", "Z @ v", "transpose(A) @ A", "log_softmax(Z, 0)",
            "Z[.., 1..K]", "concat(Z, A, 1)", "Z - column(mean(Z, 1))", "cumsum(Z, 1)", "elu(Z, alpha = 0.5)"};
        int no = rnd.nextInt(3);
        for (int i = 0; i < no; i++) {
            String e = outputs[rnd.nextInt(outputs.length)];
            o.append("output o").append(i).append(" = ").append(e).append(";\n");
        }
        String[] losses = {"cross_entropy(Z, labels)", "cross_entropy(Z, T)", "mse(Z @ v, y)", "bce_logits(Z, T)", "mean(Z ^ 2)",
                "sum(softmax(Z, 0) * T)", "mean(amax(Z, 1))", "0.1 * sum(logsumexp(Z, 0))", "mean(mean(Z, 1))", "0.1 * sum(mean(A, 0) ^ 2)",
                "0.01 * l2(W1)", "mean(amin(A, 0))", "0.1 * sum(max(X, 0) @ transpose(W1))", "mse(sum(Z, 1), y)",
                "mean((Z - column(mean(Z, 1))) ^ 2)", "mean(column(y) * Z)", "0.1 * sum(concat(A, X, 1)[.., 1..3] ^ 2)", "mean(Z[.., 0] * y)",
                "mean(X[.., 0..2] @ transpose(W1[.., 0..2]))", "0.1 * mean(cumsum(Z, axis = 0) ^ 2)", "mean(elu(Z))",
                "0.1 * mean(cumsum(Z, -2) * softmax(Z, -1))", "mean(permute(A, 1, 0) @ Z[.., 0])"};
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            terms.add(losses[rnd.nextInt(losses.length)]);
        }
        if (seq) {
            int a = rnd.nextInt(3);
            terms.add(rnd.nextBoolean() ? "mean(F[seq[.., " + a + "]] * Z)" : "0.5 * cross_entropy(Z + F[seq[.., " + a + "]], seq[.., " + (2 - a) + "])");
        }
        o.append("loss ").append(String.join(" + ", terms)).append(";\n");
        return o.toString();
    }

    private String fresh(String prefix) {
        return prefix + next++;
    }

    private void declare(String name, Shape shape) {
        scopes.get(scopes.size() - 1).add(new Named(name, shape));
    }

    private List<Named> visible() {
        List<Named> all = new ArrayList<>();
        scopes.forEach(all::addAll);
        return all;
    }

    private Dim dim() {
        return dims.get(rnd.nextInt(dims.size()));
    }

    private Shape randomShape() {
        return switch (rnd.nextInt(3)) {
            case 0 -> Shape.SCALAR;
            case 1 -> Shape.vector(dim().value());
            default -> Shape.matrix(dim().value(), dim().value());
        };
    }

    private String dimName(int value) {
        for (Dim d : dims) {
            if (d.value() == value) {
                return d.name();
            }
        }
        return Integer.toString(value);
    }

    private String declShape(Shape s) {
        return switch (s.rank()) {
            case 0 -> "";
            case 1 -> "[" + dimName(s.cols()) + "]";
            default -> "[" + dimName(s.rows()) + ", " + dimName(s.cols()) + "]";
        };
    }

    private String program(String className) {
        scopes.add(new ArrayList<>());
        out.append("// generated program\nmodel ").append(className).append(";\n");
        int nd = 2 + rnd.nextInt(2);
        StringBuilder dimLine = new StringBuilder("dim ");
        for (int i = 0; i < nd; i++) {
            Dim d = new Dim("D" + i, 1 + rnd.nextInt(4));
            dims.add(d);
            dimLine.append(i > 0 ? ", " : "").append(d.name()).append(" = ").append(d.value());
        }
        steps = new Dim("T", 2 + rnd.nextInt(3));
        out.append(dimLine).append(", T = ").append(steps.value()).append(";\n");
        out.append("const k0 = ").append(number()).append(";\n");
        // One vector of each dim's length, so every vector shape has a name to fall back on.
        for (Dim d : dims) {
            boolean param = rnd.nextBoolean();
            String name = fresh(param ? "p" : "x");
            Shape s = Shape.vector(d.value());
            out.append(param ? "param " : "input ").append(name).append(declShape(s)).append(param ? init(s) : "").append(";\n");
            declare(name, s);
        }
        for (int i = rnd.nextInt(3); i >= 0; i--) {
            Shape s = randomShape();
            String name = fresh("x");
            out.append("input ").append(name).append(declShape(s)).append(";\n");
            declare(name, s);
        }
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            Shape s = randomShape();
            String name = fresh("p");
            out.append("param ").append(name).append(declShape(s)).append(init(s)).append(";\n");
            declare(name, s);
        }
        if (rnd.nextInt(4) > 0) {
            intScalar = fresh("id");
            intVector = fresh("ids");
            out.append("input ").append(intScalar).append(": int;\n");
            out.append("input ").append(intVector).append("[T]: int;\n");
        }
        sequence = fresh("seq");
        Shape seqShape = Shape.matrix(steps.value(), dim().value());
        out.append("input ").append(sequence).append("[T, ").append(dimName(seqShape.cols())).append("];\n");
        declare(sequence, seqShape);
        defs();
        List<String> terms = new ArrayList<>();
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            Shape s = randomShape();
            String name = fresh("l");
            budget = 12;
            out.append("let ").append(name).append(" = ").append(expr(s, 3)).append(";\n");
            declare(name, s);
            terms.add(reduce(name, s));
        }
        if (!tupleDefs.isEmpty() && rnd.nextBoolean()) {
            // Several results (version 3): both unpacked into lets the loss reads.
            Shape s = randomShape();
            String a = fresh("l");
            String b = fresh("l");
            budget = 10;
            out.append("let (").append(a).append(", ").append(b).append(") = ").append(tupleDefs.get(rnd.nextInt(tupleDefs.size())))
                    .append("(").append(expr(s, 2)).append(", ").append(expr(s, 2)).append(");\n");
            declare(a, s);
            declare(b, s);
            terms.add(reduce(a, s));
            terms.add(reduce(b, s));
        }
        // Outputs (version 2): some read by the loss like a let, some only by the application.
        for (int i = rnd.nextInt(3); i > 0; i--) {
            Shape s = randomShape();
            String name = fresh("o");
            budget = 10;
            out.append("output ").append(name).append(" = ").append(expr(s, 3)).append(";\n");
            declare(name, s);
            if (rnd.nextBoolean()) {
                terms.add(reduce(name, s));
            }
        }
        if (rnd.nextInt(4) > 0) {
            terms.add(loop());
        }
        for (Named n : visible()) {
            if (n.name().startsWith("p") && rnd.nextBoolean()) {
                terms.add(reduce(n.name(), n.shape()));
            }
        }
        budget = 10;
        terms.add(expr(Shape.SCALAR, 2));
        out.append("loss ").append(String.join(" + ", terms)).append(";\n");
        return out.toString();
    }

    private String init(Shape s) {
        return switch (rnd.nextInt(8)) {
            case 0 -> " init zeros";
            case 1 -> " init ones";
            case 2 -> " init uniform(-0.5, 0.5)";
            case 3 -> " init normal(0, 0.1)";
            case 4 -> " init xavier";
            case 5 -> " init he";
            default -> "";
        };
    }

    private void defs() {
        if (rnd.nextBoolean()) {
            String f = fresh("f");
            out.append("def ").append(f).append("(u) = ").append(switch (rnd.nextInt(3)) {
                case 0 -> "tanh(u) * 0.5 + u";
                case 1 -> "sigmoid(u * k0) - u ^ 2";
                default -> "softplus(u) / (1 + u * u)";
            }).append(";\n");
            unaryDefs.add(f);
        }
        if (rnd.nextBoolean()) {
            String f = fresh("g");
            out.append("def ").append(f).append("(u, v) {\n    let w = u * v + k0;\n    let z = tanh(w) - v;\n    return z * u + max(u, v);\n}\n");
            binaryDefs.add(f);
        }
        if (rnd.nextBoolean()) {
            // Two results (version 3), each reading both arguments.
            String f = fresh("q");
            out.append("def ").append(f).append("(u, v) {\n    let w = tanh(u * v + k0);\n    return (w + u, w * v - u);\n}\n");
            tupleDefs.add(f);
        }
        if (rnd.nextBoolean()) {
            // A block body with a var, a loop and assignments (version 2): a Horner-like recurrence.
            String f = fresh("h");
            out.append("def ").append(f).append("(u) {\n    var acc = u * 0.5;\n    for k in 0..").append(1 + rnd.nextInt(3))
                    .append(" {\n        let c = tanh(acc) * 0.5;\n        acc = acc * c + u * k0;\n    }\n    return acc;\n}\n");
            unaryDefs.add(f);
        }
    }

    /** A scalar term of the loss from a named value. */
    private String reduce(String name, Shape s) {
        return switch (rnd.nextInt(5)) {
            case 0 -> "sum(" + name + ")";
            case 1 -> "mean(" + name + ") * 2";
            case 2 -> "0.1 * l2(" + name + ")";
            case 3 -> "0.5 * l1(" + name + ")";
            default -> s.isScalar() ? name : "sum(tanh(" + name + "))";
        };
    }

    /** A var updated in a loop (possibly nested); returns a loss term that reads it. */
    private String loop() {
        Shape s = randomShape();
        String var = fresh("v");
        budget = 8;
        out.append("var ").append(var).append(" = ").append(expr(s, 2)).append(";\n");
        declare(var, s);
        boolean fromOne = rnd.nextBoolean();
        String t = fresh("t");
        out.append("for ").append(t).append(" in ").append(fromOne ? "1" : "0").append("..T {\n");
        scopes.add(new ArrayList<>());
        loopVars.add(t);
        String row = sequence + "[" + t + (fromOne && rnd.nextBoolean() ? " - 1" : "") + "]";
        String q = fresh("q");
        Shape rowShape = Shape.vector(visible().stream().filter(n -> n.name().equals(sequence)).findFirst().orElseThrow().shape().cols());
        out.append("    let ").append(q).append(" = tanh(").append(row).append(");\n");
        declare(q, rowShape);
        budget = 10;
        if (rnd.nextInt(3) == 0) {
            // A var declared in the loop body (version 2): fresh at each iteration.
            String local = fresh("w");
            out.append("    var ").append(local).append(" = ").append(var).append(" * 0.5;\n");
            out.append("    ").append(local).append(" = ").append(local).append(" + sigmoid(").append(local).append(");\n");
            declare(local, s);
        }
        out.append("    ").append(var).append(" = tanh(").append(var).append(" * 0.5 + ").append(expr(s, 2)).append(");\n");
        if (rnd.nextInt(3) == 0) {
            String u = fresh("u");
            out.append("    for ").append(u).append(" in 0..2 {\n");
            scopes.add(new ArrayList<>());
            loopVars.add(u);
            budget = 6;
            out.append("        ").append(var).append(" = ").append(var).append(" - 0.25 * sigmoid(").append(expr(s, 1)).append(");\n");
            loopVars.remove(loopVars.size() - 1);
            scopes.remove(scopes.size() - 1);
            out.append("    }\n");
        }
        loopVars.remove(loopVars.size() - 1);
        scopes.remove(scopes.size() - 1);
        out.append("}\n");
        return reduce(var, s);
    }

    private String number() {
        return String.format(java.util.Locale.ROOT, "%.3f", 0.1 + 0.9 * rnd.nextDouble());
    }

    private String leaf(Shape s) {
        List<Named> matches = visible().stream().filter(n -> n.shape().equals(s)).toList();
        if (s.isScalar()) {
            int pick = rnd.nextInt(6);
            if (pick == 0) {
                return number();
            }
            if (pick == 1) {
                return "k0";
            }
            if (pick == 2 && !loopVars.isEmpty()) {
                return "(" + loopVars.get(rnd.nextInt(loopVars.size())) + " * 0.1)";
            }
            if (pick == 3) {
                return "(" + dims.get(0).name() + " * 0.25)";
            }
            if (pick == 4) {
                List<Named> vectors = visible().stream().filter(n -> n.shape().isVector()).toList();
                Named v = vectors.get(rnd.nextInt(vectors.size()));
                return v.name() + "[" + rnd.nextInt(v.shape().cols()) + "]";
            }
        }
        if (!matches.isEmpty()) {
            return matches.get(rnd.nextInt(matches.size())).name();
        }
        if (s.isScalar()) {
            return number();
        }
        if (s.isVector()) {
            // A row of a matrix, or the named vector of that length.
            List<Named> mats = visible().stream().filter(n -> n.shape().isMatrix() && n.shape().cols() == s.cols()).toList();
            if (!mats.isEmpty() && rnd.nextBoolean()) {
                Named m = mats.get(rnd.nextInt(mats.size()));
                return m.name() + "[" + rnd.nextInt(m.shape().rows()) + "]";
            }
            return visible().stream().filter(n -> n.shape().equals(s)).findFirst().map(Named::name).orElseThrow();
        }
        return "outer(" + leaf(Shape.vector(s.rows())) + ", " + leaf(Shape.vector(s.cols())) + ")";
    }

    /** An axis of {@code s} (a vector or a matrix), counted from 0 or (version 3), as often, from the end. */
    private int axis(Shape s) {
        int rank = s.isMatrix() ? 2 : 1;
        int a = rnd.nextInt(rank);
        return rnd.nextBoolean() ? a - rank : a;
    }

    /** {@code ones(…)}, {@code full(…)} or {@code zeros(…) + 1} of shape {@code s} (a vector or a matrix). */
    private String constructed(Shape s) {
        String sizes = s.isMatrix() ? dimName(s.rows()) + ", " + dimName(s.cols()) : dimName(s.cols());
        return switch (rnd.nextInt(3)) {
            case 0 -> "ones(" + sizes + ")";
            case 1 -> "full(k0 - 0.5, " + sizes + ")";
            default -> "(zeros(" + sizes + ") + 1)";
        };
    }

    private String positive(Shape s, int depth) {
        return "(softplus(" + expr(s, depth) + ") + 0.5)";
    }

    private String expr(Shape s, int depth) {
        if (depth <= 0 || budget-- <= 0 || rnd.nextInt(5) == 0) {
            return leaf(s);
        }
        int d = depth - 1;
        int choice = rnd.nextInt(16);
        switch (choice) {
            case 0, 1 -> {
                String[] fs = {"sigmoid", "tanh", "relu", "softplus", "abs", "-", "exp(tanh", "log", "sqrt", "sq", "inv", "pow", "leaky", "gelu", "elu",
                    "cumsum", "full", "sin", "cos"};
                String f = fs[rnd.nextInt(fs.length)];
                return switch (f) {
                    case "-" -> "-" + paren(expr(s, d));
                    case "exp(tanh" -> "exp(tanh(" + expr(s, d) + "))";
                    case "log" -> "log" + positive(s, d);
                    case "sqrt" -> "sqrt(softplus(" + expr(s, d) + ") + 0.1)";
                    case "sq" -> paren(expr(s, d)) + " ^ 2";
                    case "inv" -> positive(s, d) + " ^ -1";
                    case "pow" -> positive(s, d) + " ^ 1.5";
                    case "leaky" -> "leaky_relu(" + expr(s, d) + (rnd.nextBoolean() ? ", 0.2)" : rnd.nextBoolean() ? ", alpha = 0.3)" : ")");
                    case "elu" -> "elu(" + expr(s, d) + (rnd.nextBoolean() ? ", alpha = 0.7)" : ")");
                    // A running sum along an axis the value has (a scalar has none: its sum is itself).
                    case "cumsum" -> s.isScalar() ? expr(s, d)
                            : "cumsum(" + expr(s, d) + (rnd.nextBoolean() ? ", axis = " : ", ") + axis(s) + ")";
                    // A constant of the same shape (version 3): zeros, ones or full, sized by dims or literals.
                    case "full" -> s.isScalar() ? expr(s, d) : paren(expr(s, d)) + " * " + constructed(s);
                    default -> f + "(" + expr(s, d) + ")";
                };
            }
            case 2, 3, 4 -> {
                Shape other = s.isMatrix() && rnd.nextBoolean() ? Shape.vector(s.cols()) : rnd.nextInt(3) == 0 ? Shape.SCALAR : s;
                String a = expr(s, d);
                String b = expr(other, d);
                if (rnd.nextBoolean() && !other.equals(s)) {
                    String t = a;
                    a = b;
                    b = t;
                }
                String[] ops = {" + ", " - ", " * "};
                return switch (rnd.nextInt(6)) {
                    case 0 -> "max(" + a + ", " + b + ")";
                    case 1 -> "min(" + a + ", " + b + ")";
                    case 2 -> paren(expr(s, d)) + " / " + positive(other, d);
                    default -> paren(a) + ops[rnd.nextInt(3)] + paren(b);
                };
            }
            case 5, 6 -> {
                int n = dim().value();
                if (s.isScalar()) {
                    return rnd.nextBoolean() ? paren(expr(Shape.vector(n), d)) + " @ " + paren(expr(Shape.vector(n), d))
                            : "dot(" + expr(Shape.vector(n), d) + ", " + expr(Shape.vector(n), d) + ")";
                }
                if (s.isVector()) {
                    return rnd.nextBoolean() ? paren(expr(Shape.matrix(s.cols(), n), d)) + " @ " + paren(expr(Shape.vector(n), d))
                            : paren(expr(Shape.vector(n), d)) + " @ " + paren(expr(Shape.matrix(n, s.cols()), d));
                }
                return paren(expr(Shape.matrix(s.rows(), n), d)) + " @ " + paren(expr(Shape.matrix(n, s.cols()), d));
            }
            case 7 -> {
                if (s.isMatrix()) {
                    return rnd.nextBoolean() ? "outer(" + expr(Shape.vector(s.rows()), d) + ", " + expr(Shape.vector(s.cols()), d) + ")"
                            : "transpose(" + expr(Shape.matrix(s.cols(), s.rows()), d) + ")";
                }
                if (s.isVector()) {
                    int m = dim().value();
                    return switch (rnd.nextInt(3)) {
                        case 0 -> "sum(" + expr(Shape.matrix(m, s.cols()), d) + ", 0)";
                        case 1 -> "mean(" + expr(Shape.matrix(s.cols(), m), d) + ", 1)";
                        default -> "logsumexp(" + expr(Shape.matrix(s.cols(), m), d) + ")";
                    };
                }
                Shape any = randomShape();
                return switch (rnd.nextInt(9)) {
                    case 0 -> "sum(" + expr(any, d) + ")";
                    case 1 -> "mean(" + expr(any, d) + ")";
                    case 2 -> "l2(" + expr(any, d) + ")";
                    case 3 -> "l1(" + expr(any, d) + ")";
                    case 4 -> "mse(" + expr(any, d) + ", " + expr(any, d) + ")";
                    case 5 -> "bce_logits(" + expr(any, d) + ", sigmoid(" + expr(any, d) + "))";
                    case 6 -> {
                        Shape v = rnd.nextBoolean() ? Shape.vector(dim().value()) : Shape.matrix(dim().value(), dim().value());
                        yield "cross_entropy(" + expr(v, d) + ", softmax(" + expr(v, d) + "))";
                    }
                    case 7 -> "logsumexp(" + expr(Shape.vector(dim().value()), d) + ")";
                    default -> "sum(" + expr(any, d) + ") * 0.5";
                };
            }
            case 8 -> {
                if (!s.isScalar()) {
                    return (rnd.nextBoolean() ? "softmax(" : "log_softmax(") + expr(s, d) + ")";
                }
                return leaf(s);
            }
            case 9 -> {
                if (s.isScalar()) {
                    Shape v = Shape.vector(dim().value());
                    return paren(expr(v, d)) + "[" + rnd.nextInt(v.cols()) + "]";
                }
                if (s.isVector()) {
                    Shape m = Shape.matrix(dim().value(), s.cols());
                    return paren(expr(m, d)) + "[" + rnd.nextInt(m.rows()) + "]";
                }
                return leaf(s);
            }
            case 10 -> {
                if (!unaryDefs.isEmpty()) {
                    return unaryDefs.get(rnd.nextInt(unaryDefs.size())) + "(" + expr(s, d) + ")";
                }
                if (!binaryDefs.isEmpty()) {
                    return binaryDefs.get(rnd.nextInt(binaryDefs.size())) + "(" + expr(s, d) + ", " + expr(s, d) + ")";
                }
                return leaf(s);
            }
            case 14, 15 -> {
                return v2Form(s, d);
            }
            case 12, 13 -> {
                if (intScalar == null) {
                    return leaf(s);
                }
                return intForm(s, d);
            }
            case 11 -> {
                if (!binaryDefs.isEmpty()) {
                    return binaryDefs.get(rnd.nextInt(binaryDefs.size())) + "(" + expr(s, d) + ", " + expr(s, d) + ")";
                }
                return expr(s, d);
            }
            default -> {
                return leaf(s);
            }
        }
    }

    /**
     * Version 2 operators of shape {@code s}: comparison masks, where, clamp, max/min reductions,
     * amax/amin along an axis, norm, the softmax family over columns.
     */
    private String v2Form(Shape s, int d) {
        String[] cmp = {" < ", " <= ", " > ", " >= ", " == ", " != "};
        switch (rnd.nextInt(6)) {
            case 2 -> {
                return sliceForm(s, d);
            }
            case 3 -> {
                return concatOrBroadcastForm(s, d);
            }
            case 0 -> {
                // A mask times a value, or where, or clamp; the second shape broadcasts.
                Shape other = s.isMatrix() && rnd.nextBoolean() ? Shape.vector(s.cols()) : rnd.nextBoolean() ? Shape.SCALAR : s;
                String mask = paren(expr(s, d) + cmp[rnd.nextInt(cmp.length)] + expr(other, d));
                return switch (rnd.nextInt(3)) {
                    case 0 -> mask + " * " + paren(expr(s, d));
                    case 1 -> "where(" + mask + ", " + expr(s, d) + ", " + expr(other, d) + ")";
                    default -> "clamp(" + expr(s, d) + ", -0.5, " + expr(other, d) + " + 0.75)";
                };
            }
            case 1 -> {
                if (s.isScalar()) {
                    Shape any = randomShape();
                    return switch (rnd.nextInt(4)) {
                        case 0 -> "max(" + expr(any, d) + ")";
                        case 1 -> "min(" + expr(any, d) + ")";
                        case 2 -> "amax(" + expr(any, d) + ")";
                        default -> "norm(" + expr(any, d) + ")";
                    };
                }
                if (s.isVector()) {
                    int m = dim().value();
                    boolean rows = rnd.nextBoolean();
                    Shape x = rows ? Shape.matrix(m, s.cols()) : Shape.matrix(s.cols(), m);
                    String f = rnd.nextBoolean() ? "amax" : rnd.nextBoolean() ? "amin" : "logsumexp";
                    return f + "(" + expr(x, d) + ", " + (rows ? "0" : "1") + ")";
                }
                return (rnd.nextBoolean() ? "softmax(" : "log_softmax(") + expr(s, d) + ", " + rnd.nextInt(2) + ")";
            }
            default -> {
                return leaf(s);
            }
        }
    }

    /** A dim's value of at least {@code n} (the largest dim if none is as large: then the caller shrinks). */
    private int atLeast(int n) {
        List<Integer> ok = dims.stream().map(Dim::value).filter(v -> v >= n).toList();
        return ok.isEmpty() ? -1 : ok.get(rnd.nextInt(ok.size()));
    }

    /** {@code lo..lo + len} inside {@code 0..size}. */
    private String range(int len, int size) {
        int lo = rnd.nextInt(size - len + 1);
        return lo + ".." + (lo + len);
    }

    /** Slices (version 2) of shape {@code s}: parts of vectors, rows, columns, parts of rows and columns, blocks. */
    private String sliceForm(Shape s, int d) {
        if (s.isScalar()) {
            int n = dim().value();
            int m = dim().value();
            return "sum(" + paren(expr(Shape.matrix(n, m), d)) + "[.., " + rnd.nextInt(m) + "])";
        }
        if (s.isVector()) {
            int c = s.cols();
            int n = atLeast(c);
            int m = dim().value();
            return switch (rnd.nextInt(4)) {
                case 0 -> paren(expr(Shape.vector(n), d)) + "[" + range(c, n) + "]";
                case 1 -> paren(expr(Shape.matrix(c, m), d)) + "[.., " + rnd.nextInt(m) + "]";
                case 2 -> paren(expr(Shape.matrix(m, n), d)) + "[" + rnd.nextInt(m) + ", " + range(c, n) + "]";
                default -> paren(expr(Shape.matrix(n, m), d)) + "[" + range(c, n) + ", " + rnd.nextInt(m) + "]";
            };
        }
        int r = atLeast(s.rows());
        int c = atLeast(s.cols());
        return rnd.nextBoolean() ? paren(expr(Shape.matrix(r, s.cols()), d)) + "[" + range(s.rows(), r) + "]"
                : paren(expr(Shape.matrix(r, c), d)) + "[" + range(s.rows(), r) + ", " + range(s.cols(), c) + "]";
    }

    /** concat (sliced back to shape {@code s}), and NumPy broadcasting with row, column and keepdim-style reductions. */
    private String concatOrBroadcastForm(Shape s, int d) {
        int a = dim().value();
        int b = dim().value();
        if (s.isScalar()) {
            return "sum(column(" + expr(Shape.vector(a), d) + ") * row(" + expr(Shape.vector(b), d) + "))";
        }
        if (s.isVector()) {
            int c = s.cols();
            if (a + b < c || rnd.nextBoolean()) {
                // A column against a row, summed down: [m, 1] * [1, c] → [m, c] → [c].
                return "sum(column(" + expr(Shape.vector(a), d) + ") * " + paren(expr(Shape.vector(c), d)) + ", 0)";
            }
            return "concat(" + expr(Shape.vector(a), d) + ", " + expr(Shape.vector(b), d) + ")[" + range(c, a + b) + "]";
        }
        int rows = s.rows();
        int cols = s.cols();
        return switch (rnd.nextInt(5)) {
            case 0 -> a + b < rows ? leaf(s) : "concat(" + expr(Shape.matrix(a, cols), d) + ", " + expr(Shape.matrix(b, cols), d) + ", 0)["
                    + range(rows, a + b) + "]";
            case 1 -> a + b < cols ? leaf(s) : "concat(" + expr(Shape.matrix(rows, a), d) + ", " + expr(Shape.matrix(rows, b), d) + ", 1)[.., "
                    + range(cols, a + b) + "]";
            case 2 -> "column(" + expr(Shape.vector(rows), d) + ")" + (rnd.nextBoolean() ? " * " : " - ") + "row(" + expr(Shape.vector(cols), d) + ")";
            case 3 -> {
                String x = expr(s, d);
                yield paren(x) + " - column(mean(" + x + ", 1))";
            }
            default -> paren(expr(s, d)) + " * column(" + expr(Shape.vector(rows), d) + ")";
        };
    }

    /** Integer data (version 2): lookups, gathers, cross_entropy with class indices, of shape {@code s}. */
    private String intForm(Shape s, int d) {
        String step = loopVars.isEmpty() ? null : loopVars.get(0);
        String id = step != null && rnd.nextBoolean() ? intVector + "[" + step + "]" : intScalar;
        int n = dim().value();
        if (s.isScalar()) {
            return switch (rnd.nextInt(4)) {
                case 0 -> paren(expr(Shape.vector(n), d)) + "[" + id + "]";
                case 1 -> "cross_entropy(" + expr(Shape.vector(n), d) + ", " + id + ")";
                case 2 -> "cross_entropy(" + paren(expr(Shape.matrix(dim().value(), n), d)) + "[" + intVector + "], " + intVector + ")";
                default -> {
                    int m = dim().value();
                    yield paren(expr(Shape.matrix(m, n), d)) + "[" + rnd.nextInt(m) + ", " + id + "]";
                }
            };
        }
        if (s.isVector()) {
            if (s.cols() == steps.value() && rnd.nextBoolean()) {
                return paren(expr(Shape.vector(n), d)) + "[" + intVector + "]";
            }
            return paren(expr(Shape.matrix(n, s.cols()), d)) + "[" + id + "]";
        }
        if (s.rows() == steps.value()) {
            return paren(expr(Shape.matrix(n, s.cols()), d)) + "[" + intVector + "]";
        }
        return leaf(s);
    }

    private static String paren(String e) {
        return "(" + e + ")";
    }
}
