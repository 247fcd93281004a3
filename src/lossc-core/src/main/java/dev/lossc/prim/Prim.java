package dev.lossc.prim;

import dev.lossc.types.Shape;
import java.util.List;
import java.util.Locale;

/**
 * The primitive operations, each defined once, here, whole: how programs call it (its name, its
 * operands, its constant attributes), its shape rule ({@link Signature}), what it computes, how
 * each operand receives its adjoint, and, for a structured one, the kernel that emits it. Every
 * phase reads this table and none special-cases an entry: the checker applies the shape rule to a
 * call, folds constants with {@link #fold}, the lowering emits the primitive, reverse mode applies
 * its rules, and the code generator prints an elementwise one's forward rule or dispatches a
 * structured one's {@link Kernel} in one exhaustive switch, so a kernel without an emitter does
 * not compile.
 *
 * <p>An elementwise primitive is written in the {@link Scalar} rule language: its forward value,
 * then the adjoint of each operand ({@code x}/{@code a}, {@code b}, {@code c}: operands; {@code y}:
 * the result; {@code dy}: the result's adjoint; an attribute by its name). A structured primitive
 * lists, per operand, the primitive whose result is added to that operand's adjoint
 * ({@link #contribution}), so every derivative is itself a program of primitives: the backward
 * pass is IR like the forward pass.
 *
 * <p>Corner cases follow PyTorch: relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = alpha, ties of max
 * and min split the adjoint in half, and x^0 has a zero derivative.
 */
public final class Prim {
    /**
     * The structured primitives, each emitted by its own kernel: code generation dispatches on
     * these with an exhaustive switch, so a kernel without an emitter does not compile.
     */
    public enum Kernel {
        MATVEC, VECMAT, MATMUL, MATMUL_NT, MATMUL_TN, DOT, OUTER, TRANSPOSE, SUM, SUM_AXIS, EXPAND_COLS,
        SOFTMAX, LOG_SOFTMAX, LOGSUMEXP, SOFTMAX_BACKWARD, LOG_SOFTMAX_BACKWARD, LOGSUMEXP_BACKWARD,
        GATHER, SCATTER_ADD, PICK, PICK_ADD, MAX_ALL, MAX_AXIS, SLICE, UNSLICE, CONCAT, TAKE_FIRST, TAKE_LAST, CUMSUM, DROPOUT_MASK,
        BROADCAST, REDUCE_TO, PERMUTE, BATCHED_MATMUL, IM2COL, COL2IM, CONV, CONV_INPUT_GRAD, CONV_KERNEL_GRAD, MAX_POOL, MAX_POOL_GRAD, AVG_POOL, AVG_POOL_GRAD,
        SUBTENSOR, UNSUBTENSOR, MAX_POOL_PICK
    }

    /** Integer attributes only the compiler sets: a tensor primitive's geometry. */
    private static AttributeSpec[] geometry(String... names) {
        AttributeSpec[] specs = new AttributeSpec[names.length];
        for (int i = 0; i < names.length; i++) {
            specs[i] = AttributeSpec.internal(names[i], 1);
        }
        return specs;
    }

    /** A convolution's geometry, in this order (the checker's {@code Convolutions} and the kernels read it by index). */
    public static final List<String> CONV_ATTRIBUTES = List.of("c", "h", "w", "o", "kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw", "groups", "oh", "ow");
    /** A pool's geometry, in this order. */
    public static final List<String> POOL_ATTRIBUTES = List.of("c", "h", "w", "kh", "kw", "sh", "sw", "ph", "pw", "oh", "ow");
    private static final AttributeSpec[] CONV_GEOMETRY = geometry(CONV_ATTRIBUTES.toArray(String[]::new));
    private static final AttributeSpec[] POOL_GEOMETRY = geometry(POOL_ATTRIBUTES.toArray(String[]::new));

