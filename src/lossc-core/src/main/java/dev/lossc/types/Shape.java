package dev.lossc.types;

/**
 * The shape of a value: scalar, vector {@code [n]}, matrix {@code [m, n]} or (version 3) a tensor
 * of rank 3 or 4, {@code [B, C, H, W]}. A vector is stored like a one-row matrix, which is also how
 * it broadcasts against a matrix (once per row). A tensor is stored row-major, as the matrix
 * {@code [first axis, product of the others]} ({@link #storage()}): {@code rows} is its first axis,
 * {@code cols} the product of the sizes in {@code inner}, its axes after the first, which are fixed.
 *
 * <p>A size may be a dim that varies per call (version 2, {@code dim B <= 64}): {@code rowDim}
 * or {@code colDim} then names it, and {@code rows}/{@code cols} is its maximum. Storage is
 * always laid out for the maxima (row strides are constants); only the extents that loops run
 * over change from call to call. Two shapes are equal only if they vary in the same dims.
 */
public record Shape(int rank, int rows, int cols, String rowDim, String colDim, java.util.List<Integer> inner, int factor) {
    /** The most axes a shape has. */
    public static final int MAX_RANK = 4;

    public static final Shape SCALAR = new Shape(0, 1, 1);

    /** One axis: its size (for a varying dim, the maximum) and the varying dim's name, or null. */
    public record Axis(int size, String dim, int factor) {
        public Axis {
            if (factor < 1 || (factor > 1 && (dim == null || size % factor != 0))) {
                throw new IllegalArgumentException("bad axis " + size + " " + dim + " * " + factor);
            }
        }

        public Axis(int size, String dim) {
            this(size, dim, 1);
        }

        public static Axis of(int size) {
            return new Axis(size, null);
        }

        public boolean varies() {
            return dim != null;
        }

        /** This axis times {@code k}: the rows of a tensor's leading axes seen as one (its actual size {@code dim * factor * k}). */
        public Axis times(int k) {
            return dim == null ? of(size * k) : new Axis(size * k, dim, factor * k);
        }

        @Override
        public String toString() {
            return dim == null ? Integer.toString(size) : factor == 1 ? dim : dim + " * " + factor;
        }
    }

    public Shape {
        inner = java.util.List.copyOf(inner);
        long product = 1;
        for (int n : inner) {
            product *= n;
            if (n < 1) {
                throw new IllegalArgumentException("bad size " + n);
            }
        }
        if (rank < 0 || rank > MAX_RANK || rows < 1 || cols < 1 || (rank < 2 && rows != 1) || (rank == 0 && cols != 1)
                || (rank < 2 && rowDim != null) || (rank == 0 && colDim != null)
                || (rank <= 2 ? !inner.isEmpty() : inner.size() != rank - 1 || product != cols || colDim != null)
                || factor < 1 || (factor > 1 && (rowDim != null ? colDim != null || rows % factor != 0 : colDim == null || cols % factor != 0))) {
            throw new IllegalArgumentException("bad shape " + rank + " " + rows + "x" + cols + " " + inner);
        }
    }

    public Shape(int rank, int rows, int cols, String rowDim, String colDim) {
        this(rank, rows, cols, rowDim, colDim, java.util.List.of(), 1);
    }

    public Shape(int rank, int rows, int cols, String rowDim, String colDim, java.util.List<Integer> inner) {
        this(rank, rows, cols, rowDim, colDim, inner, 1);
    }

    public Shape(int rank, int rows, int cols) {
        this(rank, rows, cols, null, null);
    }

    /**
     * The shape of these axes (none: a scalar). Of a tensor (three or four axes), only the first
     * may vary per call; the caller checks that.
     */
    public static Shape of(java.util.List<Axis> axes) {
        return switch (axes.size()) {
            case 0 -> SCALAR;
            case 1 -> vector(axes.get(0));
            case 2 -> matrix(axes.get(0), axes.get(1));
            default -> {
                java.util.List<Integer> sizes = new java.util.ArrayList<>();
                long cols = 1;
                for (Axis a : axes.subList(1, axes.size())) {
                    if (a.varies()) {
                        throw new IllegalArgumentException("only the first axis of a tensor varies: " + axes);
                    }
                    sizes.add(a.size());
                    cols *= a.size();
                }
                if (cols > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("too large: " + axes);
                }
                yield new Shape(axes.size(), axes.get(0).size(), (int) cols, axes.get(0).dim(), null, sizes, axes.get(0).factor());
            }
        };
    }

