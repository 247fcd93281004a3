package dev.lossc.diag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the diagnostics of one file. Phases report here and go on; they never throw for bad
 * input. After {@link Limits#MAX_ERRORS} errors further reports are dropped and one "too many errors" note
 * is kept, as javac and gcc do.
 */
public final class Reporter {
    private final String file;
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private int dropped;

    public Reporter(String file) {
        this.file = file;
    }

    public void error(Pos pos, DiagnosticKind kind, Object... args) {
        if (diagnostics.size() >= Limits.MAX_ERRORS) {
            dropped++;
            return;
        }
        Diagnostic d = new Diagnostic(file, pos, kind, kind.format(args));
        if (!diagnostics.contains(d)) {
            diagnostics.add(d);
        }
    }

    /** An error about the whole file (it cannot be read, or compiling it ran out of memory). */
    public void fileError(DiagnosticKind kind, Object... args) {
        diagnostics.add(Diagnostic.ofFile(file, kind, args));
    }

    /** True once {@link Limits#MAX_ERRORS} errors are in: a phase may stop looking for more. */
    public boolean full() {
        return diagnostics.size() >= Limits.MAX_ERRORS;
    }

    /** Records that a phase stopped early because the reporter was full. */
    public void stopped() {
        dropped = Math.max(dropped, 1);
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
        sorted.sort(Comparator.comparingInt((Diagnostic d) -> d.pos() == null ? 0 : d.pos().line())
                .thenComparingInt(d -> d.pos() == null ? 0 : d.pos().column()));
        if (dropped > 0) {
            sorted.add(Diagnostic.ofFile(file, DiagnosticKind.TOO_MANY_ERRORS, Limits.MAX_ERRORS));
        }
        return Collections.unmodifiableList(sorted);
    }
}
