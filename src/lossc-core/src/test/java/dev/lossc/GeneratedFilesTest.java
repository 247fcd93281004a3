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

    /**
     * A JVM killed outright (kill -9: no shutdown hook runs) mid-write may leave its temporary file;
     * the next write of the same target removes it, and leaves a live writer's temporary file alone.
     */
    @Test
    void aKilledWritersTemporaryFileIsRemovedByTheNextWrite() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        SplittableRandom rnd = new SplittableRandom(11);
        int leftBehind = 0;
        for (int run = 0; run < 6; run++) {
            Path dir = Files.createDirectory(tmp.resolve("kill" + run));
            Path target = dir.resolve("params.bin");
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Writer.class.getName(), target.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.exists(target) && System.nanoTime() < deadline && p.isAlive()) {
                    Thread.sleep(5);
                }
                Thread.sleep(rnd.nextInt(1, 60));
            } finally {
                p.destroyForcibly();   // SIGKILL
                p.waitFor(30, TimeUnit.SECONDS);
            }
            Files.delete(dir.resolve("log.txt"));
            leftBehind += leftovers(dir).size();
            GeneratedFiles.writeIfChanged(target, "next".getBytes());
            assertEquals(List.of(), leftovers(dir), "run " + run + ": the next write removes what the killed one left");
        }
        // A temporary file of a writer that is alive (this JVM's parent process stands in) is not touched.
        Path dir = Files.createDirectory(tmp.resolve("alive"));
        long livePid = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        Path live = Files.createFile(dir.resolve(".params.bin.lossc-" + livePid + "-1f.tmp"));
        Path dead = Files.createFile(dir.resolve(".params.bin.lossc-" + deadPid() + "-2e.tmp"));
        GeneratedFiles.writeIfChanged(dir.resolve("params.bin"), "x".getBytes());
        assertTrue(Files.exists(live));
        assertTrue(!Files.exists(dead));
        System.out.println("kill -9 runs that left a temporary file: " + leftBehind + " of 6");
    }

    /** The process id of a process that has ended. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    /** A symbolic link is written through, as GNU tools do: the file it leads to changes, the link stays. */
    @Test
    void aSymbolicLinkIsWrittenThrough() throws IOException {
        Path real = Files.writeString(tmp.resolve("real.json"), "old");
        Path link = Files.createSymbolicLink(tmp.resolve("link.json"), real.getFileName());
        GeneratedFiles.writeIfChanged(link, "new".getBytes());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("new", Files.readString(real));
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling.json"), tmp.resolve("missing/nothing.json"));
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> GeneratedFiles.writeIfChanged(dangling, "x".getBytes()));
        assertTrue(e.getMessage().startsWith("cannot write: it is a symbolic link to a missing file"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("missing")));
    }

    @Test
    void aDirectoryIsNeverReplaced() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("out.json/inside"));
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> GeneratedFiles.writeIfChanged(dir.getParent(), "x".getBytes()));
        assertEquals("cannot write: it is a directory", e.getMessage());
        assertTrue(Files.isDirectory(dir));
    }

    @Test
    void aReplacedFileKeepsItsPermissions() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path f = Files.writeString(tmp.resolve("secret.json"), "old");
        var mode = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        Files.setPosixFilePermissions(f, mode);
        GeneratedFiles.writeIfChanged(f, "new".getBytes());
        assertEquals(mode, Files.getPosixFilePermissions(f));
    }

    /** A second writer of one target fails at once while the first holds its lock; after, it may write. */
    @Test
    void aSecondWriterOfOneTargetIsRefusedAtOnce() throws Exception {
        Path target = tmp.resolve("params.json");
        try (OutputFiles.Lock first = OutputFiles.lock(target)) {
            OutputFiles.Locked e = org.junit.jupiter.api.Assertions.assertThrows(OutputFiles.Locked.class, () -> OutputFiles.lock(target));
            assertEquals("cannot write: another lossc process is writing it (it holds the lock .params.json.lossc-lock)", e.getMessage());
            // And from another process, which is what the lock is for.
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Locker.class.getName(), target.toString())
                    .redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor(30, TimeUnit.SECONDS);
            assertEquals("locked: cannot write: another lossc process is writing it (it holds the lock .params.json.lossc-lock)", said);
        }
        assertEquals(List.of(), leftovers(tmp), "the lock file goes with the lock");
        try (OutputFiles.Lock again = OutputFiles.lock(target)) {
            assertTrue(Files.exists(again.file()));
        }
    }

    /** A lock file left by a killed process (the operating system released its lock) is taken over. */
    @Test
    void aLockLeftByAKilledProcessIsTakenOver() throws Exception {
        Path target = tmp.resolve("params.json");
        Files.writeString(tmp.resolve(".params.json.lossc-lock"), "12345 dead\n");
        try (OutputFiles.Lock lock = OutputFiles.lock(target)) {
            assertTrue(Files.exists(lock.file()));
        }
        assertEquals(List.of(), leftovers(tmp));
    }

    /** Tries to take a lock; prints whether it could. */
    public static final class Locker {
        public static void main(String[] args) throws IOException {
            try (OutputFiles.Lock l = OutputFiles.lock(Path.of(args[0]))) {
                System.out.println("got it");
            } catch (OutputFiles.Locked e) {
                System.out.println("locked: " + e.getMessage());
            }
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
