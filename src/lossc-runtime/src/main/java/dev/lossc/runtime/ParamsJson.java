package dev.lossc.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * lossc's params file: one JSON object keyed by the {@code .loss} names of the parameters, a
 * number for a scalar and nested arrays for the rest (one level per axis), non-finite values as the
 * strings "NaN", "Infinity" and "-Infinity" ({@code lossc train --out x.json} writes it, {@code lossc
 * eval --params} reads it). Numbers are written as {@link Double#toString} writes them, so they read
 * back as the same double; a float class's values are written as the doubles they widen to, so they
 * read back as the same floats.
 */
final class ParamsJson extends TensorFile {
    private final Map<String, double[]> values = new LinkedHashMap<>();

    private ParamsJson(String source) {
        super(source);
    }

    static TensorFile load(Path file) throws IOException {
        final ParamsJson f = new ParamsJson(file.toString());
        try (Reader in = new java.io.BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8
                .newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16)) {
            final JsonReader json = new JsonReader(in, file.toString());
            json.object((key, line, column) -> {
                JsonReader.Numbers n = new JsonReader.Numbers();
                json.numbers(n);
                if (n.problem != null) {
                    throw new ParameterFileException(file + ":" + line + ":" + column + ": the value of '" + key + "' is " + n.problem
                            + ", not a number or nested arrays of numbers");
                }
                long[] shape = new long[n.dims.length];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = n.dims[i];
                }
                f.add(new Entry(key, DType.F64, "JSON number", shape));
                f.values.put(key, n.array());
            });
            json.end();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ParameterFileException(file + ": not UTF-8 text");
        }
        return f;
    }

    @Override
    void read(Entry e, Sink out, int at) {
        double[] v = values.get(e.name);
        for (int i = 0; i < v.length; i++) {
            out.set(at + i, v[i]);
        }
    }

    /** Writes {@code tensors} as a params file: one line per tensor, in the order given. */
    static void write(OutputStream out, List<Out> tensors) throws IOException {
        StringBuilder s = new StringBuilder("{");
        for (int k = 0; k < tensors.size(); k++) {
            Out t = tensors.get(k);
            s.append(k == 0 ? "\n  " : ",\n  ").append(SafeTensors.quote(t.name)).append(": ");
            nested(s, t, 0, 0);
            if (s.length() > 1 << 20) {
                out.write(s.toString().getBytes(StandardCharsets.UTF_8));
                s.setLength(0);
            }
        }
        s.append("\n}\n");
        out.write(s.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The elements of axis {@code axis} from flat index {@code from}; returns the next flat index. */
    private static int nested(StringBuilder s, Out t, int axis, int from) {
        if (axis == t.shape.length) {
            s.append(number(t.get(from)));
            return from + 1;
        }
        s.append('[');
        int at = from;
        for (long i = 0; i < t.shape[axis]; i++) {
            if (i > 0) {
                s.append(", ");
            }
            at = nested(s, t, axis + 1, at);
        }
        s.append(']');
        return at;
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "\"NaN\"";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        }
        return Double.toString(v);
    }
}