    // ------------------------------------------------------------------ elementwise
    public static final Prim NEG = Table.define(Table.elementwise("NEG", "-", "-x", "-dy"));
    public static final Prim ADD = Table.define(Table.elementwise("ADD", "+", "a + b", "dy", "dy"));
    public static final Prim SUB = Table.define(Table.elementwise("SUB", "-", "a - b", "dy", "-dy"));
    public static final Prim MUL = Table.define(Table.elementwise("MUL", "*", "a * b", "dy * b", "dy * a"));
    public static final Prim DIV = Table.define(Table.elementwise("DIV", "/", "a / b", "dy / b", "-dy * y / b"));
    /** {@code x ^ p}, the exponent a constant. */
    public static final Prim POW = Table.define(Table.elementwise("POW", "^", "pow(x, p)", "p == 0 ? 0 : dy * p * pow(x, p - 1)")
            .attributes(AttributeSpec.requiredReal("p")));
    public static final Prim SIGMOID = Table.define(Table.elementwise("SIGMOID", "sigmoid", "sigmoid(x)", "dy * y * (1 - y)").callable(true));
    public static final Prim TANH = Table.define(Table.elementwise("TANH", "tanh", "tanh(x)", "dy * (1 - y * y)").callable(true));
    public static final Prim RELU = Table.define(Table.elementwise("RELU", "relu", "max(x, 0)", "x > 0 ? dy : 0").callable(true));
    public static final Prim SOFTPLUS = Table.define(Table.elementwise("SOFTPLUS", "softplus", "softplus(x)", "dy * sigmoid(x)").callable(true));
    public static final Prim EXP = Table.define(Table.elementwise("EXP", "exp", "exp(x)", "dy * y").callable(true));
    public static final Prim LOG = Table.define(Table.elementwise("LOG", "log", "log(x)", "dy / x").callable(true));
    public static final Prim SQRT = Table.define(Table.elementwise("SQRT", "sqrt", "sqrt(x)", "dy * 0.5 / y").callable(true));
    /** {@code sin} and {@code cos} (version 3), for rotations (bundle adjustment's Rodrigues formula). */
    public static final Prim SIN = Table.define(Table.elementwise("SIN", "sin", "sin(x)", "dy * cos(x)").callable(false));
    public static final Prim COS = Table.define(Table.elementwise("COS", "cos", "cos(x)", "-dy * sin(x)").callable(false));
    public static final Prim ABS = Table.define(Table.elementwise("ABS", "abs", "abs(x)", "x > 0 ? dy : x < 0 ? -dy : 0").callable(true));
    public static final Prim LEAKY_RELU = Table.define(Table.elementwise("LEAKY_RELU", "leaky_relu", "x > 0 ? x : alpha * x",
            "x > 0 ? dy : alpha * dy").attributes(AttributeSpec.real("alpha", 0.01)).callable(true));
    /** PyTorch's default (exact) GELU: x Φ(x), with Φ the standard normal distribution function. */
    public static final Prim GELU = Table.define(Table.elementwise("GELU", "gelu", "x * 0.5 * (1 + erf(x * 0.7071067811865476))",
            "dy * (0.5 * (1 + erf(x * 0.7071067811865476)) + x * 0.3989422804014327 * exp(-0.5 * x * x))").callable(true));
    /**
     * PyTorch's ELU (version 3): {@code x} above 0, {@code alpha (e^x - 1)} at or below it (with
     * {@code expm1}, as PyTorch computes it); the derivative at 0 is {@code alpha}, PyTorch's.
     */
    public static final Prim ELU = Table.define(Table.elementwise("ELU", "elu", "x > 0 ? x : alpha * expm1(x)",
            "x > 0 ? dy : dy * alpha * exp(x)").attributes(AttributeSpec.real("alpha", 1.0)).callable(false));
    public static final Prim MAX = Table.define(Table.elementwise("MAX", "max", "max(a, b)",
            "a > b ? dy : a == b ? 0.5 * dy : 0", "b > a ? dy : a == b ? 0.5 * dy : 0").callable(true));
    public static final Prim MIN = Table.define(Table.elementwise("MIN", "min", "min(a, b)",
            "a < b ? dy : a == b ? 0.5 * dy : 0", "b < a ? dy : a == b ? 0.5 * dy : 0").callable(true));
    // Version 2: comparisons are masks (1.0 or 0.0) with zero derivatives; where and clamp take three
    // operands, broadcast; ties of clamp at its bounds pass the adjoint, as PyTorch's clamp does.
    public static final Prim LT = Table.define(Table.elementwise("LT", "<", "a < b ? 1 : 0", "0", "0"));
    public static final Prim LE = Table.define(Table.elementwise("LE", "<=", "a <= b ? 1 : 0", "0", "0"));
    public static final Prim GT = Table.define(Table.elementwise("GT", ">", "a > b ? 1 : 0", "0", "0"));
    public static final Prim GE = Table.define(Table.elementwise("GE", ">=", "a >= b ? 1 : 0", "0", "0"));
    public static final Prim EQ = Table.define(Table.elementwise("EQ", "==", "a == b ? 1 : 0", "0", "0"));
    public static final Prim NE = Table.define(Table.elementwise("NE", "!=", "a != b ? 1 : 0", "0", "0"));
    public static final Prim WHERE = Table.define(Table.elementwise("WHERE", "where", "a != 0 ? b : c", "0", "a != 0 ? dy : 0",
            "a != 0 ? 0 : dy").callable(false));
    public static final Prim CLAMP = Table.define(Table.elementwise("CLAMP", "clamp", "min(max(a, b), c)",
            "a >= b ? (a <= c ? dy : 0) : 0", "a < b ? (b <= c ? dy : 0) : 0", "max(a, b) > c ? dy : 0").callable(false));
    /** {@code sqrt} whose derivative is 0 at 0: the last step of {@code norm} (as torch.linalg.norm). Not callable by name. */
    public static final Prim NORM_SQRT = Table.define(Table.elementwise("NORM_SQRT", "_norm_sqrt", "sqrt(x)", "y == 0 ? 0 : dy * 0.5 / y"));
    /**
     * Zero, with derivative {@code b} with respect to {@code a}: what carries a max reduction's
     * adjoint to its tied elements ({@code b} is each element's share). Not callable by name.
     */
    public static final Prim TIE_SHARE = Table.define(Table.elementwise("TIE_SHARE", "_tie_share", "0", "dy * b", "0"));
    /** {@code stop_gradient(x)} (version 3): the value of {@code x}, no derivative (PyTorch's {@code detach}). */
    public static final Prim STOP_GRADIENT = Table.define(Table.elementwise("STOP_GRADIENT", "stop_gradient", "x", "0").noAdjoint(0).callable(false));
    /** A call of a def with its own derivative: its body's value; the AD applies the def's rules ({@code IrProgram.customs}). */
    public static final Prim CUSTOM = Table.define(Table.elementwise("CUSTOM", "custom", "x", "0").noAdjoint(0));
    /** The identity: a snapshot of a var, or a value spread over a larger shape (broadcast). */
    public static final Prim COPY = Table.define(Table.elementwise("COPY", "copy", "x", "dy"));

