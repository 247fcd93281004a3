package dev.lossc.spark;

/**
 * Data that cannot train the model, found before training: a missing column, a column of the wrong
 * type, or a cell that is NaN, infinite, null or (for int data) not a whole number from 0. The
 * message names the column and the row (the Dataset's order, counting from 1).
 */
public final class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }
}
