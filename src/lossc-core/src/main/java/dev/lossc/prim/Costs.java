package dev.lossc.prim;

import dev.lossc.types.Shape;
import java.util.List;
import java.util.Set;

/**
 * The floating-point operations of the table's entries, for {@code lossc report}. Every scalar
 * operation on floating-point values counts 1 (an add, a multiply, a comparison, a selection, an
 * {@code exp} or {@code tanh}), so a multiply-add counts 2; copies, fills, gathers, slices and
 * transposes count 0. A structured entry's count is stated here, one per entry of the table
 * ({@link #STRUCTURED}: a test holds it complete); an elementwise entry's is its scalar
 * expression's, per element.
 */
public final class Costs {
    private Costs() {}

    /** The structured entries that only move data (0 operations). */
    static final Set<String> MOVES = Set.of("TRANSPOSE", "EXPAND_COLS", "GATHER", "PICK", "SLICE", "CONCAT", "DROPOUT_MASK", "BROADCAST",
            "PERMUTE", "SUBTENSOR", "IM2COL", "MAX_POOL_PICK", "UNSLICE", "UNSUBTENSOR", "TAKE_FIRST", "TAKE_LAST", "STOP_GRADIENT", "CUSTOM");

    /** Every structured entry with arithmetic, whose count {@link #flops} states. */
    static final Set<String> STRUCTURED = Set.of("MATVEC", "VECMAT", "MATMUL", "MATMUL_NT", "MATMUL_TN", "DOT", "OUTER", "SUM", "SUM_AXIS",
            "SOFTMAX", "LOG_SOFTMAX", "LOGSUMEXP", "MAX_ALL", "MAX_AXIS", "CUMSUM", "REDUCE_TO", "BATCHED_MATMUL", "COL2IM", "CONV",
            "CONV_INPUT_GRAD", "CONV_KERNEL_GRAD", "MAX_POOL", "MAX_POOL_GRAD", "AVG_POOL", "AVG_POOL_GRAD", "SCATTER_ADD", "PICK_ADD",
            "SOFTMAX_BACKWARD", "LOG_SOFTMAX_BACKWARD", "LOGSUMEXP_BACKWARD");

    /** True if {@link #flops} knows {@code p} (elementwise, or listed): what the table's test asks of every entry. */
    public static boolean known(Prim p) {
        return p.isElementwise() || MOVES.contains(p.name()) || STRUCTURED.contains(p.name());
    }

    /**
     * The operations of {@code out = p(args)} (without the add of an accumulating {@code +=}):
     * {@code args} and {@code out} are the operands' and the result's shapes, {@code attributes} its constants.
     */
    public static long flops(Prim p, List<Shape> args, Shape out, Attributes attributes) {
        if (p.isElementwise()) {
            return scalar(p.forward()) * (long) out.size();
        }
        long n = out.size();
        long a = args.isEmpty() ? 0 : args.get(0).size();
        return switch (p.name()) {
            // Products: a multiply-add per term.
            case "MATVEC", "DOT" -> 2 * a;
            case "VECMAT" -> 2 * (long) args.get(1).size();
            case "MATMUL", "MATMUL_NT" -> 2 * n * last(args.get(0));
            case "MATMUL_TN" -> 2 * n * args.get(0).rows();
            case "OUTER" -> n;
            // [m, n] @ [n, k] for each batch: the contracted length is the attribute n.
            case "BATCHED_MATMUL" -> 2 * n * attributes.integer(1);
            // A convolution: a multiply-add per kernel element (over the input channels) per output element.
            case "CONV" -> 2 * n * (args.get(1).size() / Math.max(1, out.sizes()[1]));
            case "CONV_INPUT_GRAD" -> 2 * a * (args.get(1).size() / Math.max(1, args.get(0).sizes()[1]));
            case "CONV_KERNEL_GRAD" -> 2 * a * (n / Math.max(1, args.get(0).sizes()[1]));
            // Sums and reductions: one operation per element read.
            case "SUM", "SUM_AXIS", "REDUCE_TO", "MAX_ALL", "MAX_AXIS", "CUMSUM", "COL2IM", "MAX_POOL", "AVG_POOL" -> a;
            case "MAX_POOL_GRAD", "SCATTER_ADD", "PICK_ADD" -> a;
            case "AVG_POOL_GRAD" -> 2 * n;
            // Row-wise: the largest (1), subtract (1), exp (1), sum (1), then divide or subtract (1) per element.
            case "SOFTMAX" -> 5 * n;
            case "LOG_SOFTMAX" -> 5 * n + rows(out);
            case "LOGSUMEXP" -> 4 * a + 2 * n;
            // y * (dy - sum(dy * y)): multiply, sum, subtract, multiply.
            case "SOFTMAX_BACKWARD" -> 4 * n;
            // dy - exp(y) * sum(dy): sum, exp, multiply, subtract.
            case "LOG_SOFTMAX_BACKWARD" -> 4 * n;
            // dy * exp(x - y): subtract, exp, multiply.
            case "LOGSUMEXP_BACKWARD" -> 3 * n;
            default -> {
                if (MOVES.contains(p.name())) {
                    yield 0;
                }
                throw new IllegalArgumentException("no operation count for " + p.name());
            }
        };
    }

    private static long last(Shape s) {
        int[] sizes = s.sizes();
        return sizes.length == 0 ? 1 : sizes[sizes.length - 1];
    }

    private static long rows(Shape s) {
        return s.isMatrix() ? s.rows() : 1;
    }

    /** The operations of a scalar expression: one per operator, comparison, selection and function. */
    public static long scalar(Scalar e) {
        if (e instanceof Scalar.Neg n) {
            return 1 + scalar(n.operand());
        } else if (e instanceof Scalar.Bin b) {
            return 1 + scalar(b.left()) + scalar(b.right());
        } else if (e instanceof Scalar.Cmp c) {
            return 1 + scalar(c.left()) + scalar(c.right());
        } else if (e instanceof Scalar.Select s) {
            return 1 + scalar(s.cond()) + scalar(s.then()) + scalar(s.otherwise());
        } else if (e instanceof Scalar.Call c) {
            return 1 + c.args().stream().mapToLong(Costs::scalar).sum();
        }
        return 0;
    }
}