    // ------------------------------------------------------------------ structured kernels
    /** {@code A[m, n] @ x[n]}. */
    public static final Prim MATVEC = Table.define(Table.structured("MATVEC", "matvec", Kernel.MATVEC, 2)
            .adjoint(0, "OUTER", "dy", "x1").adjoint(1, "VECMAT", "dy", "x0"));
    /** {@code x[n] @ A[n, k]}. */
    public static final Prim VECMAT = Table.define(Table.structured("VECMAT", "vecmat", Kernel.VECMAT, 2)
            .adjoint(0, "MATVEC", "x1", "dy").adjoint(1, "OUTER", "x0", "dy"));
    /** {@code A[m, n] @ B[n, k]}. */
    public static final Prim MATMUL = Table.define(Table.structured("MATMUL", "matmul", Kernel.MATMUL, 2)
            .adjoint(0, "MATMUL_NT", "dy", "x1").adjoint(1, "MATMUL_TN", "x0", "dy"));
    /** {@code A[m, n] @ transpose(B[k, n])}, without forming the transpose. */
    public static final Prim MATMUL_NT = Table.define(Table.structured("MATMUL_NT", "matmul_nt", Kernel.MATMUL_NT, 2)
            .adjoint(0, "MATMUL", "dy", "x1").adjoint(1, "MATMUL_TN", "dy", "x0"));
    /** {@code transpose(A[n, m]) @ B[n, k]}, without forming the transpose. */
    public static final Prim MATMUL_TN = Table.define(Table.structured("MATMUL_TN", "matmul_tn", Kernel.MATMUL_TN, 2)
            .adjoint(0, "MATMUL_NT", "x1", "dy").adjoint(1, "MATMUL", "x0", "dy"));
    public static final Prim DOT = Table.define(Table.structured("DOT", "dot", Kernel.DOT, 2).signature(Signatures.DOT)
            .adjoint(0, "MUL", "x1", "dy").adjoint(1, "MUL", "x0", "dy").callable(true));
    public static final Prim OUTER = Table.define(Table.structured("OUTER", "outer", Kernel.OUTER, 2).signature(Signatures.OUTER)
            .adjoint(0, "MATVEC", "dy", "x1").adjoint(1, "VECMAT", "x0", "dy").callable(true));
    public static final Prim TRANSPOSE = Table.define(Table.structured("TRANSPOSE", "transpose", Kernel.TRANSPOSE, 1)
            .signature(Signatures.TRANSPOSE).adjoint(0, "TRANSPOSE", "dy").callable(true));
    public static final Prim SUM = Table.define(Table.structured("SUM", "sum", Kernel.SUM, 1).signature(Signatures.ALL)
            .adjoint(0, "COPY", "dy").callable(true));
    /**
     * {@code sum(X[m, n], axis)}: axis 0 sums each column ({@code [n]}), and its adjoint is spread
     * over the rows (a broadcast copy); axis 1 sums each row ({@code [m]}), and its adjoint is each
     * row's value in every column.
     */
    public static final Prim SUM_AXIS = Table.define(Table.structured("SUM_AXIS", "sum", Kernel.SUM_AXIS, 1)
            .attributes(AttributeSpec.axis("axis")).signature(Signatures.AXIS_OF_MATRIX)
            .adjoint(0, a -> a.integer(0) == 0 ? Table.rule(0, "COPY", Attributes.NONE, "dy") : Table.rule(0, "EXPAND_COLS", Attributes.NONE, "dy"))
            .callable(true));
    /** {@code v[m]} → {@code [m, n]}: {@code v[i]} in every column of row i. */
    public static final Prim EXPAND_COLS = Table.define(Table.structured("EXPAND_COLS", "expand_cols", Kernel.EXPAND_COLS, 1)
            .signature(Signatures.BACKWARD_ONLY).adjoint(0, "SUM_AXIS", Attributes.ints(1), "dy"));
    public static final Prim SOFTMAX = Table.define(Table.structured("SOFTMAX", "softmax", Kernel.SOFTMAX, 1)
            .signature(Signatures.ROWWISE).adjoint(0, "SOFTMAX_BACKWARD", "y", "dy"));
    public static final Prim LOG_SOFTMAX = Table.define(Table.structured("LOG_SOFTMAX", "log_softmax", Kernel.LOG_SOFTMAX, 1)
            .signature(Signatures.ROWWISE).adjoint(0, "LOG_SOFTMAX_BACKWARD", "y", "dy"));
    public static final Prim LOGSUMEXP = Table.define(Table.structured("LOGSUMEXP", "logsumexp", Kernel.LOGSUMEXP, 1)
            .signature(Signatures.ROWWISE_REDUCE).adjoint(0, "LOGSUMEXP_BACKWARD", "x0", "y", "dy"));

