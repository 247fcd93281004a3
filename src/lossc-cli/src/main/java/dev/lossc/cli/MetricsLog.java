package dev.lossc.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * {@code train --log}: one line per epoch, flushed as it is written, so a script can follow a run:
 * JSON Lines ({@code .jsonl}: {@code {"run": …, "epoch": 3, "lr": 0.01, "train_loss": …,
 * "validation_loss": …, "accuracy": …, "seconds": …, "rows_per_second": …}}, {@code null} for what is
 * not measured) or CSV ({@code .csv}, a header then the same columns, empty for what is not
 * measured; a loss that is NaN or infinite as {@code "NaN"}, {@code "Infinity"} in JSON and {@code nan},
 * {@code inf} in CSV, as NumPy and pandas read them). A resumed run appends to the log it started.
 */
final class MetricsLog implements AutoCloseable {
    static final String[] COLUMNS = {"run", "epoch", "lr", "train_loss", "validation_loss", "accuracy", "seconds", "rows_per_second"};

    private final BufferedWriter out;
    private final boolean csv;

    private MetricsLog(BufferedWriter out, boolean csv) {
        this.out = out;
        this.csv = csv;
    }

    /** Whether {@code file}'s name is one this log writes. */
    static boolean named(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jsonl") || n.endsWith(".csv");
    }

    /** Opens the log: a new file, or (when {@code append}) the end of an existing one. */
    static MetricsLog open(Path file, boolean append) throws IOException {
        boolean csv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
        Path dest = Files.isSymbolicLink(file) ? file.toRealPath() : file;
        boolean fresh = !append || !Files.exists(dest) || Files.size(dest) == 0;
        BufferedWriter w = Files.newBufferedWriter(dest, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        MetricsLog log = new MetricsLog(w, csv);
        if (csv && fresh) {
            w.write(String.join(",", COLUMNS));
            w.newLine();
            w.flush();
        }
        return log;
    }

    /** One epoch's line; null is "not measured" (no validation data, no accuracy). */
    void epoch(String run, int epoch, double lr, double trainLoss, Double validationLoss, Double accuracy, double seconds, double rowsPerSecond)
            throws IOException {
        Object[] values = {run, epoch, lr, trainLoss, validationLoss, accuracy, seconds, rowsPerSecond};
        StringBuilder line = new StringBuilder(csv ? "" : "{");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                line.append(csv ? "," : ", ");
            }
            if (!csv) {
                line.append('"').append(COLUMNS[i]).append("\": ");
            }
            line.append(cell(values[i]));
        }
        out.write(line.append(csv ? "" : "}").toString());
        out.newLine();
        out.flush();
    }

    private String cell(Object v) {
        if (v instanceof String s) {
            if (csv) {
                return s.isEmpty() || s.matches("[A-Za-z0-9_=.+-]+( [A-Za-z0-9_=.+-]+)*") ? s : "\"" + s.replace("\"", "\"\"") + "\"";
            }
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (v instanceof Integer i) {
            return i.toString();
        }
        if (v == null) {
            return csv ? "" : "null";
        }
        double d = (Double) v;
        if (Double.isNaN(d)) {
            return csv ? "nan" : "\"NaN\"";
        }
        if (Double.isInfinite(d)) {
            return csv ? (d > 0 ? "inf" : "-inf") : (d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        }
        return Double.toString(d);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
