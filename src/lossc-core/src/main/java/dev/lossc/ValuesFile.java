package dev.lossc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Pos;
import dev.lossc.diag.Reporter;
import dev.lossc.types.Shape;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a VALUES.json file: one object keyed by input and param names, holding a number for a
 * scalar, an array for a vector and an array of row arrays for a matrix (one nesting level per
 * axis). Non-finite numbers may be written as the strings "NaN", "Infinity" and "-Infinity"; a
 * number too large for a double ({@code 1e400}) is an error at its place, never an infinity. The
 * file is streamed: each value goes straight into a {@code double[]} (a 256 MiB file takes the
 * memory of its numbers, 8 bytes each, not of its text). A UTF-8 byte-order mark is skipped.
 * Positions are kept so that every problem is reported at its key.
 */
public final class ValuesFile {
    /** The deepest nesting of arrays read; deeper values are refused (no shape has that many axes). */
    static final int MAX_DEPTH = 32;

    /**
     * A value as written: its numbers in order (rows after one another, whatever the nesting) and
     * the length of each nesting level ({@code []} for a number), or, when it is not a regular
     * array of numbers, what it is instead ({@code problem}: "a string", "an array of mixed values", …).
     */
    public record Entry(String name, Pos pos, double[] numbers, int[] dims, String problem) {
        /** Every number of the value, rows after one another. */
        public double[] flat() {
            return numbers;
        }

        public boolean numeric() {
            return problem == null;
        }
    }

    private ValuesFile() {}

    /**
     * The values for every input and param of {@code model}, flat (matrices row-major), or null
     * when the file has errors: every missing, unknown, duplicated or misshapen value is reported
     * at its place. {@code inputs} and {@code params} receive the values by name.
     */
    public static boolean read(String text, ModelLayout model, Reporter reporter, Map<String, double[]> inputs,
                               Map<String, double[]> params) {
        return read(text, model, reporter, inputs, params, false);
    }

    /**
     * As {@link #read(String, ModelLayout, Reporter, Map, Map)}; with {@code paramsOptional}, a param
     * the file does not name is left out of {@code params} instead of being an error (eval --seed).
     */
    public static boolean read(String text, ModelLayout model, Reporter reporter, Map<String, double[]> inputs,
                               Map<String, double[]> params, boolean paramsOptional) {
        return read(parse(text, reporter), model, reporter, inputs, params, paramsOptional);
    }

    /** As {@link #read(String, ModelLayout, Reporter, Map, Map, boolean)}, streaming {@code file}. */
    public static boolean read(java.nio.file.Path file, ModelLayout model, Reporter reporter, Map<String, double[]> inputs,
                               Map<String, double[]> params, boolean paramsOptional) throws IOException {
        return read(parse(file, reporter), model, reporter, inputs, params, paramsOptional, name -> true);
    }

    /**
     * As {@link #read(java.nio.file.Path, ModelLayout, Reporter, Map, Map, boolean)}; an input for
     * which {@code inputRequired} is false may be left out (an output needs only some inputs).
     */
    public static boolean read(java.nio.file.Path file, ModelLayout model, Reporter reporter, Map<String, double[]> inputs,
                               Map<String, double[]> params, boolean paramsOptional, java.util.function.Predicate<String> inputRequired)
            throws IOException {
        return read(parse(file, reporter), model, reporter, inputs, params, paramsOptional, inputRequired);
    }

    private static boolean read(Map<String, Entry> entries, ModelLayout model, Reporter reporter, Map<String, double[]> inputs,
                                Map<String, double[]> params, boolean paramsOptional) {
        return read(entries, model, reporter, inputs, params, paramsOptional, name -> true);
    }

