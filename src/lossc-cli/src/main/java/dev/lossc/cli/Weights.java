package dev.lossc.cli;

import dev.lossc.ModelLayout;
import dev.lossc.runtime.DType;
import dev.lossc.runtime.ParameterFileException;
import dev.lossc.runtime.Parameters;
import dev.lossc.runtime.TensorFile;
import dev.lossc.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/**
 * Parameter files on the command line, in every format lossc-runtime reads and writes: lossc's
 * params JSON (read with positioned diagnostics, as values files are), safetensors, npz and npy.
 * The layout is the model's own, as the generated class publishes it.
 */
final class Weights {
    private Weights() {}

    /** The runtime's view of the model's parameters and states (its flat array: the parameters, then the states). */
    static Parameters layout(ModelLayout model) {
        return Parameters.of(rows(model.params()), rows(model.states()));
    }

    private static Object[][] rows(java.util.List<ModelLayout.Slot> slots) {
        Object[][] rows = new Object[slots.size()][];
        for (int i = 0; i < rows.length; i++) {
            ModelLayout.Slot p = slots.get(i);
            rows[i] = new Object[] {p.name(), p.key(), dims(p.shape()), p.offset()};
        }
        return rows;
    }


    static int[] dims(Shape s) {
        return s.sizes();
    }

    /** The file's format, or a usage error naming the option and the endings. */
    static TensorFile.Format format(CommandLine.Model.CommandSpec spec, String option, Path file) {
        try {
            return TensorFile.Format.of(file);
        } catch (ParameterFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must name a .json, .safetensors, .npz or .npy file, but it is "
                    + file);
        }
    }

    /**
     * Reads a params file in any format into {@code params} (by name, flat); returns false after
     * printing the problems. A JSON file is read as a params file (as {@code train --out} writes
     * it), or with {@code inputsIgnored} as a values file whose inputs are skipped. Strict: every
     * param must be there and nothing else, unless {@code partial} (then the names read go into
     * {@code read}).
     */
    static boolean read(CommandLine.Model.CommandSpec spec, String option, Path file, ModelLayout model, Map<String, double[]> params,
                        boolean inputsIgnored, boolean partial) {
        TensorFile.Format format = format(spec, option, file);
        if (format == TensorFile.Format.JSON) {
            return partial ? Common.readValues(spec, file, model, new java.util.LinkedHashMap<>(), params, true, name -> false)
                    : Common.readParams(spec, file, model, params, inputsIgnored);
        }
        if (!Common.inputFile(spec, file, dev.lossc.diag.Limits.MAX_PARAMS_BYTES)) {
            return false;
        }
        Parameters layout = layout(model);
        double[] flat = new double[layout.size()];
        Set<String> read;
        try {
            read = layout.read(file, flat, !partial);
        } catch (IOException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(located(file, e));
            err.flush();
            return false;
        }
        for (ModelLayout.Slot p : model.params()) {
            if (read.contains(p.name())) {
                double[] v = new double[p.shape().size()];
                System.arraycopy(flat, p.offset(), v, 0, v.length);
                params.put(p.name(), v);
            }
        }
        for (ModelLayout.Slot s : model.states()) {
            if (read.contains(s.name())) {
                double[] v = new double[s.shape().size()];
                System.arraycopy(flat, layout.parameterCount() + s.offset(), v, 0, v.length);
                params.put(s.name(), v);
            }
        }
        return true;
    }

    /** A runtime message ({@code FILE: what} or {@code FILE:LINE:COL: what}) as a diagnostic: {@code FILE…: error: what}. */
    static String located(Path file, IOException e) {
        String m = String.valueOf(e.getMessage());
        String f = file.toString();
        if (e instanceof ParameterFileException && m.startsWith(f)) {
            String rest = m.substring(f.length());
            java.util.regex.Matcher at = java.util.regex.Pattern.compile("^((?::\\d+:\\d+)?(?: \\(header\\))?(?::\\d+:\\d+)?): ").matcher(rest);
            if (at.find()) {
                return f + at.group(1) + ": error: " + rest.substring(at.end());
            }
        }
        return f + ": error: cannot read the file: " + m;
    }

    /**
     * The bytes of {@code params} (flat, the model's order: the parameters, then the states) in the
     * format {@code file}'s name says: F64 for every binary format.
     */
    static byte[] bytes(Path file, ModelLayout model, double[] params) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        layout(model).write(out, TensorFile.Format.of(file), params, DType.F64, java.util.Collections.emptyMap());
        return out.toByteArray();
    }
}
