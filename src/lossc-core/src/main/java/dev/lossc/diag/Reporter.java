package dev.lossc.diag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the diagnostics of one file. Phases report here and go on; they never throw for bad
 * input. After {@link #LIMIT} errors further reports are dropped and one "too many errors" note
 * is kept, as javac and gcc do.
 */
public final class Reporter {
    public static final int LIMIT = 100;

    private final String file;
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private int dropped;

    public Reporter(String file) {
        this.file = file;
    }

    public void error(Pos pos, DiagnosticKind kind, Object... args) {
        if (diagnostics.size() >= LIMIT) {
            dropped++;
            return;
        }
        Diagnostic d = new Diagnostic(file, pos, kind, kind.format(args));
        if (!diagnostics.contains(d)) {
            diagnostics.add(d);
        }
    }

    public boolean hasErrors() {
        return !diagnostics.isEmpty();
    }

    public int count() {
        return diagnostics.size();
    }

    /** All diagnostics in source order (stable for equal positions). */
    public List<Diagnostic> diagnostics() {
        List<Diagnostic> sorted = new ArrayList<>(diagnostics);
        sorted.sort(Comparator.comparingInt((Diagnostic d) -> d.pos().line()).thenComparingInt(d -> d.pos().column()));
        if (dropped > 0) {
            Diagnostic last = sorted.get(sorted.size() - 1);
            sorted.add(new Diagnostic(file, last.pos(), DiagnosticKind.TOO_MANY_ERRORS,
                    DiagnosticKind.TOO_MANY_ERRORS.format(LIMIT + dropped)));
        }
        return Collections.unmodifiableList(sorted);
    }
}
