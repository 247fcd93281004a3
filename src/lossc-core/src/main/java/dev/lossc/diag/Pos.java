package dev.lossc.diag;

/** A position in a source file: 1-based line and 1-based column. */
public record Pos(int line, int column) {
    public static final Pos START = new Pos(1, 1);

    public Pos {
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("position must be 1-based: " + line + ":" + column);
        }
    }

    @Override
    public String toString() {
        return line + ":" + column;
    }
}