    /**
     * {@code X[toks]}: rows {@code X[toks[i]]} of a matrix (or elements of a vector), by an int
     * vector. The indices are data: they have no adjoint. A repeated index receives the sum.
     */
    public static final Prim GATHER = Table.define(Table.structured("GATHER", "gather", Kernel.GATHER, 2).signature(Signatures.GATHER)
            .adjoint(0, "SCATTER_ADD", "dy", "x1").noAdjoint(1));
    /** {@code Z[m, n]}, int {@code labels[m]} → {@code [m]}: {@code Z[i, labels[i]]} (class-index cross-entropy). */
    public static final Prim PICK = Table.define(Table.structured("PICK", "pick", Kernel.PICK, 2).signature(Signatures.PICK)
            .adjoint(0, "PICK_ADD", "dy", "x1").noAdjoint(1));

    /**
     * The largest element (of all, of each column or row): values only, no adjoint. The lowering of
     * {@code max(x)}, {@code amax(X, axis)} and the {@code min} forms builds the derivative around
     * them from primitives (ties share the adjoint equally, as PyTorch's amax).
     */
    public static final Prim MAX_ALL = Table.define(Table.structured("MAX_ALL", "max_all", Kernel.MAX_ALL, 1)
            .signature(Signatures.ALL).noAdjoint(0));
    public static final Prim MAX_AXIS = Table.define(Table.structured("MAX_AXIS", "max_axis", Kernel.MAX_AXIS, 1)
            .attributes(AttributeSpec.axis("axis")).signature(Signatures.AXIS_OF_MATRIX).noAdjoint(0));

    /**
     * A block of a matrix that is not one run of its storage ({@code A[.., j]}, {@code A[a..b, c..d]}):
     * the operand is a view at the block's first element, the attribute is the source's row length.
     * Element (r, j) of the result is element {@code r * stride + j} of that view. Slices that are
     * one run of storage ({@code v[a..b]}, {@code A[a..b]}, {@code A[i, a..b]}) are plain views and
     * need no primitive. Its shape is the indexing's, which the checker works out.
     */
    public static final Prim SLICE = Table.define(Table.structured("SLICE", "slice", Kernel.SLICE, 1)
            .attributes(AttributeSpec.internal("stride", 1)).signature(Signatures.BACKWARD_ONLY).adjoint(0, "UNSLICE", "dy"));
    /**
     * {@code concat(a, b)}: a, then b, along the axis the shapes tell (a vector's elements, a
     * matrix's rows when the column counts agree with the result's, else its columns). Each
     * operand's adjoint is its part of the result's.
     */
    public static final Prim CONCAT = Table.define(Table.structured("CONCAT", "concat", Kernel.CONCAT, 2)
            .attributes(new AttributeSpec("axis", AttributeSpec.Kind.AXIS, new Attribute.Int(-1), false)).signature(Signatures.CONCAT)
            .adjoint(0, "TAKE_FIRST", "dy").adjoint(1, "TAKE_LAST", "dy").callable(false));

    /**
     * {@code cumsum(x, axis)} (version 3), PyTorch's {@code torch.cumsum}: running sums along an
     * axis of a vector (0) or of a matrix (0: down each column; 1: along each row). Its adjoint is
     * the running sum of {@code dy} in the other direction (attribute {@code reverse}, which only the
     * compiler sets).
     */
    public static final Prim CUMSUM = Table.define(Table.structured("CUMSUM", "cumsum", Kernel.CUMSUM, 1)
            .attributes(AttributeSpec.axis("axis"), AttributeSpec.internal("reverse", 0)).signature(Signatures.ALONG_AXIS)
            .adjoint(0, a -> Table.rule(0, "CUMSUM", Attributes.ints(a.integer(0), 1 - a.integer(1)), "dy")).callable(false));

    /**
     * The mask of {@code dropout(x, p)} (version 3): each element 0 with probability {@code p},
     * else {@code 1 / (1 - p)}, drawn from the class's own generator element by element, in
     * row-major order ({@code p} 0 or 1 draws nothing). Its operand only gives the shape, so
     * nothing flows back into it; {@code dropout(x, p)} is {@code x * mask}, whose adjoint is
     * {@code dy * mask}: the gradient uses the mask of its own call. In output methods (inference)
     * the mask is all ones.
     */
    public static final Prim DROPOUT_MASK = Table.define(Table.structured("DROPOUT_MASK", "dropout_mask", Kernel.DROPOUT_MASK, 1)
            .attributes(AttributeSpec.requiredReal("p")).signature(Signatures.SAME).noAdjoint(0).mode(Mode.ONES_IN_INFERENCE));

    /**
     * The value of a training call, or of an output method (version 3): {@code batch_norm}
     * normalizes with the batch's statistics in one, with the states in the other. Resolved to a
     * copy of one operand before differentiation; as written, the training value's derivative.
     */
    public static final Prim TRAINING_OR_INFERENCE = Table.define(Table.elementwise("TRAINING_OR_INFERENCE", "training_or_inference",
            "a", "dy", "0").mode(Mode.SELECT));

    /**
     * A running average, written into a state in place (version 3): {@code state = (1 - momentum)
     * state + momentum stat scale}, PyTorch's update of {@code running_mean} (scale 1) and
     * {@code running_var} (the batch's sum of squares, scale {@code 1 / (N - 1)}). Only in training
     * calls; its rules are the true local derivatives, but nothing flows back through it (the
     * states are not trained, so {@link #hasAdjoint} is false for every operand).
     */
    public static final Prim RUNNING_UPDATE = Table.define(Table.elementwise("RUNNING_UPDATE", "running_update",
            "(1 - momentum) * a + momentum * (b * c)", "dy * (1 - momentum)", "dy * momentum * c", "dy * momentum * b").attributes(AttributeSpec.requiredReal("momentum")).mode(Mode.TRAINING_ONLY));

