package dev.lossc.cli;

import dev.lossc.ModelLayout;
import dev.lossc.types.Shape;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Training data from a CSV file with a header row: one example per row, its columns mapped to the
 * model's inputs by name. In a model whose inputs are batches (their first size is a dim that
 * varies per call, {@code X[B, D]}), a row is one row of each input: columns {@code X[0]} …
 * {@code X[D-1]}, and {@code labels} for an int vector {@code labels[B]}. Otherwise a row holds
 * every input whole: {@code y} for a scalar, {@code x[0]} … for a vector, {@code M[i][j]} for a
 * matrix. Values are stored per input, row after row.
 */
final class CsvData {
    /** A problem with the file: where (line 0: the file as a whole) and what. */
    static final class Problem extends Exception {
        final long line;

        Problem(long line, String message) {
            super(message);
            this.line = line;
        }
    }

    final int rows;
    /** Per input: its values, {@link #width} of them per row. */
    final Map<String, double[]> values;
    final Map<String, Integer> width;

    private CsvData(int rows, Map<String, double[]> values, Map<String, Integer> width) {
        this.rows = rows;
        this.values = values;
        this.width = width;
    }

    /** True if every input of the model is a batch: its first size varies per call. */
    static boolean batched(ModelLayout model) {
        return !model.dims().isEmpty();
    }

    /** The column names of one input, in its flat order. */
    static List<String> columns(ModelLayout.Slot in, boolean batched) {
        Shape s = in.shape();
        List<String> names = new ArrayList<>();
        if (batched) {
            if (s.isMatrix()) {
                for (int j = 0; j < s.cols(); j++) {
                    names.add(in.name() + "[" + j + "]");
                }
            } else {
                names.add(in.name());
            }
        } else if (s.isScalar()) {
            names.add(in.name());
        } else if (s.isVector()) {
            for (int j = 0; j < s.cols(); j++) {
                names.add(in.name() + "[" + j + "]");
            }
        } else {
            for (int i = 0; i < s.rows(); i++) {
                for (int j = 0; j < s.cols(); j++) {
                    names.add(in.name() + "[" + i + "][" + j + "]");
                }
            }
        }
        return names;
    }

