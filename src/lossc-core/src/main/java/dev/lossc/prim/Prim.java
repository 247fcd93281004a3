package dev.lossc.prim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The primitive operations, each defined once, here: how it is spelled, how many operands it
 * takes, what it computes and how each operand receives its adjoint. Every phase reads this table:
 * the checker folds constants with {@link #fold}, the lowering emits these primitives, reverse mode
 * applies each entry's adjoint rules, and the code generator prints its forward template (elementwise ones; the
 * structured kernels are emitted by one exhaustive switch in the code generator).
 *
 * <p>The table is open: {@link #defineElementwise} adds a primitive at run time, which is how the
 * tests prove that a table entry is all a new elementwise primitive needs.
 *
 * <p>An elementwise primitive is written in the {@link Scalar} rule language: its forward value,
 * then the adjoint of each operand ({@code x}/{@code a}, {@code b}: operands; {@code y}: result;
 * {@code dy}: the result's adjoint; {@code k}: the constant attribute). Adding one, such as
 * {@code gelu}, is one line below, plus the reference evaluator and the docs. A structured
 * primitive lists, per operand, the primitive whose result is added to that operand's adjoint
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
        MATVEC, VECMAT, MATMUL, MATMUL_NT, MATMUL_TN, DOT, OUTER, TRANSPOSE, SUM, SUM_AXIS0, SUM_AXIS1, EXPAND_COLS,
        SOFTMAX, LOG_SOFTMAX, LOGSUMEXP, SOFTMAX_BACKWARD, LOG_SOFTMAX_BACKWARD, LOGSUMEXP_BACKWARD,
        GATHER, SCATTER_ADD, PICK, PICK_ADD, MAX_ALL, MAX_AXIS0, MAX_AXIS1, SLICE, UNSLICE, CONCAT, TAKE_FIRST, TAKE_LAST
    }

    /** Every primitive by name, in definition order. */
    private static final Map<String, Prim> TABLE = new LinkedHashMap<>();

    // ------------------------------------------------------------------ elementwise
    public static final Prim NEG = define("NEG", "-", ew("-x", "-dy"));
    public static final Prim ADD = define("ADD", "+", ew("a + b", "dy", "dy"));
    public static final Prim SUB = define("SUB", "-", ew("a - b", "dy", "-dy"));
    public static final Prim MUL = define("MUL", "*", ew("a * b", "dy * b", "dy * a"));
    public static final Prim DIV = define("DIV", "/", ew("a / b", "dy / b", "-dy * y / b"));
    public static final Prim POW = define("POW", "^", ew("pow(x, k)", "k == 0 ? 0 : dy * k * pow(x, k - 1)"));
    public static final Prim SIGMOID = define("SIGMOID", "sigmoid", ew("sigmoid(x)", "dy * y * (1 - y)"));
    public static final Prim TANH = define("TANH", "tanh", ew("tanh(x)", "dy * (1 - y * y)"));
    public static final Prim RELU = define("RELU", "relu", ew("max(x, 0)", "x > 0 ? dy : 0"));
    public static final Prim SOFTPLUS = define("SOFTPLUS", "softplus", ew("softplus(x)", "dy * sigmoid(x)"));
    public static final Prim EXP = define("EXP", "exp", ew("exp(x)", "dy * y"));
    public static final Prim LOG = define("LOG", "log", ew("log(x)", "dy / x"));
    public static final Prim SQRT = define("SQRT", "sqrt", ew("sqrt(x)", "dy * 0.5 / y"));
    public static final Prim ABS = define("ABS", "abs", ew("abs(x)", "x > 0 ? dy : x < 0 ? -dy : 0"));
    public static final Prim LEAKY_RELU = define("LEAKY_RELU", "leaky_relu", ew("x > 0 ? x : k * x", "x > 0 ? dy : k * dy"));
    /** PyTorch's default (exact) GELU: x Φ(x), with Φ the standard normal distribution function. */
    public static final Prim GELU = define("GELU", "gelu", ew("x * 0.5 * (1 + erf(x * 0.7071067811865476))",
            "dy * (0.5 * (1 + erf(x * 0.7071067811865476)) + x * 0.3989422804014327 * exp(-0.5 * x * x))"));
    public static final Prim MAX = define("MAX", "max", ew("max(a, b)", "a > b ? dy : a == b ? 0.5 * dy : 0", "b > a ? dy : a == b ? 0.5 * dy : 0"));
    public static final Prim MIN = define("MIN", "min", ew("min(a, b)", "a < b ? dy : a == b ? 0.5 * dy : 0", "b < a ? dy : a == b ? 0.5 * dy : 0"));
    // Version 2: comparisons are masks (1.0 or 0.0) with zero derivatives; where and clamp take three
    // operands, broadcast; ties of clamp at its bounds pass the adjoint, as PyTorch's clamp does.
    public static final Prim LT = define("LT", "<", ew("a < b ? 1 : 0", "0", "0"));
    public static final Prim LE = define("LE", "<=", ew("a <= b ? 1 : 0", "0", "0"));
    public static final Prim GT = define("GT", ">", ew("a > b ? 1 : 0", "0", "0"));
    public static final Prim GE = define("GE", ">=", ew("a >= b ? 1 : 0", "0", "0"));
    public static final Prim EQ = define("EQ", "==", ew("a == b ? 1 : 0", "0", "0"));
    public static final Prim NE = define("NE", "!=", ew("a != b ? 1 : 0", "0", "0"));
    public static final Prim WHERE = define("WHERE", "where", ew("a != 0 ? b : c", "0", "a != 0 ? dy : 0", "a != 0 ? 0 : dy"));
    public static final Prim CLAMP = define("CLAMP", "clamp", ew("min(max(a, b), c)",
            "a >= b ? (a <= c ? dy : 0) : 0", "a < b ? (b <= c ? dy : 0) : 0", "max(a, b) > c ? dy : 0"));
    /** {@code sqrt} whose derivative is 0 at 0: the last step of {@code norm} (as torch.linalg.norm). Not callable by name. */
    public static final Prim NORM_SQRT = define("NORM_SQRT", "_norm_sqrt", ew("sqrt(x)", "y == 0 ? 0 : dy * 0.5 / y"));
    /**
     * Zero, with derivative {@code b} with respect to {@code a}: what carries a max reduction's
     * adjoint to its tied elements ({@code b} is each element's share). Not callable by name.
     */
    public static final Prim TIE_SHARE = define("TIE_SHARE", "_tie_share", ew("0", "dy * b", "0"));
    /** The identity: a snapshot of a var, or a value spread over a larger shape (broadcast). */
    public static final Prim COPY = define("COPY", "copy", ew("x", "dy"));

    // ------------------------------------------------------------------ structured kernels
    /** {@code A[m, n] @ x[n]}. */
    public static final Prim MATVEC = define("MATVEC", "matvec", kernel(Kernel.MATVEC, 2).adjoint(0, "OUTER", "dy", "x1").adjoint(1, "VECMAT", "dy", "x0"));
    /** {@code x[n] @ A[n, k]}. */
    public static final Prim VECMAT = define("VECMAT", "vecmat", kernel(Kernel.VECMAT, 2).adjoint(0, "MATVEC", "x1", "dy").adjoint(1, "OUTER", "x0", "dy"));
    /** {@code A[m, n] @ B[n, k]}. */
    public static final Prim MATMUL = define("MATMUL", "matmul", kernel(Kernel.MATMUL, 2).adjoint(0, "MATMUL_NT", "dy", "x1").adjoint(1, "MATMUL_TN", "x0", "dy"));
    /** {@code A[m, n] @ transpose(B[k, n])}, without forming the transpose. */
    public static final Prim MATMUL_NT = define("MATMUL_NT", "matmul_nt", kernel(Kernel.MATMUL_NT, 2).adjoint(0, "MATMUL", "dy", "x1").adjoint(1, "MATMUL_TN", "dy", "x0"));
    /** {@code transpose(A[n, m]) @ B[n, k]}, without forming the transpose. */
    public static final Prim MATMUL_TN = define("MATMUL_TN", "matmul_tn", kernel(Kernel.MATMUL_TN, 2).adjoint(0, "MATMUL_NT", "x1", "dy").adjoint(1, "MATMUL", "x0", "dy"));
    public static final Prim DOT = define("DOT", "dot", kernel(Kernel.DOT, 2).adjoint(0, "MUL", "x1", "dy").adjoint(1, "MUL", "x0", "dy"));
    public static final Prim OUTER = define("OUTER", "outer", kernel(Kernel.OUTER, 2).adjoint(0, "MATVEC", "dy", "x1").adjoint(1, "VECMAT", "x0", "dy"));
    public static final Prim TRANSPOSE = define("TRANSPOSE", "transpose", kernel(Kernel.TRANSPOSE, 1).adjoint(0, "TRANSPOSE", "dy"));
    public static final Prim SUM = define("SUM", "sum", kernel(Kernel.SUM, 1).adjoint(0, "COPY", "dy"));
    /** {@code X[m, n]} → {@code [n]}: each column summed; its adjoint is spread over the rows (a broadcast copy). */
    public static final Prim SUM_AXIS0 = define("SUM_AXIS0", "sum0", kernel(Kernel.SUM_AXIS0, 1).adjoint(0, "COPY", "dy"));
    /** {@code X[m, n]} → {@code [m]}: each row summed. */
    public static final Prim SUM_AXIS1 = define("SUM_AXIS1", "sum1", kernel(Kernel.SUM_AXIS1, 1).adjoint(0, "EXPAND_COLS", "dy"));
    /** {@code v[m]} → {@code [m, n]}: {@code v[i]} in every column of row i. */
    public static final Prim EXPAND_COLS = define("EXPAND_COLS", "expand_cols", kernel(Kernel.EXPAND_COLS, 1).adjoint(0, "SUM_AXIS1", "dy"));
    public static final Prim SOFTMAX = define("SOFTMAX", "softmax", kernel(Kernel.SOFTMAX, 1).adjoint(0, "SOFTMAX_BACKWARD", "y", "dy"));
    public static final Prim LOG_SOFTMAX = define("LOG_SOFTMAX", "log_softmax", kernel(Kernel.LOG_SOFTMAX, 1).adjoint(0, "LOG_SOFTMAX_BACKWARD", "y", "dy"));
    public static final Prim LOGSUMEXP = define("LOGSUMEXP", "logsumexp", kernel(Kernel.LOGSUMEXP, 1).adjoint(0, "LOGSUMEXP_BACKWARD", "x0", "y", "dy"));

    /**
     * {@code X[toks]}: rows {@code X[toks[i]]} of a matrix (or elements of a vector), by an int
     * vector. The indices are data: they have no adjoint. A repeated index receives the sum.
     */
    public static final Prim GATHER = define("GATHER", "gather", kernel(Kernel.GATHER, 2).adjoint(0, "SCATTER_ADD", "dy", "x1").noAdjoint(1));
    /** {@code Z[m, n]}, int {@code labels[m]} → {@code [m]}: {@code Z[i, labels[i]]} (class-index cross-entropy). */
    public static final Prim PICK = define("PICK", "pick", kernel(Kernel.PICK, 2).adjoint(0, "PICK_ADD", "dy", "x1").noAdjoint(1));

    /**
     * The largest element (of all, of each column, of each row): values only, no adjoint. The
     * lowering of {@code max(x)}, {@code amax(X, axis)} and the {@code min} forms builds the
     * derivative around them from primitives (ties share the adjoint equally, as PyTorch's amax).
     */
    public static final Prim MAX_ALL = define("MAX_ALL", "max_all", kernel(Kernel.MAX_ALL, 1).noAdjoint(0));
    public static final Prim MAX_AXIS0 = define("MAX_AXIS0", "max0", kernel(Kernel.MAX_AXIS0, 1).noAdjoint(0));
    public static final Prim MAX_AXIS1 = define("MAX_AXIS1", "max1", kernel(Kernel.MAX_AXIS1, 1).noAdjoint(0));

    /**
     * A block of a matrix that is not one run of its storage ({@code A[.., j]}, {@code A[a..b, c..d]}):
     * the operand is a view at the block's first element, the attribute is the source's row
     * length. Element (r, j) of the result is element {@code r * attribute + j} of that view.
     * Slices that are one run of storage ({@code v[a..b]}, {@code A[a..b]}, {@code A[i, a..b]}) are
     * plain views and need no primitive.
     */
    public static final Prim SLICE = define("SLICE", "slice", kernel(Kernel.SLICE, 1).adjoint(0, "UNSLICE", "dy"));
    /**
     * {@code concat(a, b)}: a, then b, along the axis the shapes tell (a vector's elements, a
     * matrix's rows when the column counts agree with the result's, else its columns). Each
     * operand's adjoint is its part of the result's.
     */
    public static final Prim CONCAT = define("CONCAT", "concat", kernel(Kernel.CONCAT, 2).adjoint(0, "TAKE_FIRST", "dy").adjoint(1, "TAKE_LAST", "dy"));

    // ------------------------------------------------------------------ used only by adjoints
    /** The adjoint of a slice: the block written back at its place (strided like the slice). */
    public static final Prim UNSLICE = define("UNSLICE", "unslice", kernel(Kernel.UNSLICE, 1));
    /** The leading part of the operand, of the result's shape: what a concatenation's first operand gets back. */
    public static final Prim TAKE_FIRST = define("TAKE_FIRST", "take_first", kernel(Kernel.TAKE_FIRST, 1));
    /** The trailing part of the operand, of the result's shape: what a concatenation's second operand gets back. */
    public static final Prim TAKE_LAST = define("TAKE_LAST", "take_last", kernel(Kernel.TAKE_LAST, 1));
    /** {@code out[toks[i]] += dy[i]}, row by row: the adjoint of a gather. */
    public static final Prim SCATTER_ADD = define("SCATTER_ADD", "scatter_add", kernel(Kernel.SCATTER_ADD, 2));
    /** {@code out[i, labels[i]] += dy[i]}: the adjoint of a pick. */
    public static final Prim PICK_ADD = define("PICK_ADD", "pick_add", kernel(Kernel.PICK_ADD, 2));
    /** {@code y * (dy - sum(dy * y))}, per row. */
    public static final Prim SOFTMAX_BACKWARD = define("SOFTMAX_BACKWARD", "softmax_backward", kernel(Kernel.SOFTMAX_BACKWARD, 2));
    /** {@code dy - exp(y) * sum(dy)}, per row. */
    public static final Prim LOG_SOFTMAX_BACKWARD = define("LOG_SOFTMAX_BACKWARD", "log_softmax_backward", kernel(Kernel.LOG_SOFTMAX_BACKWARD, 2));
    /** {@code dy * exp(x - y)}, per row (y and dy one per row). */
    public static final Prim LOGSUMEXP_BACKWARD = define("LOGSUMEXP_BACKWARD", "logsumexp_backward", kernel(Kernel.LOGSUMEXP_BACKWARD, 3));

    /** What a rule may read: an operand, the result, or the result's adjoint. */
    public enum Ref { X0, X1, Y, DY }

    /**
     * {@code d[operand] += prim(args)}: one term of a structured primitive's derivative; {@code prim}
     * is null for an operand that is integer data (it has no adjoint).
     */
    public record Contribution(int operand, Prim prim, List<Ref> args) {}

    private final String name;
    private final String spelling;
    private final Definition definition;

    private Prim(String name, String spelling, Definition definition) {
        this.name = name;
        this.spelling = spelling;
        this.definition = definition;
    }

    private static Prim define(String name, String spelling, Definition definition) {
        Prim p = new Prim(name, spelling, definition);
        synchronized (TABLE) {
            if (TABLE.putIfAbsent(name, p) != null) {
                throw new IllegalArgumentException("primitive " + name + " is already defined");
            }
        }
        return p;
    }

    /**
     * Adds an elementwise primitive that programs can call as {@code name(x)} (or with two
     * arguments, broadcasting): the table entry is all it takes. {@code forward} and
     * {@code derivatives} (one per operand) are rules in the {@link Scalar} language; every helper
     * they call must be a {@link ScalarFn}. Meant for extensions and tests; the built-ins are above.
     */
    public static Prim defineElementwise(String name, String forward, String... derivatives) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("a primitive's name is a lower-case identifier: " + name);
        }
        return define(name.toUpperCase(Locale.ROOT), name, ew(forward, derivatives));
    }

    /** Removes a primitive added by {@link #defineElementwise} (a test cleaning up after itself). */
    public static void remove(Prim p) {
        synchronized (TABLE) {
            TABLE.remove(p.name, p);
        }
    }

    /** Every primitive, in definition order. */
    public static List<Prim> all() {
        synchronized (TABLE) {
            return List.copyOf(TABLE.values());
        }
    }

    /** The primitive of that (upper-case) name. */
    public static Prim named(String name) {
        synchronized (TABLE) {
            Prim p = TABLE.get(name);
            if (p == null) {
                throw new IllegalArgumentException("no primitive " + name);
            }
            return p;
        }
    }

    /** The table name, {@code MATVEC}. */
    public String name() {
        return name;
    }

    /** For a structured primitive, its kernel; null for an elementwise one. */
    public Prim.Kernel kernel() {
        return definition.kernel;
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
        return definition.arity;
    }

    /** Computed element by element, with broadcasting: its meaning is {@link #forward()}. */
    public boolean isElementwise() {
        return definition.forward != null;
    }

    /** An elementwise primitive's value, over {@link Scalar.Operand}s and {@link Scalar.Attribute}. */
    public Scalar forward() {
        return definition.forward;
    }

    /** An elementwise primitive's rule for operand {@code k}: the value added to its adjoint. */
    public Scalar derivative(int k) {
        return definition.derivatives.get(k);
    }

    /** A structured primitive's rule for operand {@code k}. */
    public Contribution contribution(int k) {
        for (Contribution c : definition.contributions()) {
            if (c.operand() == k) {
                return c;
            }
        }
        throw new IllegalStateException(this + " has no derivative for operand " + k);
    }

    /** True if reverse mode can differentiate through it (some operand has a rule). */
    public boolean isDifferentiable() {
        return isElementwise() || definition.contributions().stream().anyMatch(c -> c.prim() != null);
    }

    /** True if operand {@code k} receives an adjoint (integer data and the max kernels' operands do not). */
    public boolean hasAdjoint(int k) {
        return isElementwise() || (!definition.contributions().isEmpty() && contribution(k).prim() != null);
    }

    /** How operand {@code k}'s rule reads in dumps and generated comments, with the attribute folded in. */
    public String describeRule(int k, double attribute) {
        String d = "d" + (arity() == 1 ? "x" : k == 0 ? "a" : k == 1 ? "b" : "c");
        if (isElementwise()) {
            Scalar rule = Scalar.simplify(Scalar.replace(derivative(k), v -> v instanceof Scalar.Attribute ? new Scalar.Num(attribute) : null));
            return d + " += " + Scalar.text(rule, arity());
        }
        Contribution c = contribution(k);
        if (c.prim() == null) {
            return d + ": none (integer data)";
        }
        List<String> args = new ArrayList<>();
        for (Ref r : c.args()) {
            args.add(switch (r) {
                case X0 -> arity() == 1 ? "x" : "a";
                case X1 -> "b";
                case Y -> "y";
                case DY -> "dy";
            });
        }
        return d + " += " + c.prim().lowerName() + "(" + String.join(", ", args) + ")";
    }

    /** Folds an elementwise primitive on constants. */
    public double fold(double attribute, double... operands) {
        if (!isElementwise()) {
            throw new IllegalStateException(this + " is not elementwise");
        }
        return Scalar.eval(forward(), v -> v instanceof Scalar.Attribute ? attribute : operands[((Scalar.Operand) v).index()]);
    }

    /** The primitive of that name, as users call it ({@code gelu}), if it is an elementwise built-in. */
    public static Prim elementwiseNamed(String name) {
        for (Prim p : all()) {
            if (p.isElementwise() && p.spelling.equals(name) && Character.isLetter(name.charAt(0)) && p != COPY && p.arity() <= 3) {
                return p;
            }
        }
        return null;
    }

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------ definitions

    private static final class Definition {
        final int arity;
        final Scalar forward;
        final List<Scalar> derivatives;
        final Kernel kernel;
        private final List<String[]> pending = new ArrayList<>();
        private List<Contribution> contributions;

        Definition(int arity, Scalar forward, List<Scalar> derivatives, Kernel kernel) {
            this.arity = arity;
            this.forward = forward;
            this.derivatives = derivatives;
            this.kernel = kernel;
            if (forward != null && derivatives.size() != arity) {
                throw new IllegalArgumentException("one derivative per operand is needed");
            }
        }

        /** {@code d[operand] += prim(args)}; names are resolved on first use, once every primitive exists. */
        Definition adjoint(int operand, String prim, String... args) {
            String[] entry = new String[args.length + 2];
            entry[0] = Integer.toString(operand);
            entry[1] = prim;
            System.arraycopy(args, 0, entry, 2, args.length);
            pending.add(entry);
            return this;
        }

        /** Operand {@code operand} is integer data: no adjoint. */
        Definition noAdjoint(int operand) {
            pending.add(new String[] {Integer.toString(operand), null});
            return this;
        }

        synchronized List<Contribution> contributions() {
            if (contributions == null) {
                List<Contribution> resolved = new ArrayList<>();
                for (String[] e : pending) {
                    if (e[1] == null) {
                        resolved.add(new Contribution(Integer.parseInt(e[0]), null, List.of()));
                        continue;
                    }
                    List<Ref> args = new ArrayList<>();
                    for (int i = 2; i < e.length; i++) {
                        args.add(Ref.valueOf(e[i].toUpperCase(Locale.ROOT)));
                    }
                    resolved.add(new Contribution(Integer.parseInt(e[0]), Prim.named(e[1]), List.copyOf(args)));
                }
                if (!resolved.isEmpty() && resolved.size() != arity) {
                    throw new IllegalStateException("the derivative table is incomplete");
                }
                contributions = List.copyOf(resolved);
            }
            return contributions;
        }
    }

    private static Definition ew(String forward, String... derivatives) {
        List<Scalar> rules = new ArrayList<>();
        for (String d : derivatives) {
            rules.add(Scalar.parse(d));
        }
        return new Definition(derivatives.length, Scalar.parse(forward), Collections.unmodifiableList(rules), null);
    }

    private static Definition kernel(Kernel kernel, int arity) {
        return new Definition(arity, null, List.of(), kernel);
    }
}