    // ------------------------------------------------------------------ tensors (version 3)
    /**
     * A value spread over a larger shape of rank 3 or 4 by NumPy's rule ({@code X + reshape(b, O, 1, 1)}):
     * attribute {@code rank}, the target's sizes {@code t0…}, and the operand's {@code s0…}, aligned
     * to the target's axes (1 where it has none or stretches). Its adjoint sums back over the stretched axes.
     */
    public static final Prim BROADCAST = Table.define(Table.structured("BROADCAST", "broadcast", Kernel.BROADCAST, 1)
            .attributes(geometry("rank", "t0", "t1", "t2", "t3", "s0", "s1", "s2", "s3")).signature(Signatures.BUILT_BY_CHECKER)
            .adjoint(0, "REDUCE_TO", "dy"));
    /** The operand summed over the axes a {@link #BROADCAST} with these attributes stretches: its adjoint, and {@code sum(X, axis)} of a tensor. */
    public static final Prim REDUCE_TO = Table.define(Table.structured("REDUCE_TO", "reduce_to", Kernel.REDUCE_TO, 1)
            .attributes(geometry("rank", "t0", "t1", "t2", "t3", "s0", "s1", "s2", "s3")).signature(Signatures.BACKWARD_ONLY)
            .adjoint(0, "BROADCAST", "dy"));
    /**
     * {@code permute(X, p0, …)} and {@code transpose(X, a, b)} of a tensor (version 3): axis k of
     * the result is axis {@code p_k} of X, whose sizes are {@code s0…} (attribute {@code rank}
     * first). A copy; its adjoint is the inverse permutation of {@code dy}.
     */
    public static final Prim PERMUTE = Table.define(Table.structured("PERMUTE", "permute", Kernel.PERMUTE, 1)
            .attributes(geometry("rank", "s0", "s1", "s2", "s3", "p0", "p1", "p2", "p3")).signature(Signatures.BUILT_BY_CHECKER)
            .adjoint(0, a -> Table.rule(0, "PERMUTE", inversePermutation(a), "dy")));
    /**
     * A slice of a tensor that is not one run of its storage ({@code X[.., 0..2, .., 1..5]}, version 3):
     * the operand is a view at the block's first element; the result's sizes {@code t0…} (attribute
     * {@code rank} first) and the steps {@code a0…} between neighbours along each axis in the operand.
     * Its adjoint writes {@code dy} back at those places.
     */
    public static final Prim SUBTENSOR = Table.define(Table.structured("SUBTENSOR", "subtensor", Kernel.SUBTENSOR, 1)
            .attributes(geometry("rank", "t0", "t1", "t2", "t3", "a0", "a1", "a2", "a3")).signature(Signatures.BUILT_BY_CHECKER)
            .adjoint(0, "UNSUBTENSOR", "dy"));
    /**
     * {@code A @ B} of two tensors (version 3), {@code torch.matmul}'s batches of matrices: for each
     * position of the leading axes, {@code [m, n] @ [n, k]}. Attributes {@code m}, {@code n},
     * {@code k}, and whether each operand is read transposed ({@code ta}: A stored {@code [n, m]};
     * {@code tb}: B stored {@code [k, n]}), which only the adjoints set: {@code dA = dy @ B^T},
     * {@code dB = A^T @ dy}.
     */
    public static final Prim BATCHED_MATMUL = Table.define(Table.structured("BATCHED_MATMUL", "batched_matmul", Kernel.BATCHED_MATMUL, 2)
            .attributes(geometry("m", "n", "k", "ta", "tb")).signature(Signatures.BUILT_BY_CHECKER)
            .adjoint(0, a -> a.integer(3) == 0 ? Table.rule(0, "BATCHED_MATMUL", batched(a, 0, 2, 1, 0, 1 - a.integer(4)), "dy", "x1")
                    : Table.rule(0, "BATCHED_MATMUL", batched(a, 1, 2, 0, a.integer(4), 1), "x1", "dy"))
            .adjoint(1, a -> a.integer(4) == 0 ? Table.rule(1, "BATCHED_MATMUL", batched(a, 1, 0, 2, 1 - a.integer(3), 0), "x0", "dy")
                    : Table.rule(1, "BATCHED_MATMUL", batched(a, 2, 0, 1, 1, a.integer(3)), "dy", "x0")));

    /** A batched product's attributes from {@code a}'s: sizes m, n, k taken from its attributes {@code i}, {@code j}, {@code l}, then ta and tb. */
    private static Attributes batched(Attributes a, int i, int j, int l, int ta, int tb) {
        return Attributes.ints(a.integer(i), a.integer(j), a.integer(l), ta, tb);
    }