    /**
     * Reads a file's bytes for {@code model}; every problem is a {@link Problem} at its line, bytes
     * that are not UTF-8 a {@link java.nio.charset.CharacterCodingException}.
     */
    static CsvData read(byte[] file, ModelLayout model) throws Problem, java.nio.charset.CharacterCodingException {
        boolean batched = batched(model);
        if (batched) {
            for (ModelLayout.Slot in : model.inputs()) {
                if (in.shape().isScalar() || !in.shape().lengthAxis().varies()) {
                    throw new Problem(0, "input " + in.name() + " has shape " + in.shape() + ": in a model with a dim that varies per call, "
                            + "train needs every input to be a batch (its first size the varying dim), one CSV row per row");
                }
            }
        }
        CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get();
        // Decoded strictly first: a malformed byte is an error, not a replacement character.
        String content = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(file)).toString();
        try (Reader reader = new java.io.StringReader(content); CSVParser csv = CSVParser.parse(reader, format)) {
            List<String> header = csv.getHeaderNames();
            Set<String> seen = new HashSet<>();
            for (String h : header) {
                if (!seen.add(h)) {
                    throw new Problem(1, "column '" + h + "' appears twice");
                }
            }
            Map<String, int[]> index = new LinkedHashMap<>();
            Set<String> used = new HashSet<>();
            for (ModelLayout.Slot in : model.inputs()) {
                List<String> names = columns(in, batched);
                int[] at = new int[names.size()];
                for (int k = 0; k < names.size(); k++) {
                    at[k] = header.indexOf(names.get(k));
                    if (at[k] < 0) {
                        throw new Problem(1, "no column '" + names.get(k) + "' for input " + in.name() + " (it needs "
                                + describe(names) + ")");
                    }
                    used.add(names.get(k));
                }
                index.put(in.name(), at);
            }
            for (String h : header) {
                if (!used.contains(h)) {
                    throw new Problem(1, "column '" + h + "' is not a column of any input of " + model.className());
                }
            }
            Map<String, List<double[]>> rows = new LinkedHashMap<>();
            model.inputs().forEach(in -> rows.put(in.name(), new ArrayList<>()));
            int count = 0;
            for (CSVRecord r : csv) {
                long line = r.getRecordNumber() + 1;   // the header is line 1
                if (r.size() != header.size()) {
                    throw new Problem(line, r.size() + (r.size() == 1 ? " value" : " values") + ", but the header has " + header.size() + " columns");
                }
                for (ModelLayout.Slot in : model.inputs()) {
                    int[] at = index.get(in.name());
                    double[] v = new double[at.length];
                    for (int k = 0; k < at.length; k++) {
                        String text = r.get(at[k]);
                        String column = header.get(at[k]);
                        double d;
                        try {
                            d = Double.parseDouble(text);
                        } catch (NumberFormatException e) {
                            throw new Problem(line, "column '" + column + "': '" + shorten(text) + "' is not a number");
                        }
                        if (in.integer()) {
                            if (d != Math.rint(d)) {
                                throw new Problem(line, "column '" + column + "': " + text + " is not an integer (input " + in.name() + " is int)");
                            }
                            if (d < 0 || (in.limit() > 0 && d >= in.limit())) {
                                throw new Problem(line, "column '" + column + "': " + text + " is outside the valid range 0.."
                                        + (in.limit() - 1) + " of input " + in.name());
                            }
                        } else if (!Double.isFinite(d)) {
                            throw new Problem(line, "column '" + column + "': " + text + " is not finite");
                        }
                        v[k] = d;
                    }
                    rows.get(in.name()).add(v);
                }
                count++;
            }
            if (count == 0) {
                throw new Problem(0, "no data rows after the header");
            }
            Map<String, double[]> values = new LinkedHashMap<>();
            Map<String, Integer> width = new LinkedHashMap<>();
            for (ModelLayout.Slot in : model.inputs()) {
                int w = index.get(in.name()).length;
                double[] all = new double[count * w];
                List<double[]> list = rows.get(in.name());
                for (int i = 0; i < count; i++) {
                    System.arraycopy(list.get(i), 0, all, i * w, w);
                }
                values.put(in.name(), all);
                width.put(in.name(), w);
            }
            return new CsvData(count, values, width);
        } catch (IOException | java.io.UncheckedIOException | IllegalStateException | IllegalArgumentException e) {
            // Commons CSV reports malformed quoting, a missing or duplicate header this way (the text is in memory: no I/O fails).
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new Problem(0, "not a valid CSV file: " + shorten(message));
        }
    }

    /** The rows {@code order[from] … order[to - 1]}, by input: a batch. */
    Map<String, double[]> rows(int[] order, int from, int to) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : values.entrySet()) {
            int w = width.get(e.getKey());
            double[] v = new double[(to - from) * w];
            for (int i = from; i < to; i++) {
                System.arraycopy(e.getValue(), order[i] * w, v, (i - from) * w, w);
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    /** The first {@code n} rows (after a shuffle with {@code seed}) and the rest: a hold-out split. */
    CsvData[] split(double share, long seed) {
        int held = (int) Math.round(rows * share);
        if (held < 1 || held >= rows) {
            return null;
        }
        int[] order = shuffled(rows, new java.util.SplittableRandom(seed));
        return new CsvData[] {subset(order, held, rows), subset(order, 0, held)};
    }

    private CsvData subset(int[] order, int from, int to) {
        return new CsvData(to - from, rows(order, from, to), width);
    }

    /** 0 … n-1. */
    static int[] inOrder(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** 0 … n-1 in a random order (Fisher–Yates). */
    static int[] shuffled(int n, java.util.SplittableRandom rnd) {
        int[] order = inOrder(n);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static String describe(List<String> names) {
        return names.size() == 1 ? "'" + names.get(0) + "'" : "'" + names.get(0) + "' … '" + names.get(names.size() - 1) + "'";
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
