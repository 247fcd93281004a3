package dev.lossc.diag;

/**
 * Where a diagnostic finds the part of a source line it quotes. A {@link SourceText} holds the
 * whole text; {@link FileLines} reads only the window it is asked for from a file, so a report on a
 * 256 MiB values file written on one line quotes 100 characters without holding the line.
 */
public interface Lines {
    /**
     * Characters {@code from … from + text.length() - 1} of line {@code line} (1-based), chosen to
     * show column {@code column} (1-based) within about {@code width} characters; {@code length} is
     * the whole line's length, so the caller knows whether the line goes on either side.
     */
    record Window(String text, int from, int length) {}

    Window window(int line, int column, int width);

    /**
     * The window of {@code width} characters around {@code col} (0-based) of a line of
     * {@code length} characters, as {@code [from, to)}, not splitting a surrogate pair: the one
     * rule every {@link Lines} follows. {@code charAt} reads the line's characters near the ends.
     */
    static int[] bounds(int length, int col, int width, java.util.function.IntUnaryOperator charAt) {
        int from = 0;
        int to = length;
        if (length > width) {
            from = Math.max(0, Math.min(col - width / 2, length - width));
            to = Math.min(length, from + width);
            if (from > 0 && Character.isLowSurrogate((char) charAt.applyAsInt(from))) {
                from--;
            }
            if (to < length && Character.isLowSurrogate((char) charAt.applyAsInt(to))) {
                to++;
            }
        }
        return new int[] {from, to};
    }
}
