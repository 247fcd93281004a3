package dev.lossc.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lossc.SourceFiles;
import dev.lossc.diag.Diagnostic;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Pos;
import dev.lossc.diag.SourceText;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading inputs: only regular files, only up to a bound; and reports that quote a bounded window. */
class InputFilesTest {
    @TempDir
    Path dir;

    static Path fifo(Path dir) throws IOException, InterruptedException {
        Path fifo = dir.resolve("pipe.loss");
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException noMkfifo) {
            assumeTrue(false, "mkfifo is not available here");
            return null;
        }
        assumeTrue(p.waitFor() == 0 && Files.exists(fifo), "mkfifo failed");
        return fifo;
    }

    @Test
    void aPipeWithNoWriterIsRefusedWithoutBlocking() throws Exception {
        Path fifo = fifo(dir);
        SourceFiles.Read r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> SourceFiles.read(fifo, "pipe.loss", 1000));
        assertNull(r.bytes());
        assertEquals("pipe.loss: error: not a regular file (a device, pipe or socket) [L005]", r.problem().headline());
    }

    @Test
    void aDeviceIsRefusedBeforeItIsRead() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero), "no /dev/zero here");
        SourceFiles.Read r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> SourceFiles.read(zero, "/dev/zero", 1000));
        assertEquals(DiagnosticKind.NOT_A_REGULAR_FILE, r.problem().kind());
    }

    @Test
    void aFileOverTheLimitIsRefusedBeforeItIsRead() throws IOException {
        Path big = dir.resolve("big.loss");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength((64L << 20) + 1); // sparse: no 64 MiB written
        }
        SourceFiles.Read r = SourceFiles.read(big, "big.loss", 64L << 20);
        assertEquals("big.loss: error: input too large (67,108,865 bytes; the limit is 67,108,864 bytes) [L006]", r.problem().headline());
    }

    @Test
    void aFileAtTheLimitIsRead() throws IOException {
        Path f = dir.resolve("ok.loss");
        Files.writeString(f, "param w; loss w;");
        SourceFiles.Read r = SourceFiles.read(f, "ok.loss", 16);
        assertEquals("param w; loss w;", new String(r.bytes()));
        assertEquals(DiagnosticKind.FILE_TOO_LARGE, SourceFiles.read(f, "ok.loss", 15).problem().kind());
    }

    @Test
    void aDirectoryOrAMissingFileIsAProblemNotAnException() {
        assertEquals("d: error: not a regular file (a directory) [L005]", SourceFiles.read(dir, "d", 100).problem().headline());
        assertEquals("m: error: cannot read the file: no such file [L007]", SourceFiles.read(dir.resolve("missing"), "m", 100).problem().headline());
    }

    @Test
    void aLongLineIsQuotedAroundTheColumn() {
        String line = "a".repeat(1000) + "X" + "b".repeat(1000);
        Diagnostic d = new Diagnostic("f.loss", new Pos(1, 1001), DiagnosticKind.UNKNOWN_NAME, "unknown name 'X'");
        String[] lines = d.render(new SourceText("f.loss", line)).split("\n");
        assertEquals("f.loss:1:1001: error: unknown name 'X' [N001]", lines[0]);
        // "…", 50 characters, the column, 49 characters, "…"; the caret under the X.
        assertEquals("\u2026" + "a".repeat(50) + "X" + "b".repeat(49) + "\u2026", lines[1]);
        assertEquals('X', lines[1].charAt(lines[2].indexOf('^')));
    }

    @Test
    void aLongLineIsQuotedFromItsStartOrToItsEnd() {
        String line = "X" + "a".repeat(500);
        Diagnostic start = new Diagnostic("f.loss", new Pos(1, 1), DiagnosticKind.UNKNOWN_NAME, "m");
        String[] s = start.render(new SourceText("f.loss", line)).split("\n");
        assertEquals("X" + "a".repeat(99) + "\u2026", s[1]);
        assertEquals("^", s[2]);
        Diagnostic end = new Diagnostic("f.loss", new Pos(1, 503), DiagnosticKind.MISSING_LOSS, "m");
        String[] e = end.render(new SourceText("f.loss", line)).split("\n");
        assertEquals("\u2026" + "a".repeat(100), e[1]);
        assertEquals(" ".repeat(102) + "^", e[2]);
    }

    @Test
    void aShortLineIsQuotedWhole() {
        Diagnostic d = new Diagnostic("f.loss", new Pos(2, 6), DiagnosticKind.UNKNOWN_NAME, "m");
        assertEquals("f.loss:2:6: error: m [N001]\nloss\tv;\n    \t^\n", d.render(new SourceText("f.loss", "x\nloss\tv;\n")));
    }
}
