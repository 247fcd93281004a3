package dev.lossc.diag;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of one source file, split into lines for diagnostics. Lines end at '\n' only (a '\r'
 * before it is dropped), as the lexer counts them: a lone '\r' is not a line break, so positions
 * and quoted lines always agree.
 */
public final class SourceText implements Lines {
    private final String name;
    private final String text;
    private final List<String> lines = new ArrayList<>();

    public SourceText(String name, String text) {
        this.name = name;
        this.text = text;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                int end = i > start && text.charAt(i - 1) == '\r' ? i - 1 : i;
                lines.add(text.substring(start, end));
                start = i + 1;
            }
        }
        lines.add(text.substring(start));
    }

    public String name() {
        return name;
    }

    public String text() {
        return text;
    }

    /** The 1-based line, without its terminator; empty past the end. */
    public String line(int line) {
        return line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
    }

    /** The position of character {@code offset} of {@code text}. */
    public static Pos position(String text, int offset) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new Pos(line, col);
    }

    @Override
    public Window window(int line, int column, int width) {
        String text = line(line);
        int[] b = Lines.bounds(text.length(), column - 1, width, text::charAt);
        return new Window(text.substring(b[0], b[1]), b[0], text.length());
    }

    public int lineCount() {
        return lines.size();
    }
}
