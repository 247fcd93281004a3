package dev.lossc.cli;

import dev.lossc.ModelLayout;
import dev.lossc.types.Shape;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    /** Per input: its values, row after row. */
    private final Map<String, Column> columns;

    private CsvData(int rows, Map<String, Column> columns) {
        this.rows = rows;
        this.columns = columns;
    }

    /** True if every input of the model is a batch: its first size varies per call. */
    static boolean batched(ModelLayout model) {
        return !model.dims().isEmpty();
    }

    /** The column names of one input, in its flat order. */
    static List<String> columns(ModelLayout.Slot in, boolean batched) {
        Shape s = in.shape();
        List<String> names = new ArrayList<>();
        if (batched ? s.rank() <= 1 : s.isScalar()) {
            names.add(in.name());
            return names;
        }
        // One column per element of a row (batched: the axes after the first), named by its position.
        int[] sizes = s.sizes();
        int from = batched ? 1 : 0;
        int count = 1;
        for (int k = from; k < sizes.length; k++) {
            count *= sizes[k];
        }
        for (int e = 0; e < count; e++) {
            StringBuilder name = new StringBuilder(in.name());
            int rest = e;
            String[] parts = new String[sizes.length - from];
            for (int k = sizes.length - 1; k >= from; k--) {
                parts[k - from] = "[" + rest % sizes[k] + "]";
                rest /= sizes[k];
            }
            for (String part : parts) {
                name.append(part);
            }
            names.add(name.toString());
        }
        return names;
    }

    /**
     * Reads {@code file} for {@code model}, streaming its rows into one array per input; every problem
     * is a {@link Problem} at its line, bytes that are not UTF-8 a
     * {@link java.nio.charset.CharacterCodingException}. The file is not held in memory: what stays
     * is the numbers, 8 bytes each.
     */
    static CsvData read(java.nio.file.Path file, ModelLayout model) throws Problem, java.nio.charset.CharacterCodingException {
        boolean batched = batched(model);
        if (batched) {
            for (ModelLayout.Slot in : model.inputs()) {
                if (in.shape().isScalar() || !in.shape().lengthAxis().varies()) {
                    throw new Problem(0, "input " + in.name() + " has shape " + in.shape() + ": in a model with a dim that varies per call, "
                            + "train needs every input to be a batch (its first size the varying dim), one CSV row per row");
                }
            }
        }
        CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setIgnoreEmptyLines(true)
                .setAllowMissingColumnNames(true).setDuplicateHeaderMode(org.apache.commons.csv.DuplicateHeaderMode.ALLOW_ALL).get();
        try (Reader reader = utf8(file); CSVParser csv = CSVParser.parse(reader, format)) {
            // Spaces and tabs around a cell are dropped (by lossc, not the parser: its trim would drop NUL bytes too).
            List<String> header = csv.getHeaderNames().stream().map(CsvData::trim).toList();
            // Linear in the number of columns: one map from name to column.
            Map<String, Integer> columnOf = new java.util.HashMap<>();
            for (int k = 0; k < header.size(); k++) {
                String h = header.get(k);
                if (h.isEmpty()) {
                    throw new Problem(1, "column " + (k + 1) + " of the header has no name");
                }
                if (columnOf.putIfAbsent(h, k) != null) {
                    throw new Problem(1, "column '" + quote(h) + "' appears twice");
                }
            }
            Map<String, int[]> index = new LinkedHashMap<>();
            boolean[] used = new boolean[header.size()];
            for (ModelLayout.Slot in : model.inputs()) {
                List<String> names = columns(in, batched);
                int[] at = new int[names.size()];
                for (int k = 0; k < names.size(); k++) {
                    Integer column = columnOf.get(names.get(k));
                    if (column == null) {
                        throw new Problem(1, "no column '" + names.get(k) + "' for input " + in.name() + " (it needs "
                                + describe(names) + ")");
                    }
                    at[k] = column;
                    used[column] = true;
                }
                index.put(in.name(), at);
            }
            for (int k = 0; k < header.size(); k++) {
                if (!used[k]) {
                    throw new Problem(1, "column '" + quote(header.get(k)) + "' is not a column of any input of " + model.className());
                }
            }
            Map<String, Column> columns = new LinkedHashMap<>();
            model.inputs().forEach(in -> columns.put(in.name(), new Column(index.get(in.name()).length)));
            int count = 0;
            java.util.Iterator<CSVRecord> records = csv.iterator();
            while (next(records, csv)) {
                CSVRecord r = records.next();
                if (r.size() == 1 && header.size() > 1 && trim(r.get(0)).isEmpty()) {
                    continue;   // a line of spaces: blank
                }
                long line = startLine(r, csv);
                if (r.size() != header.size()) {
                    throw new Problem(line, r.size() + (r.size() == 1 ? " value" : " values") + ", but the header has " + header.size() + " columns");
                }
                if (count == Integer.MAX_VALUE - 8) {
                    throw new Problem(line, "more than " + (Integer.MAX_VALUE - 8) + " rows");
                }
                for (ModelLayout.Slot in : model.inputs()) {
                    int[] at = index.get(in.name());
                    Column into = columns.get(in.name());
                    for (int k = 0; k < at.length; k++) {
                        into.add(cell(trim(r.get(at[k])), header.get(at[k]), in, line));
                    }
                }
                count++;
            }
            if (count == 0) {
                throw new Problem(0, "no data rows after the header");
            }
            return new CsvData(count, columns);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw e;
        } catch (IOException e) {
            throw new Problem(0, "cannot read the file: " + quote(String.valueOf(e.getMessage())));
        }
    }

    /** Without the spaces and tabs around it. */
    private static String trim(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    /** The file as UTF-8 text, decoded strictly (a malformed byte is an error, not a replacement character), without a byte-order mark. */
    private static Reader utf8(java.nio.file.Path file) throws IOException {
        java.io.InputStream in = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file), 1 << 16);
        in.mark(3);
        byte[] bom = in.readNBytes(3);
        if (!(bom.length == 3 && (bom[0] & 0xFF) == 0xEF && (bom[1] & 0xFF) == 0xBB && (bom[2] & 0xFF) == 0xBF)) {
            in.reset();
        }
        return new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)), 1 << 16);
    }

    /**
     * Whether there is another record; a malformed file (an unclosed quote, text after a closing
     * quote, bytes that are not UTF-8) is a {@link Problem} in lossc's words at the line the parser
     * reached.
     */
    private static boolean next(java.util.Iterator<CSVRecord> records, CSVParser csv) throws Problem, java.nio.charset.CharacterCodingException {
        try {
            return records.hasNext();
        } catch (java.io.UncheckedIOException | IllegalStateException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof java.nio.charset.CharacterCodingException coding) {
                throw coding;
            }
            String message = String.valueOf(cause.getMessage());
            long line = csv.getCurrentLineNumber();
            if (message.contains("EOF reached before encapsulated token finished")) {
                int start = message.indexOf("(startline ");
                long from = start < 0 ? line : Long.parseLong(message.substring(start + 11, message.indexOf(')', start)));
                throw new Problem(from, "a quoted value opened on this line is not closed before the end of the file");
            }
            if (message.contains("Invalid character between encapsulated token and delimiter")) {
                throw new Problem(line, "a quoted value is followed by other characters before the next comma");
            }
            if (cause instanceof IOException io && !(cause.getClass().getName().startsWith("org.apache"))) {
                throw new Problem(0, "cannot read the file: " + quote(String.valueOf(io.getMessage())));
            }
            throw new Problem(line, "not a valid CSV line");
        }
    }

    /** The line a record starts on: the parser is at the line where it ends, after any line breaks quoted in its values. */
    private static long startLine(CSVRecord r, CSVParser csv) {
        long end = csv.getCurrentLineNumber();
        long breaks = 0;
        for (int k = 0; k < r.size(); k++) {
            String v = r.get(k);
            for (int i = v.indexOf('\n'); i >= 0; i = v.indexOf('\n', i + 1)) {
                breaks++;
            }
        }
        return Math.max(2, end - breaks);
    }

    /** One cell as a number, by JSON's grammar; for an int input, an integer in its range. */
    private static double cell(String text, String column, ModelLayout.Slot in, long line) throws Problem {
        double d;
        try {
            d = dev.lossc.Numbers.json(text);
        } catch (dev.lossc.Numbers.NotANumber e) {
            throw new Problem(line, "column '" + quote(column) + "': '" + quote(text) + "' " + e.getMessage());
        }
        if (in.integer()) {
            if (d != Math.rint(d)) {
                throw new Problem(line, "column '" + quote(column) + "': " + quote(text) + " is not an integer (input " + in.name() + " is int)");
            }
            if (d < 0 || (in.limit() > 0 && d >= in.limit())) {
                throw new Problem(line, "column '" + quote(column) + "': " + quote(text) + " is outside the valid range 0.."
                        + (in.limit() - 1) + " of input " + in.name());
            }
        }
        return d;
    }

    /**
     * One input's numbers, {@code width} per row, in chunks of whole rows (about 64 Ki numbers each):
     * growing never copies, and the numbers are never held twice.
     */
    private static final class Column {
        final int width;
        final int rowsPerChunk;
        final List<double[]> chunks = new ArrayList<>();
        private double[] current;
        private int used;

        Column(int width) {
            this.width = width;
            this.rowsPerChunk = Math.max(1, (1 << 16) / Math.max(1, width));
        }

        void add(double v) {
            if (current == null || used == current.length) {
                current = new double[rowsPerChunk * width];
                chunks.add(current);
                used = 0;
            }
            current[used++] = v;
        }

        /** Copies row {@code row} into {@code into} at {@code at}. */
        void copyRow(int row, double[] into, int at) {
            System.arraycopy(chunks.get(row / rowsPerChunk), (row % rowsPerChunk) * width, into, at, width);
        }
    }

    /** The rows {@code order[from] … order[to - 1]}, by input: a batch. */
    Map<String, double[]> rows(int[] order, int from, int to) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Column> e : columns.entrySet()) {
            Column c = e.getValue();
            double[] v = new double[(to - from) * c.width];
            for (int i = from; i < to; i++) {
                c.copyRow(order[i], v, (i - from) * c.width);
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
        Map<String, Column> out = new LinkedHashMap<>();
        for (Map.Entry<String, Column> e : columns.entrySet()) {
            Column c = e.getValue();
            Column part = new Column(c.width);
            double[] row = new double[c.width];
            for (int i = from; i < to; i++) {
                c.copyRow(order[i], row, 0);
                for (double x : row) {
                    part.add(x);
                }
            }
            out.put(e.getKey(), part);
        }
        return new CsvData(to - from, out);
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
        return dev.lossc.runtime.Shuffle.order(n, rnd);
    }

    private static String describe(List<String> names) {
        return names.size() == 1 ? "'" + names.get(0) + "'" : "'" + names.get(0) + "' … '" + names.get(names.size() - 1) + "'";
    }

    /** At most about 100 characters of a cell or a name, as diagnostics quote a source line. */
    private static String quote(String s) {
        return dev.lossc.Numbers.quote(s, dev.lossc.diag.Limits.MAX_QUOTED_LINE);
    }
}
