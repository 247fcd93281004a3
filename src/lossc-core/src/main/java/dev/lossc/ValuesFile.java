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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a VALUES.json file: one object keyed by input and param names, holding a number for a
 * scalar, an array for a vector and an array of row arrays for a matrix. Non-finite numbers may be
 * written as the strings "NaN", "Infinity" and "-Infinity". Positions are kept so that every
 * problem is reported at its key.
 */
public final class ValuesFile {
    /** A value as written: a Double, or a List of values. */
    public record Entry(String name, Object value, Pos pos) {
        /** Every number of the value, rows after one another (whatever its nesting). */
        public double[] flat() {
            List<Double> out = new ArrayList<>();
            collect(value, out);
            double[] v = new double[out.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = out.get(i);
            }
            return v;
        }

        private static void collect(Object value, List<Double> out) {
            if (value instanceof Double d) {
                out.add(d);
            } else if (value instanceof List<?> items) {
                for (Object item : items) {
                    collect(item, out);
                }
            }
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
        Map<String, Entry> entries = parse(text, reporter);
        if (entries == null) {
            return false;
        }
        java.util.Set<String> known = new java.util.HashSet<>();
        for (ModelLayout.Slot in : model.inputs()) {
            known.add(in.name());
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
        Map<String, Entry> entries = parse(text, reporter);
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
                String which = in.shape().isScalar() ? "the value" : "element " + i;
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
        double[] v = flatten(e.value(), shape);
        if (v == null) {
            reporter.error(e.pos(), DiagnosticKind.VALUES_SHAPE, kind, name, shape, expected(shape), describe(e.value()));
        }
        return v;
    }

    /** The entries of a values file, in file order, or null when it is not valid JSON or not one object. */
    public static Map<String, Entry> parse(String text, Reporter reporter) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        JsonFactory factory = JsonFactory.builder().build();
        try (JsonParser p = factory.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                reporter.error(first == null ? Pos.START : pos(p.currentTokenLocation()), DiagnosticKind.VALUES_NOT_OBJECT);
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                Pos at = pos(p.currentTokenLocation());
                p.nextToken();
                Object value = value(p, reporter);
                if (entries.containsKey(name)) {
                    reporter.error(at, DiagnosticKind.VALUES_DUPLICATE, name);
                } else {
                    entries.put(name, new Entry(name, value, at));
                }
            }
            if (p.nextToken() != null) {
                reporter.error(pos(p.currentTokenLocation()), DiagnosticKind.VALUES_SYNTAX, "unexpected content after the object");
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            reporter.error(loc == null ? Pos.START : pos(loc), DiagnosticKind.VALUES_SYNTAX, e.getOriginalMessage());
            return null;
        } catch (IOException e) {
            reporter.error(Pos.START, DiagnosticKind.VALUES_SYNTAX, e.getMessage());
            return null;
        }
        return reporter.hasErrors() ? null : entries;
    }

    private static Pos pos(JsonLocation loc) {
        return new Pos(Math.max(1, loc.getLineNr()), Math.max(1, loc.getColumnNr()));
    }

    private static Object value(JsonParser p, Reporter reporter) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return Double.parseDouble(p.getText());
            }
            case VALUE_STRING -> {
                switch (p.getText()) {
                    case "NaN" -> {
                        return Double.NaN;
                    }
                    case "Infinity" -> {
                        return Double.POSITIVE_INFINITY;
                    }
                    case "-Infinity" -> {
                        return Double.NEGATIVE_INFINITY;
                    }
                    default -> {
                        return "a string";
                    }
                }
            }
            case START_ARRAY -> {
                List<Object> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(value(p, reporter));
                }
                return items;
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

    /** The value flattened row-major if it has {@code shape}; otherwise null. */
    static double[] flatten(Object value, Shape shape) {
        if (shape.isScalar()) {
            return value instanceof Double d ? new double[] {d} : null;
        }
        if (!(value instanceof List<?> rows)) {
            return null;
        }
        // A size that varies per call: any number of rows (elements) from 1 to the maximum.
        boolean varies = shape.lengthAxis().varies();
        if (varies && (rows.isEmpty() || rows.size() > shape.lengthAxis().size())) {
            return null;
        }
        if (shape.isVector()) {
            return numbers(rows, varies ? rows.size() : shape.cols());
        }
        if (rows.size() != shape.rows() && !varies) {
            return null;
        }
        double[] out = new double[rows.size() * shape.cols()];
        for (int i = 0; i < rows.size(); i++) {
            if (!(rows.get(i) instanceof List<?> row)) {
                return null;
            }
            double[] r = numbers(row, shape.cols());
            if (r == null) {
                return null;
            }
            System.arraycopy(r, 0, out, i * shape.cols(), shape.cols());
        }
        return out;
    }

    private static double[] numbers(List<?> items, int n) {
        if (items.size() != n) {
            return null;
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            if (!(items.get(i) instanceof Double d)) {
                return null;
            }
            out[i] = d;
        }
        return out;
    }

    /** What a value looks like, for messages: "a number", "an array of 2 numbers", "2 rows of 3 numbers". */
    static String describe(Object value) {
        if (value instanceof Double) {
            return "a number";
        }
        if (value instanceof String s) {
            return s;
        }
        List<?> items = (List<?>) value;
        if (items.stream().allMatch(x -> x instanceof Double)) {
            return "an array of " + items.size() + (items.size() == 1 ? " number" : " numbers");
        }
        if (items.stream().allMatch(x -> x instanceof List)) {
            List<Integer> lengths = items.stream().map(x -> ((List<?>) x).size()).distinct().toList();
            return "an array of " + items.size() + " rows" + (lengths.size() == 1 ? " of " + lengths.get(0) + " values" : " of different lengths");
        }
        return "an array of mixed values";
    }

    static String expected(Shape s) {
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
