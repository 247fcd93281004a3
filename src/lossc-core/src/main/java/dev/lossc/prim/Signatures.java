package dev.lossc.prim;

import dev.lossc.types.Shape;
import java.util.List;

/**
 * The shape rules every primitive is built from: a small library, as Calcite's {@code ReturnTypes}
 * and {@code OperandTypes} are. Each rule checks its operands and attributes and gives the result's
 * shape, or says what it expected.
 */
public final class Signatures {
    private Signatures() {}

    /** The first operand's shape (an elementwise function of one operand). */
    public static final Signature SAME = (ops, attrs, problems) -> ops.get(0);

    /**
     * NumPy's broadcasting over every operand: shapes aligned from the right, a vector {@code [n]}
     * acting as {@code [1, n]}, and on each axis equal sizes or a fixed 1 that stretches.
     */
    public static final Signature BROADCAST = (ops, attrs, problems) -> {
        Shape all = ops.get(0);
        for (int i = 1; i < ops.size() && all != null; i++) {
            all = broadcast(all, ops.get(i));
        }
        if (all == null) {
            if (ops.size() == 2) {
                problems.mismatch(ops.get(0), ops.get(1));
            } else {
                problems.expected(-1, null, "three shapes that broadcast together");
            }
        }
        return all;
    };

    /** Every element to one scalar. */
    public static final Signature ALL = (ops, attrs, problems) -> Shape.SCALAR;

    /** {@code dot(a, b)}: two vectors of one length, to a scalar. */
    public static final Signature DOT = (ops, attrs, problems) -> {
        Shape a = ops.get(0);
        Shape b = ops.get(1);
        if (a.isVector() && b.isVector() && a.colAxis().equals(b.colAxis())) {
            return Shape.SCALAR;
        }
        problems.expected(-1, null, "two vectors of equal length");
        return null;
    };

    /** {@code outer(a[m], b[n])} → {@code [m, n]}. */
    public static final Signature OUTER = (ops, attrs, problems) -> {
        if (ops.get(0).isVector() && ops.get(1).isVector()) {
            return Shape.matrix(ops.get(0).colAxis(), ops.get(1).colAxis());
        }
        problems.expected(-1, null, "two vectors");
        return null;
    };

    /** {@code transpose(A[m, n])} → {@code [n, m]}. */
    public static final Signature TRANSPOSE = (ops, attrs, problems) -> {
        if (ops.get(0).isMatrix()) {
            return ops.get(0).transposed();
        }
        problems.expected(-1, null, "a matrix");
        return null;
    };

    /**
     * A reduction of a matrix along axis attribute 0: axis 0 sums down the columns ({@code [n]}),
     * axis 1 along the rows ({@code [m]}).
     */
    public static final Signature AXIS_OF_MATRIX = (ops, attrs, problems) -> {
        int axis = attrs.integer(0);
        if (axis != 0 && axis != 1) {
            problems.badAttribute(0, "an integer constant from -2 to 1");
            return null;
        }
        Shape a = ops.get(0);
        if (!a.isMatrix()) {
            problems.expected(0, "(X, axis)", "a matrix");
            return null;
        }
        return Shape.vector(axis == 0 ? a.colAxis() : a.rowAxis());
    };

    /** Row by row, keeping the shape ({@code softmax}): a vector, or a matrix one row at a time. */
    public static final Signature ROWWISE = (ops, attrs, problems) -> {
        if (ops.get(0).isScalar()) {
            problems.expected(-1, null, "a vector or a matrix");
            return null;
        }
        return ops.get(0);
    };

    /** Row by row, to one value per row ({@code logsumexp}): a vector to a scalar, a matrix to {@code [m]}. */
    public static final Signature ROWWISE_REDUCE = (ops, attrs, problems) -> {
        Shape a = ops.get(0);
        if (a.isScalar()) {
            problems.expected(-1, null, "a vector or a matrix");
            return null;
        }
        return a.isVector() ? Shape.SCALAR : Shape.vector(a.rowAxis());
    };

    /**
     * Along an axis of the operand (attribute 0, {@code cumsum}): the operand's shape, for an axis
     * the operand has (a vector's 0, a matrix's 0 or 1); one that varies per call is not summed along.
     */
    public static final Signature ALONG_AXIS = (ops, attrs, problems) -> {
        Shape a = ops.get(0);
        int axis = attrs.integer(0);
        if (a.isScalar()) {
            problems.expected(0, null, "a vector or a matrix");
            return null;
        }
        if (axis < 0 || axis >= a.rank()) {
            problems.badAttribute(0, a.isVector() ? "0 or -1, the axis of a vector" : "an integer constant from -2 to 1");
            return null;
        }
        return a;
    };