    /**
     * The windows of a convolution laid out as rows (im2col): row {@code (n, oh, ow)} holds, for
     * every input channel and kernel position, the input element it multiplies (0 in the padding),
     * so that the convolution is one matrix product with the kernel, {@code [N * oh * ow, C * kh * kw]
     * @ transpose(K[O, C * kh * kw])}, on the product plan. The attributes are the convolution's
     * ({@code groups} 1). Its adjoint adds each row's elements back at their places ({@link #COL2IM}).
     */
    public static final Prim IM2COL = Table.define(Table.structured("IM2COL", "im2col", Kernel.IM2COL, 1).attributes(CONV_GEOMETRY)
            .signature(Signatures.BUILT_BY_CHECKER).adjoint(0, "COL2IM", "dy"));
    /** The adjoint of {@link #IM2COL}: each window element added into the input element it copied (padding dropped). */
    public static final Prim COL2IM = Table.define(Table.structured("COL2IM", "col2im", Kernel.COL2IM, 1).attributes(CONV_GEOMETRY)
            .signature(Signatures.BACKWARD_ONLY));

    /** The attributes of the permutation that undoes {@code a}'s. */
    private static Attributes inversePermutation(Attributes a) {
        int rank = a.integer(0);
        int[] v = {rank, 1, 1, 1, 1, 0, 1, 2, 3};
        for (int k = 0; k < rank; k++) {
            int from = a.integer(5 + k);
            v[5 + from] = k;
            v[1 + k] = a.integer(1 + from);
        }
        return Attributes.ints(v);
    }

    /**
     * {@code conv1d}/{@code conv2d} (version 3): PyTorch's cross-correlation of {@code X[N, C, H, W]}
     * with {@code K[O, C / groups, kh, kw]}, zero padding, to {@code [N, O, oh, ow]} (a 1-D one has
     * {@code h = kh = oh = 1}). The attributes are the geometry the checker worked out. Each
     * operand's adjoint is the matching transposed convolution.
     */
    public static final Prim CONV = Table.define(Table.structured("CONV", "conv", Kernel.CONV, 2).attributes(CONV_GEOMETRY)
            .signature(Signatures.BUILT_BY_CHECKER).adjoint(0, "CONV_INPUT_GRAD", "dy", "x1").adjoint(1, "CONV_KERNEL_GRAD", "dy", "x0"));
    /** {@code dX} of a convolution: {@code dy} through the kernel {@code K}, back onto the input's positions. */
    public static final Prim CONV_INPUT_GRAD = Table.define(Table.structured("CONV_INPUT_GRAD", "conv_input_grad", Kernel.CONV_INPUT_GRAD, 2)
            .attributes(CONV_GEOMETRY).signature(Signatures.BACKWARD_ONLY));
    /** {@code dK} of a convolution: {@code dy} correlated with the input {@code X}. */
    public static final Prim CONV_KERNEL_GRAD = Table.define(Table.structured("CONV_KERNEL_GRAD", "conv_kernel_grad", Kernel.CONV_KERNEL_GRAD, 2)
            .attributes(CONV_GEOMETRY).signature(Signatures.BACKWARD_ONLY));
    /**
     * {@code max_pool1d}/{@code max_pool2d}: the largest element of each window, padding never chosen;
     * the adjoint goes to the window's first largest element in row-major order (PyTorch's argmax;
     * a NaN is taken as the largest, as PyTorch does).
     */
    public static final Prim MAX_POOL = Table.define(Table.structured("MAX_POOL", "max_pool", Kernel.MAX_POOL, 1).attributes(POOL_GEOMETRY)
            .signature(Signatures.BUILT_BY_CHECKER).adjoint(0, "MAX_POOL_GRAD", "dy", "x0"));
    /** The adjoint of a max pool: {@code dy} of each window added at its argmax in {@code X}. */
    public static final Prim MAX_POOL_GRAD = Table.define(Table.structured("MAX_POOL_GRAD", "max_pool_grad", Kernel.MAX_POOL_GRAD, 2)
            .attributes(POOL_GEOMETRY).signature(Signatures.BACKWARD_ONLY));
    /** The tangent of a max pool: {@code ẋ} (operand 0) at each window's argmax in {@code X} (operand 1), as {@link #MAX_POOL} picks it. */
    public static final Prim MAX_POOL_PICK = Table.define(Table.structured("MAX_POOL_PICK", "max_pool_pick", Kernel.MAX_POOL_PICK, 2)
            .attributes(POOL_GEOMETRY).signature(Signatures.BACKWARD_ONLY));
    /** {@code avg_pool1d}/{@code avg_pool2d}: each window's sum over {@code kh * kw}, padded zeros counted (PyTorch's default). */
    public static final Prim AVG_POOL = Table.define(Table.structured("AVG_POOL", "avg_pool", Kernel.AVG_POOL, 1).attributes(POOL_GEOMETRY)
            .signature(Signatures.BUILT_BY_CHECKER).adjoint(0, "AVG_POOL_GRAD", "dy"));
    /** The adjoint of an average pool: {@code dy / (kh * kw)} onto every input element of its window. */
    public static final Prim AVG_POOL_GRAD = Table.define(Table.structured("AVG_POOL_GRAD", "avg_pool_grad", Kernel.AVG_POOL_GRAD, 1)
            .attributes(POOL_GEOMETRY).signature(Signatures.BACKWARD_ONLY));

