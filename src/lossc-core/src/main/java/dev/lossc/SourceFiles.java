package dev.lossc;

import dev.lossc.diag.Diagnostic;
import dev.lossc.diag.DiagnosticKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reading input files, the same way for the command line and the Maven plugin: only regular files
 * are opened (a FIFO or a device would block or never end), and no more than a bound is read, so a
 * stray special file or a huge file gives a one-line diagnostic instead of a hang or an
 * out-of-memory error.
 */
public final class SourceFiles {
    private SourceFiles() {}

    /** The bytes of a file, or the reason it was not read. */
    public record Read(byte[] bytes, Diagnostic problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    /**
     * Why {@code file} cannot be read as an input of at most {@code maxBytes}, or null: the checks of
     * {@link #read} without reading it, for inputs that are streamed (training data).
     */
    public static Diagnostic problem(Path file, String shown, long maxBytes) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                String what = attributes.isDirectory() ? "a directory" : "a device, pipe or socket";
                return Diagnostic.ofFile(shown, DiagnosticKind.NOT_A_REGULAR_FILE, what);
            }
            if (attributes.size() > maxBytes) {
                return Diagnostic.ofFile(shown, DiagnosticKind.FILE_TOO_LARGE, attributes.size(), maxBytes);
            }
            if (!Files.isReadable(file)) {
                return Diagnostic.ofFile(shown, DiagnosticKind.CANNOT_READ, "permission denied");
            }
            return null;
        } catch (NoSuchFileException e) {
            return Diagnostic.ofFile(shown, DiagnosticKind.CANNOT_READ, "no such file");
        } catch (IOException e) {
            return Diagnostic.ofFile(shown, DiagnosticKind.CANNOT_READ, String.valueOf(e.getMessage()));
        }
    }

    /**
     * Reads {@code file} if it is a regular file (links followed) of at most {@code maxBytes};
     * {@code shown} is the name diagnostics use.
     */
    public static Read read(Path file, String shown, long maxBytes) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                String what = attributes.isDirectory() ? "a directory" : "a device, pipe or socket";
                return problem(shown, DiagnosticKind.NOT_A_REGULAR_FILE, what);
            }
            if (attributes.size() > maxBytes) {
                return problem(shown, DiagnosticKind.FILE_TOO_LARGE, attributes.size(), maxBytes);
            }
            try (InputStream in = Files.newInputStream(file)) {
                // The file may have grown since its size was read.
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) {
                    return problem(shown, DiagnosticKind.FILE_TOO_LARGE, Math.max(attributes.size(), bytes.length), maxBytes);
                }
                return new Read(bytes, null);
            }
        } catch (NoSuchFileException e) {
            return problem(shown, DiagnosticKind.CANNOT_READ, "no such file");
        } catch (IOException e) {
            return problem(shown, DiagnosticKind.CANNOT_READ, String.valueOf(e.getMessage()));
        }
    }

    private static Read problem(String shown, DiagnosticKind kind, Object... args) {
        return new Read(null, Diagnostic.ofFile(shown, kind, args));
    }
}