    /**
     * {@code concat(a, b)} joins two vectors; {@code concat(A, B, axis)} two matrices along axis 0
     * (rows: the same number of columns) or 1 (columns: the same number of rows). The joined sizes
     * may not vary per call. Attribute 0 is the axis, -1 when not given.
     */
    public static final Signature CONCAT = (ops, attrs, problems) -> {
        Shape a = ops.get(0);
        Shape b = ops.get(1);
        int axis = attrs.integer(0);
        if (axis == -1) {
            if (!a.isVector() || !b.isVector()) {
                problems.expected(-1, null, "two vectors (or two matrices and an axis)");
                return null;
            }
            if (a.varies() || b.varies()) {
                problems.expected(-1, null, "vectors whose sizes do not vary per call");
                return null;
            }
            return Shape.vector(Shape.Axis.of((int) Math.min(Integer.MAX_VALUE, a.cols() + (long) b.cols())));
        }
        if (axis != 0 && axis != 1) {
            problems.badAttribute(0, "an integer constant from -2 to 1");
            return null;
        }
        boolean rows = axis == 0;
        String shown = "(A, B, " + axis + ")";
        if (!a.isMatrix() || !b.isMatrix() || !(rows ? a.colAxis().equals(b.colAxis()) : a.rowAxis().equals(b.rowAxis()))) {
            problems.expected(-1, shown, rows ? "two matrices with the same number of columns" : "two matrices with the same number of rows");
            return null;
        }
        Shape.Axis ja = rows ? a.rowAxis() : a.colAxis();
        Shape.Axis jb = rows ? b.rowAxis() : b.colAxis();
        if (ja.varies() || jb.varies()) {
            problems.expected(-1, shown, "sizes that do not vary per call along axis " + axis);
            return null;
        }
        Shape.Axis joined = Shape.Axis.of((int) Math.min(Integer.MAX_VALUE, ja.size() + (long) jb.size()));
        return rows ? Shape.matrix(joined, a.colAxis()) : Shape.matrix(a.rowAxis(), joined);
    };

    /** {@code X[toks]}: a vector's elements or a matrix's rows, by an int vector {@code [m]}. */
    public static final Signature GATHER = (ops, attrs, problems) -> {
        Shape s = ops.get(0);
        Shape.Axis m = ops.get(1).colAxis();
        return s.isVector() ? Shape.vector(m) : Shape.matrix(m, s.colAxis());
    };

    /** {@code Z[m, n]} and int labels {@code [m]} → {@code [m]}. */
    public static final Signature PICK = (ops, attrs, problems) -> Shape.vector(ops.get(0).rowAxis());

    /** The matrix products: {@code A @ x}, {@code x @ A}, {@code A @ B} and the forms that read an operand transposed. */
    public static Signature product(Prim.Kernel kernel) {
        return (ops, attrs, problems) -> {
            Shape a = ops.get(0);
            Shape b = ops.get(1);
            return switch (kernel) {
                case MATVEC -> Shape.vector(a.rowAxis());
                case VECMAT -> Shape.vector(b.colAxis());
                case MATMUL -> Shape.matrix(a.rowAxis(), b.colAxis());
                case MATMUL_NT -> Shape.matrix(a.rowAxis(), b.rowAxis());
                case MATMUL_TN -> Shape.matrix(a.colAxis(), b.colAxis());
                default -> throw new IllegalArgumentException(kernel + " is not a product");
            };
        };
    }

    /**
     * The rule of a primitive only the backward pass applies: its result is an adjoint, whose
     * shape is its operand's, known where the rule is applied, never from a call.
     */
    public static final Signature BACKWARD_ONLY = (ops, attrs, problems) -> {
        throw new IllegalStateException("a primitive of the backward pass is never called");
    };

    /**
     * The rule of a primitive the checker builds from a call it checks itself (a convolution, a
     * pool, a broadcast to a tensor): the checker works out the result's shape and the attributes
     * together, so the primitive is never called by its name.
     */
    public static final Signature BUILT_BY_CHECKER = (ops, attrs, problems) -> {
        throw new IllegalStateException("a primitive the checker builds is never called by name");
    };

    /** The shape two shapes broadcast to (NumPy's rule), or null. A scalar goes with anything. */
    public static Shape broadcast(Shape a, Shape b) {
        if (a.equals(b) || b.isScalar()) {
            return a;
        }
        if (a.isScalar()) {
            return b;
        }
        if (a.isTensor() || b.isTensor()) {
            // Any rank (version 3): aligned from the right; of a tensor, only the first axis varies.
            List<Shape.Axis> x = a.axes();
            List<Shape.Axis> y = b.axes();
            int rank = Math.max(x.size(), y.size());
            List<Shape.Axis> axes = new java.util.ArrayList<>();
            for (int k = 0; k < rank; k++) {
                int i = k - (rank - x.size());
                int j = k - (rank - y.size());
                Shape.Axis s = i < 0 ? y.get(j) : j < 0 ? x.get(i) : stretched(x.get(i), y.get(j));
                if (s == null || (k > 0 && s.varies())) {
                    return null;
                }
                axes.add(s);
            }
            return Shape.of(axes);
        }
        Shape.Axis rows = stretched(a.rowAxis(), b.rowAxis());
        Shape.Axis cols = stretched(a.colAxis(), b.colAxis());
        if (rows == null || cols == null) {
            return null;
        }
        return a.isMatrix() || b.isMatrix() ? Shape.matrix(rows, cols) : Shape.vector(cols);
    }

    /** Equal axes, or the other one where one of them is a fixed 1; null otherwise. */
    private static Shape.Axis stretched(Shape.Axis a, Shape.Axis b) {
        if (a.equals(b)) {
            return a;
        }
        if (!a.varies() && a.size() == 1) {
            return b;
        }
        if (!b.varies() && b.size() == 1) {
            return a;
        }
        return null;
    }

    /** The operands' shapes as a message shows them: {@code [2] and [3]}, {@code [2], [3] and [4]}. */
    public static String describe(List<Shape> shapes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shapes.size(); i++) {
            s.append(i == 0 ? "" : i == shapes.size() - 1 ? " and " : ", ").append(shapes.get(i));
        }
        return s.toString();
    }
}
