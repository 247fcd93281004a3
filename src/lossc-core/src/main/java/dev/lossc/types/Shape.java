package dev.lossc.types;

/**
 * The shape of a value: scalar, vector {@code [n]} or matrix {@code [m, n]}. A vector is stored
 * like a one-row matrix, which is also how it broadcasts against a matrix (once per row).
 */
public record Shape(int rank, int rows, int cols) {
    public static final Shape SCALAR = new Shape(0, 1, 1);

    public Shape {
        if (rank < 0 || rank > 2 || rows < 1 || cols < 1 || (rank < 2 && rows != 1) || (rank == 0 && cols != 1)) {
            throw new IllegalArgumentException("bad shape " + rank + " " + rows + "x" + cols);
        }
    }

    public static Shape vector(int n) {
        return new Shape(1, 1, n);
    }

    public static Shape matrix(int m, int n) {
        return new Shape(2, m, n);
    }

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
            case 1 -> "[" + cols + "]";
            default -> "[" + rows + ", " + cols + "]";
        };
    }
}
