package dev.lossc.spark;

/**
 * The rows of one partition, converted once into contiguous primitive arrays and cached: for each
 * input, every row's numbers one after the other ({@code double[]} for real data, {@code int[]} for
 * int data), and each row's index in the whole data set. The training loop reads these, never rows.
 */
final class Block implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    final int partition;
    /** Each row's index in the data (the order of the Dataset, from 0). */
    final long[] rows;
    /** Per input, in the model's order: a {@code double[]} or an {@code int[]} of {@code rows.length * perRow} numbers. */
    final Object[] data;

    Block(int partition, long[] rows, Object[] data) {
        this.partition = partition;
        this.rows = rows;
        this.data = data;
    }

    int size() {
        return rows.length;
    }

    /**
     * Rows {@code pick[from..to)} (local indices) gathered into {@code into}, input by input, as a call takes them.
     * {@code into} holds arrays of at least that many rows.
     */
    void gather(int[] pick, int from, int to, int[] perRow, Object[] into) {
        for (int i = 0; i < data.length; i++) {
            int w = perRow[i];
            for (int r = from; r < to; r++) {
                System.arraycopy(data[i], pick[r] * w, into[i], (r - from) * w, w);
            }
        }
    }
}
