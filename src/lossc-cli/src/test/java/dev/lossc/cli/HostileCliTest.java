package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of the hardening work, through the command line: the right exit code (never 0 for a
 * failure), one short diagnostic, no stack trace, no "internal error", and nothing written.
 */
class HostileCliTest {
    static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    static CliTest.Run lossc(String... args) {
        CliTest.Run r = assertTimeoutPreemptively(BOUND, () -> CliTest.lossc(args));
        assertFalse(r.err().contains("internal error"), r.err());
        return r;
    }

    @Test
    void aDeviceIsAnInputErrorInOneLine() {
        assumeTrue(Files.exists(Path.of("/dev/zero")));
        CliTest.Run r = lossc("check", "/dev/zero");
        assertEquals(1, r.code());
        assertEquals("/dev/zero: error: not a regular file (a device, pipe or socket) [L005]\n", r.err());
    }

    @Test
    void aPipeWithNoWriterDoesNotBlock() throws Exception {
        Path fifo = tmp.resolve("pipe.loss");
        try {
            assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0);
        } catch (IOException e) {
            assumeTrue(false, "no mkfifo");
        }
        CliTest.Run r = lossc("compile", fifo.toString(), "-d", tmp.resolve("out").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(fifo + ": error: not a regular file"), r.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void aLongModelNameIsADiagnosticAndNothingIsWritten() throws IOException {
        Path src = tmp.resolve("long.loss");
        Files.writeString(src, "model " + "A".repeat(300) + ";\nparam w;\nloss w * w;\n");
        CliTest.Run r = lossc("compile", src.toString(), "-d", tmp.resolve("out").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(src + ":1:7: error: name is too long (300 characters; the limit is 200)"), r.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void aMultiMegabyteOneLineValuesFileGetsAShortReport() throws IOException {
        Path src = tmp.resolve("big.loss");
        Files.writeString(src, "dim N = 1000;\ninput x[N, N];\nparam b;\nparam W[N, N];\nloss sum(x) * b + l2(W);\n");
        Path values = tmp.resolve("big.json");
        try (Writer w = Files.newBufferedWriter(values)) {
            w.write("{\"x\": ");
            matrix(w, 1000);
            w.write(", \"W\": ");
            matrix(w, 1000);
            w.write("}"); // b is missing
        }
        assertTrue(Files.size(values) > 4_000_000);
        CliTest.Run r = lossc("eval", src.toString(), "--values", values.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(values + ":1:1: error: missing value for param 'b' scalar [V003]\n"), r.err());
        assertTrue(r.err().length() < 1000, r.err().length() + " characters of diagnostics");
        assertEquals("", r.out());
    }

    private static void matrix(Writer w, int n) throws IOException {
        w.write('[');
        for (int i = 0; i < n; i++) {
            w.write(i == 0 ? "[" : ",[");
            for (int j = 0; j < n; j++) {
                w.write(j == 0 ? "0.5" : ",0.5");
            }
            w.write(']');
        }
        w.write(']');
    }

    @Test
    void anUnwritableOutputIsAnErrorNotACrash() throws IOException {
        Path src = tmp.resolve("net.loss");
        Files.writeString(src, "param w;\nloss w * w;\n");
        Path blocker = tmp.resolve("file-not-dir");
        Files.writeString(blocker, "");
        CliTest.Run r = lossc("compile", src.toString(), "-d", blocker.toString());
        assertEquals(1, r.code());
        assertEquals(blocker.resolve("Net.java") + ": error: cannot write: " + blocker + " is not a folder [W005]\nnothing written\n", r.err());
        assertEquals("", Files.readString(blocker));
    }

    @Test
    void generatedFilesGetTheUmasksMode() throws IOException {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path src = tmp.resolve("net.loss");
        Files.writeString(src, "param w;\nloss w * w;\n");
        Path out = tmp.resolve("out");
        assertEquals(0, lossc("compile", src.toString(), "-d", out.toString()).code());
        // What a new file gets from this process's umask, as javac's output would.
        Path probe = Files.createFile(tmp.resolve("probe"));
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(probe);
        assertEquals(expected, Files.getPosixFilePermissions(out.resolve("Net.java")));
        assertTrue(expected.contains(PosixFilePermission.OTHERS_READ) || expected.contains(PosixFilePermission.GROUP_READ)
                || !expected.contains(PosixFilePermission.OWNER_READ), "umask of this run: " + expected);
    }

    /**
     * A fresh JVM with a heap too small for the input: the out-of-memory error, wherever it is
     * thrown, is one line and exit code 1, never a stack trace and never 0.
     */
    @Test
    void runningOutOfMemoryIsExitOneInOneLine() throws Exception {
        Path src = tmp.resolve("huge.loss");
        try (Writer w = Files.newBufferedWriter(src)) {
            w.write("param w;\n");
            for (int i = 0; i < 600_000; i++) {
                w.write("let a" + i + " = w * " + i + " + (w - 1) ^ 2 + sum(w) - tanh(w);\n");
            }
            w.write("loss w;\n");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx48m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "check", src.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "did not finish");
        assertEquals(1, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertEquals(1, lines.size(), out);
        assertTrue(lines.get(0).contains("error:") && lines.get(0).contains("memory"), out);
        assertFalse(out.contains("\tat ") || out.contains("Exception in thread"), out);
    }
}
