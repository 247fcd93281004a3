package dev.lossc.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.lossc.ModelLayout;
import dev.lossc.types.Shape;
import java.util.List;

/**
 * The output of {@code lossc eval}: {@code {"loss": L, "gradient": {"W": [[…], …], …}}}, params
 * in declaration order, numbers as {@link Double#toString} writes them (so they read back as the
 * same double), non-finite values as the strings "NaN", "Infinity", "-Infinity".
 */
final class Json {
    private Json() {}

    static String result(double loss, List<ModelLayout.Slot> params, double[] gradient) {
        StringBuilder out = new StringBuilder("{\"loss\": ").append(number(loss)).append(", \"gradient\": {");
        for (int k = 0; k < params.size(); k++) {
            ModelLayout.Slot p = params.get(k);
            int offset = p.offset();
            if (k > 0) {
                out.append(", ");
            }
            out.append('"').append(JsonStringEncoder.getInstance().quoteAsString(p.name())).append("\": ");
            Shape s = p.shape();
            if (s.isScalar()) {
                out.append(number(gradient[offset]));
            } else if (s.isVector()) {
                row(out, gradient, offset, s.cols());
            } else {
                out.append('[');
                for (int i = 0; i < s.rows(); i++) {
                    if (i > 0) {
                        out.append(", ");
                    }
                    row(out, gradient, offset + i * s.cols(), s.cols());
                }
                out.append(']');
            }
        }
        return out.append("}}").toString();
    }

    private static void row(StringBuilder out, double[] values, int from, int n) {
        out.append('[');
        for (int j = 0; j < n; j++) {
            if (j > 0) {
                out.append(", ");
            }
            out.append(number(values[from + j]));
        }
        out.append(']');
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
