package dev.lossc.diag;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a file, read when a diagnostic asks for a window of one: the file is scanned up to
 * that line and only about three times the window's width is kept, however long the line. Lines
 * end at '\n' (a '\r' before it is dropped), as {@link SourceText} counts them; a byte-order mark is
 * skipped, and bytes that are not UTF-8 show as U+FFFD. A file that cannot be read quotes nothing.
 */
public final class FileLines implements Lines {
    private final Path file;

    public FileLines(Path file) {
        this.file = file;
    }

    @Override
    public Window window(int line, int column, int width) {
        int col = column - 1;
        int keepFrom = Math.max(0, col - 2 * width);
        int keepTo = col + 2 * width;
        try (InputStream in = Files.newInputStream(file);
             Reader r = new java.io.BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                     .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)), 1 << 16)) {
            int current = 1;
            int c = r.read();
            if (c == '\uFEFF') {
                c = r.read();
            }
            for (; c >= 0 && current < line; c = r.read()) {
                if (c == '\n') {
                    current++;
                }
            }
            if (current < line) {
                return new Window("", 0, 0);
            }
            StringBuilder kept = new StringBuilder();
            int length = 0;
            for (; c >= 0 && c != '\n'; c = r.read()) {
                if (length >= keepFrom && length < keepTo) {
                    kept.append((char) c);
                }
                length++;
            }
            if (c == '\n' && length > 0 && length - 1 >= keepFrom && length - 1 < keepTo && kept.length() > 0
                    && kept.charAt(kept.length() - 1) == '\r') {
                kept.setLength(kept.length() - 1);
                length--;
            }
            final int lineLength = length;
            int[] b = Lines.bounds(lineLength, col, width, i -> i - keepFrom >= 0 && i - keepFrom < kept.length() ? kept.charAt(i - keepFrom) : 'x');
            int from = Math.max(b[0], keepFrom);
            int to = Math.min(b[1], keepFrom + kept.length());
            return new Window(from < to ? kept.substring(from - keepFrom, to - keepFrom) : "", from, lineLength);
        } catch (IOException e) {
            return new Window("", 0, 0);
        }
    }
}