    /** The steps between neighbours along each axis of a row-major array of these sizes (the last axis's is 1). */
    public static int[] rowMajor(int[] sizes) {
        int[] steps = new int[sizes.length];
        for (int k = sizes.length - 1, stride = 1; k >= 0; k--) {
            steps[k] = stride;
            stride *= sizes[k];
        }
        return steps;
    }

    /** Its axes, first to last (none for a scalar). */
    public java.util.List<Axis> axes() {
        java.util.List<Axis> all = new java.util.ArrayList<>();
        switch (rank) {
            case 0 -> { }
            case 1 -> all.add(colAxis());
            case 2 -> {
                all.add(rowAxis());
                all.add(colAxis());
            }
            default -> {
                all.add(rowAxis());
                inner.forEach(n -> all.add(Axis.of(n)));
            }
        }
        return all;
    }

    /** Axis {@code k} (0 first). */
    public Axis axis(int k) {
        return axes().get(k);
    }

    /** The sizes of its axes, first to last (a varying one at its maximum). */
    public int[] sizes() {
        return axes().stream().mapToInt(Axis::size).toArray();
    }

    /** The position, one index per axis, of the element at {@code flat} in row-major order (with rows {@link #cols} apart). */
    public int[] position(int flat) {
        int[] sizes = sizes();
        int[] at = new int[sizes.length];
        for (int k = sizes.length - 1; k > 0; k--) {
            at[k] = flat % sizes[k];
            flat /= sizes[k];
        }
        if (at.length > 0) {
            at[0] = flat;
        }
        return at;
    }

    /** A tensor: three or four axes (version 3). */
    public boolean isTensor() {
        return rank > 2;
    }

    /**
     * A tensor (or a matrix) as the matrix of its last axis: one row per position of the axes
     * before it, {@code [B, T, V]} as {@code [B * T, V]}, the same storage (what the functions of
     * the last axis, and a product with a matrix on the right, read).
     */
    public Shape lastAxisRows() {
        if (rank <= 2) {
            return this;
        }
        int middle = cols / inner.get(inner.size() - 1);
        return matrix(rowAxis().times(middle), Axis.of(inner.get(inner.size() - 1)));
    }

    /** How it is stored: a tensor as the matrix {@code [first axis, the rest]}, any other shape as itself. */
    public Shape storage() {
        return rank > 2 ? matrix(rowAxis(), Axis.of(cols)) : this;
    }

    public static Shape vector(int n) {
        return new Shape(1, 1, n);
    }

    public static Shape matrix(int m, int n) {
        return new Shape(2, m, n);
    }

    public static Shape vector(Axis n) {
        return new Shape(1, 1, n.size(), null, n.dim(), java.util.List.of(), n.factor());
    }

    public static Shape matrix(Axis m, Axis n) {
        return new Shape(2, m.size(), n.size(), m.dim(), n.dim(), java.util.List.of(), m.varies() ? m.factor() : n.factor());
    }

    /** The row axis of a matrix (size 1, fixed, for a vector or scalar). */
    public Axis rowAxis() {
        return new Axis(rows, rowDim, rowDim != null ? factor : 1);
    }

    /** The column axis: a vector's length, a matrix's column count. */
    public Axis colAxis() {
        return new Axis(cols, colDim, colDim != null && rowDim == null ? factor : 1);
    }

    /** The length of a vector, or the row axis of a matrix. */
    public Axis lengthAxis() {
        return rank >= 2 ? rowAxis() : colAxis();
    }

    /** How the element count reads in messages: {@code B * 3}, {@code B}, {@code 4 * 3}. */
    public String elements() {
        if (rank > 2) {
            StringBuilder b = new StringBuilder(rowAxis().toString());
            inner.forEach(n -> b.append(" * ").append(n));
            return b.toString();
        }
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
        return rank >= 2 ? rows : cols;
    }

    @Override
    public String toString() {
        return switch (rank) {
            case 0 -> "scalar";
            case 1 -> "[" + colAxis() + "]";
            case 2 -> "[" + rowAxis() + ", " + colAxis() + "]";
            default -> axes().toString();
        };
    }
}