    private static boolean read(Map<String, Entry> entries, ModelLayout model, Reporter reporter, Map<String, double[]> inputs,
                                Map<String, double[]> params, boolean paramsOptional, java.util.function.Predicate<String> inputRequired) {
        if (entries == null) {
            return false;
        }
        java.util.Set<String> known = new java.util.HashSet<>();
        for (ModelLayout.Slot in : model.inputs()) {
            known.add(in.name());
            if (!entries.containsKey(in.name()) && !inputRequired.test(in.name())) {
                continue;
            }
            double[] v = take(entries, "input", in.name(), in.shape(), reporter);
            if (v != null && in.integer()) {
                v = integers(in, v, entries.get(in.name()).pos(), reporter);
            }
            inputs.put(in.name(), v);
        }
        // All inputs sized by one varying dim give it the same size (V008 at each that disagrees).
        model.sizes(inputs, (first, other, dim, a, b) ->
                reporter.error(entries.get(other.name()).pos(), DiagnosticKind.VALUES_SIZES, first.name(), other.name(), dim, a, b));
        takeParams(entries, model, reporter, params, paramsOptional, known);
        reportUnknown(entries, known, model, reporter);
        return !reporter.hasErrors();
    }

    /** Every param's value into {@code params} (one the file leaves out is an error unless {@code optional}); their names into {@code known}. */
    private static void takeParams(Map<String, Entry> entries, ModelLayout model, Reporter reporter, Map<String, double[]> params,
                                   boolean optional, java.util.Set<String> known) {
        for (ModelLayout.Slot p : model.params()) {
            known.add(p.name());
            if (optional && !entries.containsKey(p.name())) {
                continue;
            }
            params.put(p.name(), take(entries, "param", p.name(), p.shape(), reporter));
        }
        // States (version 3) go with the params; one the file leaves out keeps its value (its init in a new model).
        for (ModelLayout.Slot s : model.states()) {
            known.add(s.name());
            if (entries.containsKey(s.name())) {
                params.put(s.name(), take(entries, "state", s.name(), s.shape(), reporter));
            }
        }
    }

    /** V004 at every entry whose name is not in {@code known}. */
    private static void reportUnknown(Map<String, Entry> entries, java.util.Set<String> known, ModelLayout model, Reporter reporter) {
        for (Entry e : entries.values()) {
            if (!known.contains(e.name())) {
                reporter.error(e.pos(), DiagnosticKind.VALUES_UNKNOWN, e.name(), model.className());
            }
        }
    }

    /**
     * A params file, as {@code lossc train --out} writes it: a value for every param of {@code model}
     * and nothing else (an input's name in it is V004, like any other unknown name).
     */
    public static boolean readParams(String text, ModelLayout model, Reporter reporter, Map<String, double[]> params) {
        return readParams(text, model, reporter, params, false);
    }

    /**
     * As {@link #readParams(String, ModelLayout, Reporter, Map)}; with {@code inputsIgnored}, the
     * file may also hold the model's inputs (a values file), which are skipped unread.
     */
    public static boolean readParams(String text, ModelLayout model, Reporter reporter, Map<String, double[]> params, boolean inputsIgnored) {
        return readParams(parse(text, reporter), model, reporter, params, inputsIgnored);
    }

    /** As {@link #readParams(String, ModelLayout, Reporter, Map, boolean)}, streaming {@code file}. */
    public static boolean readParams(java.nio.file.Path file, ModelLayout model, Reporter reporter, Map<String, double[]> params,
                                     boolean inputsIgnored) throws IOException {
        return readParams(parse(file, reporter), model, reporter, params, inputsIgnored);
    }

    private static boolean readParams(Map<String, Entry> entries, ModelLayout model, Reporter reporter, Map<String, double[]> params,
                                      boolean inputsIgnored) {
        if (entries == null) {
            return false;
        }
        java.util.Set<String> known = new java.util.HashSet<>();
        takeParams(entries, model, reporter, params, false, known);
        if (inputsIgnored) {
            model.inputs().forEach(in -> known.add(in.name()));
        }
        reportUnknown(entries, known, model, reporter);
        return !reporter.hasErrors();
    }

