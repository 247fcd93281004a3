package dev.lossc.diag;

/**
 * One error found in one file. {@code pos} is null for an error about the whole file (it cannot be
 * read, or is too large); such a diagnostic has no source line to show.
 */
public record Diagnostic(String file, Pos pos, DiagnosticKind kind, String message) {

    /** An error about the whole file: {@code FILE: error: MESSAGE}. */
    public static Diagnostic ofFile(String file, DiagnosticKind kind, Object... args) {
        return new Diagnostic(file, null, kind, kind.format(args));
    }

    /**
     * The first line of the report, {@code FILE:LINE:COL: error: MESSAGE [CODE]} (or
     * {@code FILE: error: MESSAGE [CODE]}): the code finds the entry in the catalogue of
     * docs/language.md.
     */
    public String headline() {
        String where = pos == null ? file : file + ":" + pos.line() + ":" + pos.column();
        return where + (kind.warning() ? ": warning: " : ": error: ") + message + " [" + kind.code() + "]";
    }

    /**
     * The full report: the headline, then the source line and a caret under the column. At most
     * {@link Limits#MAX_QUOTED_LINE} characters of the line are quoted, around the column, with
     * {@code …} where the line is cut. Control characters are shown as '?', so the report is always
     * printable.
     */
    public String render(Lines source) {
        StringBuilder out = new StringBuilder(headline()).append('\n');
        if (pos == null) {
            return out.toString();
        }
        int col = pos.column() - 1;
        Lines.Window w = source.window(pos.line(), pos.column(), Limits.MAX_QUOTED_LINE);
        int from = w.from();
        int to = from + w.text().length();
        StringBuilder shown = new StringBuilder();
        StringBuilder caret = new StringBuilder();
        if (from > 0) {
            shown.append('\u2026');
            caret.append(' ');
        }
        for (int i = from; i < to; i++) {
            char c = w.text().charAt(i - from);
            boolean tab = c == '\t';
            shown.append(tab ? '\t' : (Character.isISOControl(c) ? '?' : c));
            if (i < col) {
                caret.append(tab ? '\t' : ' ');
            }
        }
        if (to < w.length()) {
            shown.append('\u2026');
        }
        for (int i = Math.max(to, from); i < col; i++) {
            caret.append(' ');
        }
        out.append(shown).append('\n').append(caret).append('^').append('\n');
        return out.toString();
    }
}