    // ------------------------------------------------------------------ used only by adjoints
    /** The adjoint of a slice: the block written back at its place (strided like the slice). */
    public static final Prim UNSLICE = Table.define(Table.structured("UNSLICE", "unslice", Kernel.UNSLICE, 1)
            .attributes(AttributeSpec.internal("stride", 1)).signature(Signatures.BACKWARD_ONLY));
    /** The adjoint of a tensor's slice: the block written back at its places (attributes as {@link #SUBTENSOR}'s). */
    public static final Prim UNSUBTENSOR = Table.define(Table.structured("UNSUBTENSOR", "unsubtensor", Kernel.UNSUBTENSOR, 1)
            .attributes(geometry("rank", "t0", "t1", "t2", "t3", "a0", "a1", "a2", "a3")).signature(Signatures.BACKWARD_ONLY));
    /** The leading part of the operand, of the result's shape: what a concatenation's first operand gets back. */
    public static final Prim TAKE_FIRST = Table.define(Table.structured("TAKE_FIRST", "take_first", Kernel.TAKE_FIRST, 1)
            .attributes(new AttributeSpec("axis", AttributeSpec.Kind.INT, new Attribute.Int(-1), true)).signature(Signatures.BACKWARD_ONLY));
    /** The trailing part of the operand, of the result's shape: what a concatenation's second operand gets back. */
    public static final Prim TAKE_LAST = Table.define(Table.structured("TAKE_LAST", "take_last", Kernel.TAKE_LAST, 1)
            .attributes(new AttributeSpec("axis", AttributeSpec.Kind.INT, new Attribute.Int(-1), true)).signature(Signatures.BACKWARD_ONLY));
    /** {@code out[toks[i]] += dy[i]}, row by row: the adjoint of a gather. */
    public static final Prim SCATTER_ADD = Table.define(Table.structured("SCATTER_ADD", "scatter_add", Kernel.SCATTER_ADD, 2)
            .signature(Signatures.BACKWARD_ONLY));
    /** {@code out[i, labels[i]] += dy[i]}: the adjoint of a pick. */
    public static final Prim PICK_ADD = Table.define(Table.structured("PICK_ADD", "pick_add", Kernel.PICK_ADD, 2)
            .signature(Signatures.BACKWARD_ONLY));
    /** {@code y * (dy - sum(dy * y))}, per row. */
    public static final Prim SOFTMAX_BACKWARD = Table.define(Table.structured("SOFTMAX_BACKWARD", "softmax_backward",
            Kernel.SOFTMAX_BACKWARD, 2).signature(Signatures.BACKWARD_ONLY));
    /** {@code dy - exp(y) * sum(dy)}, per row. */
    public static final Prim LOG_SOFTMAX_BACKWARD = Table.define(Table.structured("LOG_SOFTMAX_BACKWARD", "log_softmax_backward",
            Kernel.LOG_SOFTMAX_BACKWARD, 2).signature(Signatures.BACKWARD_ONLY));
    /** {@code dy * exp(x - y)}, per row (y and dy one per row). */
    public static final Prim LOGSUMEXP_BACKWARD = Table.define(Table.structured("LOGSUMEXP_BACKWARD", "logsumexp_backward",
            Kernel.LOGSUMEXP_BACKWARD, 3).signature(Signatures.BACKWARD_ONLY));

    // ------------------------------------------------------------------ the entry

    /** What a rule may read: an operand, the result, or the result's adjoint. */
    public enum Ref { X0, X1, Y, DY }

    /**
     * {@code d[operand] += prim(args; attributes)}: one term of a structured primitive's derivative;
     * {@code prim} is null for an operand that is integer data (it has no adjoint).
     */
    public record Contribution(int operand, Prim prim, List<Ref> args, Attributes attributes) {}

    final String name;
    final String spelling;
    final int arity;
    final List<AttributeSpec> attributes;
    final Signature signature;
    /** Elementwise: the forward rule and one derivative per operand. */
    final Scalar forward;
    final List<Scalar> derivatives;
    /** Structured: the kernel and each operand's rule (null: no adjoint), resolved on first use. */
    final Kernel kernel;
    final Table.Rules rules;
    /** How programs call it (null: they cannot), and whether a program may declare that name too. */
    final String callName;
    final boolean reserved;
    /** How it differs between a training call and an output method. */
    final Mode mode;

    /**
     * How a primitive differs between a training call ({@code loss}, {@code lossAndGradient}) and an
     * output method (inference, version 3); the IR resolves it once, before anything else sees it.
     */
    public enum Mode {
        /** The same in both (every primitive but these three). */
        SAME,
        /** Operand 0 in a training call, operand 1 in an output method ({@code batch_norm}'s two forms). */
        SELECT,
        /** All ones in an output method ({@code dropout}'s mask: dropout is the identity there). */
        ONES_IN_INFERENCE,
        /** Only in a training call: it updates a state and is dropped from output methods. */
        TRAINING_ONLY
    }

    /** How it differs between training and inference. */
    public Mode mode() {
        return mode;
    }

    Prim(String name, String spelling, int arity, List<AttributeSpec> attributes, Signature signature, Scalar forward,
         List<Scalar> derivatives, Kernel kernel, Table.Rules rules, String callName, boolean reserved, Mode mode) {
        this.mode = mode;
        this.name = name;
        this.spelling = spelling;
        this.arity = arity;
        this.attributes = List.copyOf(attributes);
        this.signature = signature;
        this.forward = forward;
        this.derivatives = derivatives;
        this.kernel = kernel;
        this.rules = rules;
        this.callName = callName;
        this.reserved = reserved;
    }

