package dev.lossc.runtime;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader on {@code java.base} (the runtime has no dependencies): RFC 8259, positions
 * kept for messages. Values are read either as trees ({@link #value}: maps, lists, doubles,
 * strings, booleans, null; for small documents such as a safetensors header) or, for the values of
 * a params file, straight into an array of numbers ({@link #numbers}), which holds no object per
 * number.
 */
final class JsonReader {
    /** The deepest nesting read. */
    static final int MAX_DEPTH = 64;

    private final Reader in;
    private final String source;
    private int peeked = -2;
    private long line = 1;
    private long column = 0;

    JsonReader(Reader in, String source) {
        this.in = in;
        this.source = source;
    }

    /** An error at the current position. */
    ParameterFileException error(String what) {
        return new ParameterFileException(source + ":" + line + ":" + Math.max(1, column) + ": " + what);
    }

    private int peek() throws IOException {
        if (peeked == -2) {
            peeked = in.read();
        }
        return peeked;
    }

    private int next() throws IOException {
        int c = peek();
        peeked = -2;
        if (c == '\n') {
            line++;
            column = 0;
        } else {
            column++;
        }
        return c;
    }

    private int skipSpace() throws IOException {
        int c = peek();
        while (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\uFEFF' && line == 1 && column == 0) {
            next();
            c = peek();
        }
        return c;
    }

    private void expect(char c) throws IOException {
        int got = skipSpace();
        if (got != c) {
            throw error(got < 0 ? "the file ends where '" + c + "' is expected" : "expected '" + c + "', but found '" + (char) got + "'");
        }
        next();
    }

    /** Whether the document ends here (only white space follows). */
    void end() throws IOException {
        int c = skipSpace();
        if (c >= 0) {
            throw error("unexpected '" + (char) c + "' after the end of the JSON value");
        }
    }

    /** Reads an object, calling {@code member} for each key with the reader positioned at its value. */
    interface Member {
        void read(String key, long line, long column) throws IOException;
    }

    void object(Member member) throws IOException {
        expect('{');
        if (skipSpace() == '}') {
            next();
            return;
        }
        while (true) {
            if (skipSpace() != '"') {
                throw error("expected a name in double quotes");
            }
            long l = line;
            long c = column + 1;
            String key = string();
            expect(':');
            skipSpace();
            member.read(key, l, c);
            int sep = skipSpace();
            next();
            if (sep == '}') {
                return;
            }
            if (sep != ',') {
                throw error(sep < 0 ? "the file ends inside an object" : "expected ',' or '}', but found '" + (char) sep + "'");
            }
        }
    }

    /** A value as a tree: a Map, a List, a Double, a String, a Boolean or null. */
    Object value() throws IOException {
        return value(0);
    }

    private Object value(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " levels deep");
        }
        int c = skipSpace();
        switch (c) {
            case '{': {
                final Map<String, Object> map = new LinkedHashMap<>();
                final int d = depth;
                object((key, l, col) -> {
                    if (map.containsKey(key)) {
                        throw error("the name '" + key + "' appears twice");
                    }
                    map.put(key, value(d + 1));
                });
                return map;
            }
            case '[': {
                next();
                List<Object> list = new ArrayList<>();
                if (skipSpace() == ']') {
                    next();
                    return list;
                }
                while (true) {
                    list.add(value(depth + 1));
                    int sep = skipSpace();
                    next();
                    if (sep == ']') {
                        return list;
                    }
                    if (sep != ',') {
                        throw error(sep < 0 ? "the file ends inside an array" : "expected ',' or ']', but found '" + (char) sep + "'");
                    }
                }
            }
            case '"':
                return string();
            default:
                return literal();
        }
    }

    private Object literal() throws IOException {
        StringBuilder s = new StringBuilder();
        int c = peek();
        while (c >= 0 && (Character.isLetterOrDigit(c) || c == '-' || c == '+' || c == '.')) {
            s.append((char) next());
            c = peek();
        }
        String t = s.toString();
        if (t.equals("true")) {
            return Boolean.TRUE;
        }
        if (t.equals("false")) {
            return Boolean.FALSE;
        }
        if (t.equals("null")) {
            return null;
        }
        if (t.isEmpty()) {
            throw error(c < 0 ? "the file ends where a value is expected" : "unexpected '" + (char) c + "'");
        }
        return number(t);
    }

    private double number(String t) throws IOException {
        if (!t.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
            throw error("'" + (t.length() > 40 ? t.substring(0, 40) + "…" : t) + "' is not a JSON value");
        }
        double v = Double.parseDouble(t);
        if (Double.isInfinite(v)) {
            throw error("the number " + (t.length() > 40 ? t.substring(0, 40) + "…" : t) + " is out of range for a double");
        }
        return v;
    }

    private String string() throws IOException {
        next();   // the opening quote
        StringBuilder s = new StringBuilder();
        while (true) {
            int c = next();
            if (c < 0) {
                throw error("the file ends inside a string");
            }
            if (c == '"') {
                return s.toString();
            }
            if (c < 0x20) {
                throw error("a control character inside a string");
            }
            if (c == '\\') {
                int e = next();
                switch (e) {
                    case '"': s.append('"'); break;
                    case '\\': s.append('\\'); break;
                    case '/': s.append('/'); break;
                    case 'b': s.append('\b'); break;
                    case 'f': s.append('\f'); break;
                    case 'n': s.append('\n'); break;
                    case 'r': s.append('\r'); break;
                    case 't': s.append('\t'); break;
                    case 'u': {
                        int code = 0;
                        for (int i = 0; i < 4; i++) {
                            int h = Character.digit(next(), 16);
                            if (h < 0) {
                                throw error("an invalid \\u escape");
                            }
                            code = code * 16 + h;
                        }
                        s.append((char) code);
                        break;
                    }
                    default:
                        throw error("an invalid escape in a string");
                }
            } else {
                s.append((char) c);
            }
        }
    }

    /** A value of a params file: its numbers in order and the length of each nesting level, or what it is instead. */
    static final class Numbers {
        double[] items = new double[16];
        int size;
        /** The lengths of the nesting levels ({} for a number), or null when {@link #problem} says what the value is. */
        int[] dims;
        String problem;

        void add(double v) {
            if (size == items.length) {
                items = Arrays.copyOf(items, (int) Math.min(Integer.MAX_VALUE - 8, items.length * 2L));
            }
            items[size++] = v;
        }

        double[] array() {
            return size == items.length ? items : Arrays.copyOf(items, size);
        }
    }

    /**
     * Reads one value of a params file into {@code out}: a number, "NaN", "Infinity" or "-Infinity",
     * or arrays of those nested to the same lengths.
     */
    void numbers(Numbers out) throws IOException {
        Object shape = numbers(out, 0);
        if (shape instanceof int[]) {
            out.dims = (int[]) shape;
        } else {
            out.problem = (String) shape;
        }
    }

    private Object numbers(Numbers out, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw error("arrays nested more than " + MAX_DEPTH + " levels deep");
        }
        int c = skipSpace();
        if (c == '[') {
            next();
            int count = 0;
            Object first = null;
            String problem = null;
            if (skipSpace() == ']') {
                next();
                return new int[] {0};
            }
            while (true) {
                Object item = numbers(out, depth + 1);
                if (problem == null) {
                    if (!(item instanceof int[])) {
                        problem = "an array of mixed values";
                    } else if (count == 0) {
                        first = item;
                    } else if (!Arrays.equals((int[]) first, (int[]) item)) {
                        problem = "an array of rows of different lengths";
                    }
                }
                count++;
                int sep = skipSpace();
                next();
                if (sep == ']') {
                    break;
                }
                if (sep != ',') {
                    throw error(sep < 0 ? "the file ends inside an array" : "expected ',' or ']', but found '" + (char) sep + "'");
                }
            }
            if (problem != null) {
                return problem;
            }
            int[] inner = (int[]) first;
            int[] dims = new int[inner.length + 1];
            dims[0] = count;
            System.arraycopy(inner, 0, dims, 1, inner.length);
            return dims;
        }
        if (c == '"') {
            String s = string();
            if (s.equals("NaN")) {
                out.add(Double.NaN);
            } else if (s.equals("Infinity")) {
                out.add(Double.POSITIVE_INFINITY);
            } else if (s.equals("-Infinity")) {
                out.add(Double.NEGATIVE_INFINITY);
            } else {
                return "a string";
            }
            return new int[0];
        }
        if (c == '{') {
            value(depth);
            return "an object";
        }
        Object v = literal();
        if (v instanceof Double) {
            out.add((Double) v);
            return new int[0];
        }
        return v == null ? "null" : "a boolean";
    }
}
