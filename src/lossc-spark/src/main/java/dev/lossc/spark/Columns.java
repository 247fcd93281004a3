package dev.lossc.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Where each input's numbers are in a Dataset's rows: the names {@code lossc train} uses for CSV
 * (one column per element of a row, {@code X[0]} … {@code X[783]}, or {@code X[0][3][5]} for a tensor's,
 * a lone {@code labels} for one number per row), or one array column per input ({@code X}, an array
 * of the row's numbers in row-major order). The schema is checked on the driver; the cells when a
 * partition is converted, before training.
 */
final class Columns implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final List<GeneratedModel.Input> inputs;
    private final boolean batched;
    /** Per input: the position of its array column, or -1 when it has one column per element. */
    private final int[] array;
    /** Per input: its element columns' positions and names (one each for an array column). */
    private final int[][] at;
    private final String[][] names;
    final int[] perRow;

    private Columns(GeneratedModel m, int[] array, int[][] at, String[][] names) {
        this.inputs = m.inputs;
        this.batched = m.batched;
        this.array = array;
        this.at = at;
        this.names = names;
        this.perRow = new int[inputs.size()];
        for (int i = 0; i < perRow.length; i++) {
            perRow[i] = inputs.get(i).perRow(batched);
        }
    }

    /** The column names of one input in its flat order, as {@code lossc train} reads CSV. */
    static List<String> elementNames(GeneratedModel.Input in, boolean batched) {
        int[] sizes = in.shape();
        List<String> out = new ArrayList<>();
        if (batched ? sizes.length <= 1 : sizes.length == 0) {
            out.add(in.name());
            return out;
        }
        int from = batched ? 1 : 0;
        int count = in.perRow(batched);
        for (int e = 0; e < count; e++) {
            StringBuilder name = new StringBuilder();
            int rest = e;
            for (int k = sizes.length - 1; k >= from; k--) {
                name.insert(0, "[" + rest % sizes[k] + "]");
                rest /= sizes[k];
            }
            out.add(in.name() + name);
        }
        return out;
    }

    /** The columns of {@code schema} that feed {@code m}'s inputs; a missing or mistyped one is a {@link DataException}. */
    static Columns of(GeneratedModel m, StructType schema) {
        List<String> fields = List.of(schema.fieldNames());
        int n = m.inputs.size();
        int[] array = new int[n];
        int[][] at = new int[n][];
        String[][] names = new String[n][];
        for (int i = 0; i < n; i++) {
            GeneratedModel.Input in = m.inputs.get(i);
            List<String> elements = elementNames(in, m.batched);
            int whole = fields.indexOf(in.name());
            if (whole >= 0 && schema.fields()[whole].dataType() instanceof ArrayType t) {
                if (!(t.elementType() instanceof NumericType)) {
                    throw new DataException("column '" + in.name() + "' is an array of " + t.elementType().simpleString()
                            + ", but input " + in.name() + " takes numbers");
                }
                array[i] = whole;
                at[i] = new int[] {whole};
                names[i] = new String[] {in.name()};
                continue;
            }
            array[i] = -1;
            at[i] = new int[elements.size()];
            names[i] = elements.toArray(String[]::new);
            for (int e = 0; e < elements.size(); e++) {
                int k = fields.indexOf(elements.get(e));
                if (k < 0) {
                    throw new DataException("no column '" + elements.get(e) + "' for input " + in.name() + " (" + shape(in) + ")"
                            + (elements.size() > 1 ? ": give columns '" + elements.get(0) + "' … '" + elements.get(elements.size() - 1)
                            + "', or one array column '" + in.name() + "'" : ""));
                }
                DataType type = schema.fields()[k].dataType();
                if (!(type instanceof NumericType)) {
                    throw new DataException("column '" + elements.get(e) + "' is " + type.simpleString() + ", but input " + in.name()
                            + " takes " + (in.integer() ? "whole numbers" : "numbers"));
                }
                at[i][e] = k;
            }
        }
        return new Columns(m, array, at, names);
    }

    private static String shape(GeneratedModel.Input in) {
        return (in.integer() ? "int " : "") + java.util.Arrays.toString(in.shape());
    }

    /** Partition {@code partition}'s rows (each with its index in the data), converted; a bad cell is a {@link DataException}. */
    Block convert(int partition, Iterator<Tuple2<Row, Long>> rows) {
        List<long[]> ids = new ArrayList<>();
        List<Object[]> chunks = new ArrayList<>();
        int count = 0;
        long[] idChunk = new long[256];
        Object[] chunk = newChunk(256);
        while (rows.hasNext()) {
            Tuple2<Row, Long> t = rows.next();
            if (count == idChunk.length) {
                ids.add(idChunk);
                chunks.add(chunk);
                idChunk = new long[256];
                chunk = newChunk(256);
                count = 0;
            }
            idChunk[count] = t._2();
            read(t._1(), t._2(), chunk, count);
            count++;
        }
        ids.add(java.util.Arrays.copyOf(idChunk, count));
        chunks.add(chunk);
        int total = (ids.size() - 1) * 256 + count;
        long[] all = new long[total];
        Object[] data = newChunk(total);
        for (int c = 0; c < ids.size(); c++) {
            int n = c == ids.size() - 1 ? count : 256;
            System.arraycopy(ids.get(c), 0, all, c * 256, n);
            for (int i = 0; i < data.length; i++) {
                System.arraycopy(chunks.get(c)[i], 0, data[i], c * 256 * perRow[i], n * perRow[i]);
            }
        }
        return new Block(partition, all, data);
    }

    private Object[] newChunk(int rows) {
        Object[] out = new Object[inputs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = inputs.get(i).integer() ? new int[rows * perRow[i]] : new double[rows * perRow[i]];
        }
        return out;
    }

    /** Row {@code id}'s numbers into row {@code r} of {@code into}. */
    private void read(Row row, long id, Object[] into, int r) {
        for (int i = 0; i < inputs.size(); i++) {
            GeneratedModel.Input in = inputs.get(i);
            int w = perRow[i];
            if (array[i] >= 0) {
                if (row.isNullAt(array[i])) {
                    throw bad(in.name(), id, "is null");
                }
                List<?> cells = cells(row.get(array[i]));
                if (cells.size() != w) {
                    throw bad(in.name(), id, "holds " + cells.size() + " numbers, but a row of input " + in.name() + " has " + w);
                }
                for (int e = 0; e < w; e++) {
                    store(in, into[i], r * w + e, cells.get(e), in.name() + "[" + e + "]", id);
                }
            } else {
                for (int e = 0; e < w; e++) {
                    int k = at[i][e];
                    store(in, into[i], r * w + e, row.isNullAt(k) ? null : row.get(k), names[i][e], id);
                }
            }
        }
    }

    /** An array cell's numbers, however Spark hands it over: a Scala sequence, a Java list or a Java array. */
    private static List<?> cells(Object cell) {
        if (cell instanceof scala.collection.Seq<?> seq) {
            return scala.jdk.javaapi.CollectionConverters.asJava(seq);
        }
        if (cell instanceof List<?> list) {
            return list;
        }
        if (cell != null && cell.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(cell);
            List<Object> out = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                out.add(java.lang.reflect.Array.get(cell, k));
            }
            return out;
        }
        throw new IllegalStateException("an array column held " + (cell == null ? "null" : cell.getClass().getName()));
    }

    private static void store(GeneratedModel.Input in, Object into, int at, Object cell, String column, long id) {
        if (cell == null) {
            throw bad(column, id, "is null");
        }
        double v = ((Number) cell).doubleValue();
        if (in.integer()) {
            if (!(v >= 0 && v <= Integer.MAX_VALUE && v == Math.rint(v))) {
                throw bad(column, id, "is " + cell + ", but input " + in.name() + " takes whole numbers from 0 (class labels, token ids)");
            }
            ((int[]) into)[at] = (int) v;
        } else {
            if (!Double.isFinite(v)) {
                throw bad(column, id, "is " + v);
            }
            ((double[]) into)[at] = v;
        }
    }

    /** The arrays one call of the model reads, for up to {@code rows} rows; a call of fewer rows reads their start (the generated methods accept longer arrays). */
    static final class Buffers {
        final int[] perRow;
        final Object[] data;

        private Buffers(int[] perRow, Object[] data) {
            this.perRow = perRow;
            this.data = data;
        }

        private static final ThreadLocal<java.util.Map<String, Buffers>> LOCAL = ThreadLocal.withInitial(java.util.HashMap::new);

        /** This thread's buffers for {@code m}, made on first use. */
        static Buffers of(GeneratedModel m, int rows) {
            return LOCAL.get().computeIfAbsent(m.className, k -> {
                int[] w = new int[m.inputs.size()];
                Object[] d = new Object[w.length];
                for (int i = 0; i < w.length; i++) {
                    w[i] = m.inputs.get(i).perRow(m.batched);
                    d[i] = m.inputs.get(i).integer() ? new int[rows * w[i]] : new double[rows * w[i]];
                }
                return new Buffers(w, d);
            });
        }

        private final java.util.Map<String, double[]> outputs = new java.util.HashMap<>();

        /** A buffer for output {@code name} of {@link GeneratedModel#maxRows} rows, found by asking the class its size. */
        double[] output(String name, GeneratedModel m) {
            return outputs.computeIfAbsent(name, k -> new double[m.outputSize(name)]);
        }

    }

    private static DataException bad(String column, long id, String what) {
        return new DataException("column '" + column + "', row " + (id + 1) + ": the value " + what);
    }
}
