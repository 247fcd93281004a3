package dev.lossc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedFilesTest {
    @TempDir
    Path tmp;

    @Test
    void writesThroughNewFoldersAndLeavesAnUnchangedFileAlone() throws IOException {
        Path target = tmp.resolve("a/b/C.java");
        GeneratedFiles.writeIfChanged(target, "one".getBytes());
        assertEquals("one", Files.readString(target));
        FileTime old = FileTime.fromMillis(1_000_000_000L);
        Files.setLastModifiedTime(target, old);
        GeneratedFiles.writeIfChanged(target, "one".getBytes());
        assertEquals(old, Files.getLastModifiedTime(target), "same bytes: not rewritten");
        GeneratedFiles.writeIfChanged(target, "two".getBytes());
        assertEquals("two", Files.readString(target));
        assertEquals(List.of(), leftovers(target.getParent()));
    }

    /**
     * A JVM stopped by SIGTERM while it rewrites a file over and over (as {@code lossc train} does
     * every epoch) leaves the file whole, old or new, and no temporary file: the stop falls at a
     * different moment of the write each time.
     */
    @Test
    void aStoppedWriterLeavesTheFileWholeAndNoTemporaryFile() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        SplittableRandom rnd = new SplittableRandom(7);
        for (int run = 0; run < 8; run++) {
            Path dir = Files.createDirectory(tmp.resolve("run" + run));
            Path target = dir.resolve("params.bin");
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Writer.class.getName(), target.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.exists(target) && System.nanoTime() < deadline && p.isAlive()) {
                    Thread.sleep(5);
                }
                Thread.sleep(rnd.nextInt(1, 60));
                assertTrue(p.isAlive(), "run " + run + ": " + Files.readString(dir.resolve("log.txt")));
            } finally {
                p.destroy();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            byte[] left = Files.readAllBytes(target);
            assertTrue(Arrays.equals(left, Writer.content(0)) || Arrays.equals(left, Writer.content(1)), "run " + run + ": the file is not whole");
            assertEquals(List.of(), leftovers(dir), "run " + run + ": temporary files left behind");
        }
    }

    private static List<Path> leftovers(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(".")).toList();
        }
    }

    /** Rewrites its file with two alternating contents of 1 MB until stopped. */
    public static final class Writer {
        static byte[] content(int which) {
            byte[] b = new byte[1 << 20];
            Arrays.fill(b, (byte) ('a' + which));
            return b;
        }

        public static void main(String[] args) throws IOException {
            Path target = Path.of(args[0]);
            byte[][] contents = {content(0), content(1)};
            for (int i = 0; ; i++) {
                GeneratedFiles.writeIfChanged(target, contents[i & 1]);
            }
        }
    }
}
