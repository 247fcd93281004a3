package dev.lossc.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.lossc.ModelLayout;
import dev.lossc.types.Shape;
import java.util.List;

/**
 * The output of {@code lossc eval}: {@code {"loss": L, "gradient": {"W": [[…], …], …}}}, params
 * in declaration order, then {@code "outputs": {…}} when the model declares outputs, numbers as {@link Double#toString} writes them (so they read back as the
 * same double), non-finite values as the strings "NaN", "Infinity", "-Infinity".
 */
final class Json {
    private Json() {}

    static String result(double loss, List<ModelLayout.Slot> params, double[] gradient) {
        return result(loss, params, gradient, List.of(), java.util.Map.of());
    }

    /** With {@code "outputs": {NAME: value, …}} after the gradient when the model has outputs. */
    static String result(double loss, List<ModelLayout.Slot> params, double[] gradient, List<ModelLayout.Output> outputs,
                         java.util.Map<String, double[]> outputValues) {
        return result(loss, params, gradient, outputs, outputValues, List.of(), new double[0]);
    }

    /** With {@code "states": {NAME: value, …}} last when the model has states (their values after the training call). */
    static String result(double loss, List<ModelLayout.Slot> params, double[] gradient, List<ModelLayout.Output> outputs,
                         java.util.Map<String, double[]> outputValues, List<ModelLayout.Slot> states, double[] stateValues) {
        StringBuilder out = new StringBuilder("{\"loss\": ").append(number(loss)).append(", \"gradient\": {");
        for (int k = 0; k < params.size(); k++) {
            ModelLayout.Slot p = params.get(k);
            if (k > 0) {
                out.append(", ");
            }
            value(out, p.name(), p.shape(), gradient, p.offset());
        }
        out.append('}');
        if (!outputs.isEmpty()) {
            out.append(", \"outputs\": {");
            for (int k = 0; k < outputs.size(); k++) {
                ModelLayout.Output o = outputs.get(k);
                if (k > 0) {
                    out.append(", ");
                }
                value(out, o.name(), o.shape(), outputValues.get(o.name()), 0);
            }
            out.append('}');
        }
        if (!states.isEmpty()) {
            out.append(", \"states\": {");
            for (int k = 0; k < states.size(); k++) {
                ModelLayout.Slot s = states.get(k);
                if (k > 0) {
                    out.append(", ");
                }
                value(out, s.name(), s.shape(), stateValues, s.offset());
            }
            out.append('}');
        }
        return out.append('}').toString();
    }

    /**
     * What {@code eval --hvp}/{@code --jvp}/{@code --jacobian} add, each only when asked for:
     * {@code , "hvp": {param: …}} laid out as the gradient, {@code , "jvp": {"loss": …, "outputs": {…}}}
     * ({@code {}} for a model without outputs), {@code , "jacobian": {NAME: [[…], …]}} with one row
     * per output element in the flat parameter order ({@code jacobians} null: not asked for).
     */
    static String derivatives(List<ModelLayout.Slot> params, double[] hvp, Double lossJvp, List<ModelLayout.Output> outputs,
                              java.util.Map<String, double[]> outputJvps, java.util.Map<String, double[][]> jacobians) {
        StringBuilder out = new StringBuilder();
        if (hvp != null) {
            out.append(", \"hvp\": {");
            for (int k = 0; k < params.size(); k++) {
                ModelLayout.Slot p = params.get(k);
                if (k > 0) {
                    out.append(", ");
                }
                value(out, p.name(), p.shape(), hvp, p.offset());
            }
            out.append('}');
        }
        if (lossJvp != null) {
            out.append(", \"jvp\": {\"loss\": ").append(number(lossJvp)).append(", \"outputs\": {");
            for (int k = 0; k < outputs.size(); k++) {
                ModelLayout.Output o = outputs.get(k);
                if (k > 0) {
                    out.append(", ");
                }
                value(out, o.name(), o.shape(), outputJvps.get(o.name()), 0);
            }
            out.append("}}");
        }
        if (jacobians != null) {
            out.append(", \"jacobian\": {");
            int k = 0;
            for (ModelLayout.Output o : outputs) {
                if (k++ > 0) {
                    out.append(", ");
                }
                out.append('"').append(JsonStringEncoder.getInstance().quoteAsString(o.name())).append("\": [");
                double[][] rows = jacobians.get(o.name());
                for (int i = 0; i < rows.length; i++) {
                    if (i > 0) {
                        out.append(", ");
                    }
                    row(out, rows[i], 0, rows[i].length);
                }
                out.append(']');
            }
            out.append('}');
        }
        return out.toString();
    }

    /** Only the outputs: {@code {"outputs": {NAME: value, …}}} ({@code eval --outputs-only}). */
    static String outputs(List<ModelLayout.Output> outputs, java.util.Map<String, double[]> outputValues) {
        StringBuilder out = new StringBuilder("{\"outputs\": {");
        for (int k = 0; k < outputs.size(); k++) {
            ModelLayout.Output o = outputs.get(k);
            if (k > 0) {
                out.append(", ");
            }
            value(out, o.name(), o.shape(), outputValues.get(o.name()), 0);
        }
        return out.append("}}").toString();
    }

    /** Every param's value, {@code {"W": [[…], …], "b": […], …}}: a params file that {@code eval --params} reads back. */
    static String params(List<ModelLayout.Slot> params, double[] values) {
        StringBuilder out = new StringBuilder("{");
        for (int k = 0; k < params.size(); k++) {
            ModelLayout.Slot p = params.get(k);
            out.append(k == 0 ? "\n  " : ",\n  ");
            value(out, p.name(), p.shape(), values, p.offset());
        }
        return out.append("\n}\n").toString();
    }

    private static void value(StringBuilder out, String name, Shape s, double[] values, int offset) {
        out.append('"').append(JsonStringEncoder.getInstance().quoteAsString(name)).append("\": ");
        if (s.isScalar()) {
            out.append(number(values[offset]));
        } else {
            nested(out, s.sizes(), 0, values, offset);
        }
    }

    /** Axes {@code k…} of the value at {@code offset}: one array level per axis. */
    private static void nested(StringBuilder out, int[] sizes, int k, double[] values, int offset) {
        if (k == sizes.length - 1) {
            row(out, values, offset, sizes[k]);
            return;
        }
        int step = 1;
        for (int m = k + 1; m < sizes.length; m++) {
            step *= sizes[m];
        }
        out.append('[');
        for (int i = 0; i < sizes[k]; i++) {
            if (i > 0) {
                out.append(", ");
            }
            nested(out, sizes, k + 1, values, offset + i * step);
        }
        out.append(']');
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