    /**
     * Adds an elementwise primitive that programs can call as {@code name(x)} (or with more
     * operands, broadcasting): the table entry is all it takes. {@code forward} and
     * {@code derivatives} (one per operand) are rules in the {@link Scalar} language; every helper
     * they call must be a {@link ScalarFn}. Meant for extensions and tests; the built-ins are above.
     */
    public static Prim defineElementwise(String name, String forward, String... derivatives) {
        return Table.defineElementwise(name, forward, derivatives);
    }

    /** Removes a primitive added by {@link #defineElementwise} (a test cleaning up after itself). */
    public static void remove(Prim p) {
        Table.remove(p);
    }
    /** Every primitive, in definition order. */
    public static List<Prim> all() {
        return Table.all();
    }

    /** The primitive of that (upper-case) name. */
    public static Prim named(String name) {
        return Table.named(name);
    }

    /** The primitives programs call by {@code name}, in definition order (several: overloads by their operands and attributes). */
    public static List<Prim> callable(String name) {
        return Table.callable(name);
    }

    /** The table name, {@code MATVEC}. */
    public String name() {
        return name;
    }

    /** How programs call it, or null when they cannot (operators, the backward pass's own). */
    public String callName() {
        return callName;
    }

    /** True if no declaration may take its call name (the functions of version 1); later ones may be hidden by a declaration. */
    public boolean reserved() {
        return reserved;
    }

    /** For a structured primitive, its kernel; null for an elementwise one. */
    public Kernel kernel() {
        return kernel;
    }

    @Override
    public String toString() {
        return name;
    }
    /** How dumps and comments name it. */
    public String spelling() {
        return spelling;
    }

    public int arity() {
        return arity;
    }

    /** The constant attributes it takes, in order. */
    public List<AttributeSpec> attributeSpecs() {
        return attributes;
    }

    /** Its shape rule. */
    public Signature signature() {
        return signature;
    }

    /** The shape of its result for these operands and attributes, or null after reporting why they do not fit. */
    public Shape result(List<Shape> operands, Attributes attributes, Signature.Problems problems) {
        return signature.result(operands, attributes, problems);
    }

    /** Computed element by element, with broadcasting: its meaning is {@link #forward()}. */
    public boolean isElementwise() {
        return forward != null;
    }

    /** An elementwise primitive's value, over {@link Scalar.Operand}s and {@link Scalar.Attribute}s. */
    public Scalar forward() {
        return forward;
    }

    /** An elementwise primitive's rule for operand {@code k}: the value added to its adjoint. */
    public Scalar derivative(int k) {
        return derivatives.get(k);
    }

    /** A structured primitive's rule for operand {@code k}, for an application with these attributes. */
    public Contribution contribution(int k, Attributes applied) {
        return rules.contribution(k, applied);
    }

    /** A structured primitive's tangent rule (forward mode); an elementwise one's tangent is its adjoint rules with {@code dy} read as each operand's tangent. */
    public Tangent tangent() {
        return Tangent.of(kernel);
    }

    /** True if reverse mode can differentiate through it (some operand has a rule). */
    public boolean isDifferentiable() {
        return isElementwise() || rules.differentiable();
    }

    /** True if operand {@code k} receives an adjoint (integer data and the max kernels' operands do not). */
    public boolean hasAdjoint(int k) {
        // A state's running update passes nothing back: the states are not trained.
        return mode != Mode.TRAINING_ONLY && (isElementwise() ? !rules.detached(k) : rules.hasAdjoint(k));
    }

    /** How operand {@code k}'s rule reads in dumps and generated comments, with the attributes folded in. */
    public String describeRule(int k, Attributes applied) {
        String d = "d" + (arity == 1 ? "x" : k == 0 ? "a" : k == 1 ? "b" : "c");
        if (isElementwise()) {
            Scalar rule = Scalar.simplify(Scalar.replace(derivative(k),
                    v -> v instanceof Scalar.Attribute a ? new Scalar.Num(applied.real(a.index())) : null));
            return d + " += " + Scalar.text(rule, arity);
        }
        Contribution c = contribution(k, applied);
        if (c.prim() == null) {
            return d + ": none (integer data)";
        }
        List<String> args = new java.util.ArrayList<>();
        for (Ref r : c.args()) {
            args.add(switch (r) {
                case X0 -> arity == 1 ? "x" : "a";
                case X1 -> "b";
                case Y -> "y";
                case DY -> "dy";
            });
        }
        return d + " += " + c.prim().lowerName() + "(" + String.join(", ", args) + ")";
    }

    /** Folds an elementwise primitive on constants. */
    public double fold(Attributes applied, double... operands) {
        if (!isElementwise()) {
            throw new IllegalStateException(this + " is not elementwise");
        }
        return Scalar.eval(forward(), v -> v instanceof Scalar.Attribute a ? applied.real(a.index()) : operands[((Scalar.Operand) v).index()]);
    }

    /**
     * How generated comments name one application: the lower-case name, with an axis attribute
     * written after it ({@code sum_axis1}: the sum along axis 1).
     */
    public String label(Attributes applied) {
        StringBuilder s = new StringBuilder(lowerName());
        for (int i = 0; i < attributes.size() && i < applied.size(); i++) {
            if (attributes.get(i).kind() == AttributeSpec.Kind.AXIS && applied.integer(i) >= 0) {
                s.append(applied.integer(i));
            }
        }
        return s.toString();
    }

    public String lowerName() {
        return name.toLowerCase(Locale.ROOT);
    }
}
