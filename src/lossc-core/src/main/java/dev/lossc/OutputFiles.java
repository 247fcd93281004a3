package dev.lossc;

import dev.lossc.diag.Diagnostic;
import dev.lossc.diag.DiagnosticKind;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one policy for every file lossc writes (the command line's outputs, plots, graphs and
 * generated classes, and the Maven plugin's): a file is written only where nothing but a regular
 * file is replaced.
 * <ul>
 *   <li>The path is new, or an existing regular file. A directory, a device, a FIFO or a socket is
 *       refused, never replaced.</li>
 *   <li>A symbolic link is followed, as GNU tools write through one: the file it leads to is
 *       replaced and the link stays. A link to a missing file is refused.</li>
 *   <li>The file is not one the same command reads, nor one it writes for another purpose (compared
 *       by real path, so {@code ./a.json}, {@code a.json} and a link to it are one file; a hard link is
 *       the same file too).</li>
 *   <li>Its folder can be written (the file is replaced by a move from a temporary file beside it).</li>
 * </ul>
 * Commands check every output before any work starts; {@link GeneratedFiles} checks again at the
 * moment of writing, since the file system may change in between.
 */
public final class OutputFiles {
    private OutputFiles() {}

    /** A file a command reads or writes, and how messages name it ("the training data (--data)"). */
    public record Role(Path path, String what) {
        public Role {
            Objects.requireNonNull(path);
            Objects.requireNonNull(what);
        }
    }

    /**
     * Every problem with writing {@code outputs} while {@code inputs} are read, one diagnostic per
     * output at most, as {@code FILE: error: …} (the file named as given). Empty when every output
     * can be written.
     */
    public static List<Diagnostic> check(List<Role> outputs, List<Role> inputs) {
        List<Diagnostic> problems = new ArrayList<>();
        List<Object> inputKeys = new ArrayList<>();
        for (Role in : inputs) {
            inputKeys.add(identity(in.path()));
        }
        List<Object> outputKeys = new ArrayList<>();
        for (Role out : outputs) {
            Object key = identity(out.path());
            Diagnostic d = problem(out.path());
            if (d == null) {
                for (int i = 0; i < inputs.size() && d == null; i++) {
                    if (key.equals(inputKeys.get(i))) {
                        d = Diagnostic.ofFile(out.path().toString(), DiagnosticKind.OUTPUT_IS_INPUT, inputs.get(i).what());
                    }
                }
                for (int i = 0; i < outputKeys.size() && d == null; i++) {
                    if (key.equals(outputKeys.get(i))) {
                        d = Diagnostic.ofFile(out.path().toString(), DiagnosticKind.OUTPUT_TWICE, outputs.get(i).what());
                    }
                }
            }
            outputKeys.add(key);
            if (d != null) {
                problems.add(d);
            }
        }
        return problems;
    }

    /** Why {@code target} cannot be written, or null: the checks of this class that need no other file. */
    public static Diagnostic problem(Path target) {
        Reason why = whyNot(target);
        return why == null ? null : Diagnostic.ofFile(target.toString(), why.kind(), why.detail());
    }

    /** A refusal: its catalogue entry and the words that fill it. */
    private record Reason(DiagnosticKind kind, String detail) {
        String message() {
            return kind.format(detail);
        }
    }

    private static Reason whyNot(Path target) {
        try {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(target, BasicFileAttributes.class);
            } catch (java.nio.file.FileSystemException e) {
                if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(target)) {
                    throw e;
                }
                if (Files.isSymbolicLink(target)) {
                    return new Reason(DiagnosticKind.OUTPUT_CANNOT_WRITE, "it is a symbolic link to a missing file ("
                            + Files.readSymbolicLink(target) + ")");
                }
                return folderProblem(target.toAbsolutePath().getParent());
            }
            if (a.isDirectory()) {
                return new Reason(DiagnosticKind.OUTPUT_DIRECTORY, "");
            }
            if (!a.isRegularFile()) {
                return new Reason(DiagnosticKind.OUTPUT_NOT_REGULAR, kindOfSpecialFile(target));
            }
            Path real = target.toRealPath();
            if (!Files.isWritable(real)) {
                return new Reason(DiagnosticKind.OUTPUT_CANNOT_WRITE, "permission denied");
            }
            return folderProblem(real.getParent());
        } catch (IOException e) {
            return new Reason(DiagnosticKind.OUTPUT_CANNOT_WRITE, String.valueOf(e.getMessage()));
        }
    }

    /** Why a new file cannot be created under {@code folder} (which may not exist yet), or null. */
    private static Reason folderProblem(Path folder) {
        Path existing = folder;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return null;
        }
        if (!Files.isDirectory(existing)) {
            return new Reason(DiagnosticKind.OUTPUT_CANNOT_WRITE, existing + " is not a folder");
        }
        if (!Files.isWritable(existing)) {
            return new Reason(DiagnosticKind.OUTPUT_CANNOT_WRITE, "the folder " + existing + " cannot be written (permission denied)");
        }
        return null;
    }

    /** "a FIFO (named pipe)", "a character device", …, from the file's mode where the platform tells it. */
    private static String kindOfSpecialFile(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            return switch (mode & 0170000) {
                case 0010000 -> "a FIFO (named pipe)";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "a device, pipe or socket";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return "a device, pipe or socket";
        }
    }

    /**
     * What identifies a file: its file key (device and inode) when it exists, which also joins hard
     * links; otherwise the real path of its nearest existing folder and the rest of the path.
     */
    static Object identity(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            if (a.fileKey() != null) {
                return a.fileKey();
            }
            return p.toRealPath();
        } catch (IOException e) {
            Path abs = p.toAbsolutePath().normalize();
            Path existing = abs;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return abs;
            }
            try {
                return existing.toRealPath().resolve(existing.relativize(abs));
            } catch (IOException again) {
                return abs;
            }
        }
    }

    /**
     * The file a write of {@code target} replaces: {@code target} itself, or the file a symbolic
     * link leads to. Throws with the policy's words when it cannot be written.
     */
    static Path destination(Path target) throws IOException {
        Reason why = whyNot(target);
        if (why != null) {
            throw new IOException(why.message());
        }
        return Files.isSymbolicLink(target) ? target.toRealPath() : target;
    }

    // ------------------------------------------------------------------ locks

    /** Thrown when another process holds a target's lock. */
    public static final class Locked extends IOException {
        Locked(String message) {
            super(message);
        }
    }

    /**
     * A lock that keeps a second lossc process from writing the same file: an advisory lock on a
     * file {@code .NAME.lossc-lock} beside the destination. The operating system releases it when the
     * process ends, however it ends; a lock file left by a killed process is taken over by the next
     * writer and deleted when that writer closes its lock.
     */
    public static final class Lock implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final FileLock lock;

        private Lock(Path file, FileChannel channel, FileLock lock) {
            this.file = file;
            this.channel = channel;
            this.lock = lock;
        }

        /** The lock file. */
        public Path file() {
            return file;
        }

        @Override
        public void close() throws IOException {
            try {
                // Deleted while still held: a writer waiting on this file finds on its retry that the
                // name no longer leads to the file it locked, and starts again with a new one.
                Files.deleteIfExists(file);
            } finally {
                GeneratedFiles.forgetLock(file);
                channel.close();
                HELD.remove(file);
            }
        }
    }

    /**
     * The lock files this process holds. A second attempt within the process must not even open the
     * file: closing any descriptor of a file releases every POSIX lock the process holds on it.
     */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Takes the lock of {@code target} (which need not exist yet), or throws {@link Locked} at once. */
    public static Lock lock(Path target) throws IOException {
        Path dest = destination(target).toAbsolutePath();
        Path folder = dest.getParent();
        Files.createDirectories(folder);
        Path file = folder.toRealPath().resolve("." + GeneratedFiles.stem(dest.getFileName().toString()) + ".lossc-lock");
        if (!HELD.add(file)) {
            throw new Locked(DiagnosticKind.OUTPUT_LOCKED.format(file.getFileName()));
        }
        try {
            return lockFile(file);
        } catch (IOException | RuntimeException e) {
            HELD.remove(file);
            throw e;
        }
    }

    private static Lock lockFile(Path file) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                Files.createFile(file);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // A lock file of a writer that is running, or one a killed writer left.
            }
            // What the name leads to before the open and after the lock: the same file, unless a
            // holder deleted it in between (then this one starts again). Only stat: opening the file
            // a second time and closing it would release this process's lock.
            Object before = key(file);
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.WRITE);
            } catch (java.nio.file.NoSuchFileException e) {
                continue;
            }
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new Locked(DiagnosticKind.OUTPUT_LOCKED.format(file.getFileName()));
            }
            if (before != null && before.equals(key(file))) {
                channel.truncate(0);
                channel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0);
                GeneratedFiles.rememberLock(file);
                return new Lock(file, channel, lock);
            }
            channel.close();
        }
        throw new IOException("cannot take the lock " + file);
    }

    private static Object key(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
