package dev.lossc.types;

/**
 * The shape of a value: scalar, vector {@code [n]} or matrix {@code [m, n]}. A vector is stored
 * like a one-row matrix, which is also how it broadcasts against a matrix (once per row).
 *
 * <p>A size may be a dim that varies per call (version 2, {@code dim B <= 64}): {@code rowDim}
 * or {@code colDim} then names it, and {@code rows}/{@code cols} is its maximum. Storage is
 * always laid out for the maxima (row strides are constants); only the extents that loops run
 * over change from call to call. Two shapes are equal only if they vary in the same dims.
 */
public record Shape(int rank, int rows, int cols, String rowDim, String colDim) {
    public static final Shape SCALAR = new Shape(0, 1, 1);

    /** One axis: its size (for a varying dim, the maximum) and the varying dim's name, or null. */
    public record Axis(int size, String dim) {
        public static Axis of(int size) {
            return new Axis(size, null);
        }

        public boolean varies() {
            return dim != null;
        }

        @Override
        public String toString() {
            return dim != null ? dim : Integer.toString(size);
        }
    }

    public Shape {
        if (rank < 0 || rank > 2 || rows < 1 || cols < 1 || (rank < 2 && rows != 1) || (rank == 0 && cols != 1)
                || (rank < 2 && rowDim != null) || (rank == 0 && colDim != null)) {
            throw new IllegalArgumentException("bad shape " + rank + " " + rows + "x" + cols);
        }
    }

    public Shape(int rank, int rows, int cols) {
        this(rank, rows, cols, null, null);
    }

    public static Shape vector(int n) {
        return new Shape(1, 1, n);
    }

    public static Shape matrix(int m, int n) {
        return new Shape(2, m, n);
    }

    public static Shape vector(Axis n) {
        return new Shape(1, 1, n.size(), null, n.dim());
    }

    public static Shape matrix(Axis m, Axis n) {
        return new Shape(2, m.size(), n.size(), m.dim(), n.dim());
    }

    /** The row axis of a matrix (size 1, fixed, for a vector or scalar). */
    public Axis rowAxis() {
        return new Axis(rows, rowDim);
    }

    /** The column axis: a vector's length, a matrix's column count. */
    public Axis colAxis() {
        return new Axis(cols, colDim);
    }

    /** The length of a vector, or the row axis of a matrix. */
    public Axis lengthAxis() {
        return rank == 2 ? rowAxis() : colAxis();
    }

    /** How the element count reads in messages: {@code B * 3}, {@code B}, {@code 4 * 3}. */
    public String elements() {
        return rank == 2 ? rowAxis() + " * " + colAxis() : colAxis().toString();
    }

    /** A matrix with rows and columns swapped. */
    public Shape transposed() {
        return matrix(colAxis(), rowAxis());
    }

    /** True if a size of this shape varies per call. */
    public boolean varies() {
        return rowDim != null || colDim != null;
    }

    /** The number of elements (for a varying shape, at the maxima). */
    public int size() {
        return rows * cols;
    }

    public boolean isScalar() {
        return rank == 0;
    }

    public boolean isVector() {
        return rank == 1;
    }

    public boolean isMatrix() {
        return rank == 2;
    }

    /** The length of a vector, or the row count of a matrix. */
    public int length() {
        return rank == 2 ? rows : cols;
    }

    @Override
    public String toString() {
        return switch (rank) {
            case 0 -> "scalar";
            case 1 -> "[" + colAxis() + "]";
            default -> "[" + rowAxis() + ", " + colAxis() + "]";
        };
    }
}