    /** An int input's values: integers, and within the range its uses allow. */
    private static double[] integers(ModelLayout.Slot in, double[] v, Pos pos, Reporter reporter) {
        String range = in.limit() > 0 ? "0.." + (in.limit() - 1) : "0.." + Integer.MAX_VALUE;
        long top = in.limit() > 0 ? in.limit() : (long) Integer.MAX_VALUE + 1;
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || v[i] < 0 || v[i] >= top) {
                int cols = in.shape().cols();
                String which = in.shape().isScalar() ? "the value" : in.shape().rank() >= 2 ? "element " + brackets(in.shape().position(i)) : "element " + i;
                reporter.error(pos, DiagnosticKind.VALUES_INT, in.name(), range, which, v[i] == Math.rint(v[i]) && Math.abs(v[i]) < 1e15 ? Long.toString((long) v[i]) : Double.toString(v[i]));
                return null;
            }
        }
        return v;
    }

    private static double[] take(Map<String, Entry> entries, String kind, String name, Shape shape, Reporter reporter) {
        Entry e = entries.get(name);
        if (e == null) {
            reporter.error(Pos.START, DiagnosticKind.VALUES_MISSING, kind, name, shape);
            return null;
        }
        double[] v = flatten(e, shape);
        if (v == null) {
            reporter.error(e.pos(), DiagnosticKind.VALUES_SHAPE, kind, name, shape, expected(shape), describe(e));
        }
        return v;
    }

    /** The entries of a values file's text, in file order, or null when it is not valid JSON or not one object. */
    public static Map<String, Entry> parse(String text, Reporter reporter) {
        try (JsonParser p = FACTORY.createParser(text.startsWith("\uFEFF") ? text.substring(1) : text)) {
            return parse(p, reporter);
        } catch (IOException e) {
            reporter.error(Pos.START, DiagnosticKind.VALUES_SYNTAX, "the file cannot be read");
            return null;
        }
    }

    /** The entries of a values file, streamed from {@code file} (its bytes decoded as UTF-8). */
    public static Map<String, Entry> parse(java.nio.file.Path file, Reporter reporter) throws IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file); JsonParser p = FACTORY.createParser(in)) {
            return parse(p, reporter);
        }
    }

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 2).build())
            .build();

    private static Map<String, Entry> parse(JsonParser p, Reporter reporter) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        try {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                reporter.error(first == null ? Pos.START : pos(p.currentTokenLocation()), DiagnosticKind.VALUES_NOT_OBJECT);
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                Pos at = pos(p.currentTokenLocation());
                p.nextToken();
                Numbers numbers = new Numbers();
                Object shape = value(p, name, numbers, 0, reporter);
                if (entries.containsKey(name)) {
                    reporter.error(at, DiagnosticKind.VALUES_DUPLICATE, name);
                } else if (shape instanceof int[] dims) {
                    entries.put(name, new Entry(name, at, numbers.array(), dims, null));
                } else {
                    entries.put(name, new Entry(name, at, new double[0], null, (String) shape));
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                reporter.error(pos(p.currentTokenLocation()), DiagnosticKind.VALUES_SYNTAX, "unexpected content after the object");
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            reporter.error(loc == null ? Pos.START : pos(loc), DiagnosticKind.VALUES_SYNTAX, inWords(e));
            return null;
        } catch (java.nio.charset.CharacterCodingException e) {
            reporter.error(Pos.START, DiagnosticKind.VALUES_SYNTAX, "the file is not UTF-8 text (invalid byte sequence)");
            return null;
        } catch (IOException e) {
            reporter.error(Pos.START, DiagnosticKind.VALUES_SYNTAX, "the file cannot be read: " + e.getMessage());
            return null;
        }
        return reporter.hasErrors() ? null : entries;
    }

    /**
     * A JSON parser's complaint in lossc's words: the kind of mistake, never the parser's classes
     * or its own phrasing (the position is the diagnostic's).
     */
    static String inWords(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.startsWith("Unexpected end-of-input")) {
            return "the file ends inside an object or array";
        }
        if (m.startsWith("Unexpected character") || m.startsWith("Unexpected close marker")) {
            int q = m.indexOf("('");
            int end = q < 0 ? -1 : m.indexOf("' (code", q);
            String ch = end > q + 2 ? m.substring(q + 2, end) : null;
            return ch == null ? "unexpected character" : "unexpected character '" + dev.lossc.Numbers.quote(ch, 10) + "'";
        }
        if (m.startsWith("Unrecognized token")) {
            int q = m.indexOf('\'');
            int end = q < 0 ? -1 : m.indexOf('\'', q + 1);
            String token = end > q ? m.substring(q + 1, end) : "";
            return "'" + dev.lossc.Numbers.quote(token, 40) + "' is not a JSON value (expected a number, a string, an array or an object)";
        }
        if (m.startsWith("Non-standard token")) {
            return "NaN and infinities are written as strings in JSON: \"NaN\", \"Infinity\", \"-Infinity\"";
        }
        if (m.contains("Leading zeroes not allowed") || m.contains("Invalid numeric value") || m.contains("Invalid JSON Number")) {
            return "not a valid JSON number";
        }
        if (m.contains("Invalid UTF-8") || m.contains("Invalid UTF")) {
            return "the file is not UTF-8 text (invalid byte sequence)";
        }
        if (m.contains("exceeds the maximum") && m.contains("ength")) {
            return "a number or string longer than JSON readers accept";
        }
        if (m.contains("nesting depth") || m.contains("Depth")) {
            return "arrays nested more than " + MAX_DEPTH + " levels deep";
        }
        if (m.contains("Illegal unquoted character") || m.contains("Unexpected end-of-String") || m.contains("Unrecognized character escape")) {
            return "a string with an invalid character or escape";
        }
        if (m.contains("was expecting double-quote to start field name")) {
            return "expected a name in double quotes";
        }
        return "not valid JSON here";
    }

    private static Pos pos(JsonLocation loc) {
        return new Pos(Math.max(1, (int) Math.min(Integer.MAX_VALUE, loc.getLineNr())), Math.max(1, loc.getColumnNr()));
    }

    /** A growable array of doubles: doubling, then trimmed once. */
    private static final class Numbers {
        private double[] items = new double[16];
        private int size;

        void add(double v) {
            if (size == items.length) {
                if (items.length >= Integer.MAX_VALUE - 8) {
                    throw new OutOfMemoryError("more than " + (Integer.MAX_VALUE - 8) + " numbers in one value");
                }
                items = java.util.Arrays.copyOf(items, (int) Math.min(Integer.MAX_VALUE - 8, items.length * 2L));
            }
            items[size++] = v;
        }

        double[] array() {
            return size == items.length ? items : java.util.Arrays.copyOf(items, size);
        }
    }

    /**
     * Reads one value into {@code numbers}; returns its nesting lengths ({@code int[]}) when it is a
     * regular array of numbers (or a number), otherwise a description (String) of what it is.
     */
    private static Object value(JsonParser p, String name, Numbers numbers, int depth, Reporter reporter) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                double d = p.getDoubleValue();
                if (Double.isInfinite(d)) {
                    reporter.error(pos(p.currentTokenLocation()), DiagnosticKind.VALUES_NUMBER_RANGE, name,
                            dev.lossc.Numbers.quote(p.getText(), 40));
                }
                numbers.add(d);
                return new int[0];
            }
            case VALUE_STRING -> {
                switch (p.getText()) {
                    case "NaN" -> numbers.add(Double.NaN);
                    case "Infinity" -> numbers.add(Double.POSITIVE_INFINITY);
                    case "-Infinity" -> numbers.add(Double.NEGATIVE_INFINITY);
                    default -> {
                        return "a string";
                    }
                }
                return new int[0];
            }
            case START_ARRAY -> {
                if (depth >= MAX_DEPTH) {
                    p.skipChildren();
                    return "an array nested more than " + MAX_DEPTH + " levels deep";
                }
                int count = 0;
                Object first = null;
                String problem = null;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    Object item = value(p, name, numbers, depth + 1, reporter);
                    if (problem != null) {
                        continue;
                    }
                    if (!(item instanceof int[])) {
                        problem = item instanceof String s && s.startsWith("an array nested") ? s : "an array of mixed values";
                    } else if (count == 0) {
                        first = item;
                    } else if (!java.util.Arrays.equals((int[]) first, (int[]) item)) {
                        int[] a = (int[]) first;
                        int[] b = (int[]) item;
                        problem = a.length == b.length && a.length > 0 ? RAGGED : "an array of mixed values";
                    }
                    count++;
                }
                if (problem != null) {
                    return problem.equals(RAGGED) ? "an array of " + count + " rows of different lengths" : problem;
                }
                int[] inner = first == null ? new int[0] : (int[]) first;
                int[] dims = new int[inner.length + 1];
                dims[0] = count;
                System.arraycopy(inner, 0, dims, 1, inner.length);
                return dims;
            }
            case START_OBJECT -> {
                p.skipChildren();
                return "an object";
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return "a boolean";
            }
            default -> {
                return "null";
            }
        }
    }

    private static final String RAGGED = "rows of different lengths";

    /** A position as values files nest it: {@code [1][2]}. */
    static String brackets(int[] at) {
        StringBuilder b = new StringBuilder();
        for (int k : at) {
            b.append('[').append(k).append(']');
        }
        return b.toString();
    }

    /** The axes of a shape, first to last. */
    static List<Shape.Axis> axes(Shape s) {
        return s.axes();
    }

    /** The entry's numbers if it has {@code shape} (a first axis that varies may have 1 to its maximum rows); otherwise null. */
    static double[] flatten(Entry e, Shape shape) {
        if (!e.numeric()) {
            return null;
        }
        List<Shape.Axis> axes = axes(shape);
        int[] dims = e.dims();
        if (dims.length != axes.size()) {
            return null;
        }
        for (int i = 0; i < dims.length; i++) {
            Shape.Axis a = axes.get(i);
            boolean ok = a.varies() && i == 0 ? dims[i] >= 1 && dims[i] <= a.size() : dims[i] == a.size();
            if (!ok) {
                return null;
            }
        }
        return e.numbers();
    }

    /** What a value looks like, for messages: "a number", "an array of 2 numbers", "an array of 2 rows of 3 values". */
    static String describe(Entry e) {
        if (!e.numeric()) {
            return e.problem();
        }
        int[] d = e.dims();
        return switch (d.length) {
            case 0 -> "a number";
            case 1 -> "an array of " + d[0] + (d[0] == 1 ? " number" : " numbers");
            case 2 -> "an array of " + d[0] + " rows of " + d[1] + " values";
            default -> "an array nested " + d.length + " levels deep, of sizes " + java.util.Arrays.toString(d);
        };
    }

    static String expected(Shape s) {
        if (s.isTensor()) {
            String first = s.varies() ? "1 to " + s.rows() + " (" + s.rowDim() + ")" : Integer.toString(s.rows());
            return "an array nested " + s.rank() + " levels deep, of sizes [" + first + ", "
                    + String.join(", ", s.inner().stream().map(String::valueOf).toList()) + "]";
        }
        if (s.varies()) {
            String n = "1 to " + s.lengthAxis().size() + " (" + s.lengthAxis().dim() + ")";
            return s.isVector() ? "an array of " + n + " numbers" : "an array of " + n + " rows of " + s.cols() + " numbers";
        }
        return switch (s.rank()) {
            case 0 -> "a number";
            case 1 -> "an array of " + s.cols() + (s.cols() == 1 ? " number" : " numbers");
            default -> "an array of " + s.rows() + " rows of " + s.cols() + " numbers";
        };
    }
}
