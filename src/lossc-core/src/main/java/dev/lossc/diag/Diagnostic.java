package dev.lossc.diag;

/** One error found in one source file. */
public record Diagnostic(String file, Pos pos, DiagnosticKind kind, String message) {

    /** The first line of the report, {@code FILE:LINE:COL: error: MESSAGE}. */
    public String headline() {
        return file + ":" + pos.line() + ":" + pos.column() + ": error: " + message;
    }

    /**
     * The full report: the headline, then the source line and a caret under the column. Control
     * characters in the line are shown as '?', so the report is always printable.
     */
    public String render(SourceText source) {
        StringBuilder out = new StringBuilder(headline()).append('\n');
        String line = source.line(pos.line());
        StringBuilder shown = new StringBuilder();
        StringBuilder caret = new StringBuilder();
        int col = pos.column();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            boolean tab = c == '\t';
            shown.append(tab ? '\t' : (Character.isISOControl(c) ? '?' : c));
            if (i < col - 1) {
                caret.append(tab ? '\t' : ' ');
            }
        }
        for (int i = line.length(); i < col - 1; i++) {
            caret.append(' ');
        }
        out.append(shown).append('\n').append(caret).append('^').append('\n');
        return out.toString();
    }
}
