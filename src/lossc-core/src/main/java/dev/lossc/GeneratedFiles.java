package dev.lossc;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writing files, the same way for the command line and the Maven plugin: atomically (a temporary
 * file beside the target, then a move), under the policy of {@link OutputFiles}, and never leaving
 * a temporary file for long.
 */
public final class GeneratedFiles {
    private GeneratedFiles() {}

    /**
     * Temporary files being written, and lock files held. A JVM stopped by SIGTERM or Ctrl-C (a long
     * {@code lossc train} rewrites its params file every epoch) runs shutdown hooks but no
     * {@code finally} block of the thread it stops: the hook deletes these, so only the target, old or
     * new and whole, remains. A JVM killed outright (kill -9) runs no hook: its temporary files carry
     * its process id, and the next write of the same target deletes them once that process is gone.
     */
    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();

    /**
     * Guards {@link #stopping} and the creation of temporary files against the hook: other threads
     * keep running while shutdown hooks do, so without it a file created just after the hook's
     * sweep would outlive the JVM.
     */
    private static final Object LOCK = new Object();
    private static boolean stopping;

    /** Where a temporary file's name ends: {@code .NAME.lossc-PID-RANDOM.tmp}. */
    private static final String TEMPORARY = ".tmp";

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (LOCK) {
                stopping = true;
                for (Path tmp : IN_FLIGHT) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException e) {
                        // Nothing more to do while the JVM exits.
                    }
                }
            }
        }, "lossc-temporary-files"));
    }

    /**
     * Writes {@code content} to {@code target} atomically (a temporary file, then a move), creating
     * folders; does nothing when the file already holds exactly these bytes, so its timestamp is
     * kept and incremental builds downstream see no change. The target must be a new path or a
     * regular file (a symbolic link is written through); anything else is an {@link IOException}
     * whose message says why, and is left as it was. A replaced file keeps its permissions.
     */
    public static void writeIfChanged(Path target, byte[] content) throws IOException {
        Path dest = OutputFiles.destination(target);
        if (Files.isRegularFile(dest) && Files.size(dest) == content.length && Arrays.equals(Files.readAllBytes(dest), content)) {
            return;
        }
        Path parent = dest.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        String name = dest.getFileName().toString();
        removeStaleTemporaries(parent, name);
        Path tmp = newTemporaryFile(parent, name);
        try {
            Files.write(tmp, content, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            keepPermissions(dest, tmp);
            try {
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
            IN_FLIGHT.remove(tmp);
        }
    }

    /** A replaced file's permissions carry over to its new version (a 0600 params file stays 0600). */
    private static void keepPermissions(Path old, Path tmp) {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(old, PosixFileAttributeView.class);
            if (view != null && Files.isRegularFile(old)) {
                Files.setPosixFilePermissions(tmp, view.readAttributes().permissions());
            }
        } catch (IOException | UnsupportedOperationException e) {
            // The umask's mode stays: the file is still whole.
        }
    }

    /** The part of a target's name that its temporary and lock files carry (long names are cut). */
    static String stem(String name) {
        return name.length() <= 100 ? name : name.substring(0, 100);
    }

    private static String temporaryPrefix(String name) {
        return "." + stem(name) + ".lossc-";
    }

    /**
     * Deletes the temporary files of {@code name} in {@code folder} whose writer is gone: a process
     * that no longer runs (killed before it could clean up), or this process when the file is not
     * one it is writing now.
     */
    private static void removeStaleTemporaries(Path folder, String name) {
        String prefix = temporaryPrefix(name);
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder,
                p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(TEMPORARY))) {
            for (Path p : files) {
                String rest = p.getFileName().toString().substring(prefix.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                boolean alive = pid == ProcessHandle.current().pid()
                        ? IN_FLIGHT.contains(p)
                        : ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                if (!alive && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    stale.add(p);
                }
            }
        } catch (IOException e) {
            return;   // Cleaning up is a courtesy: the write itself goes on.
        }
        for (Path p : stale) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // Another writer may have removed it first.
            }
        }
    }

    /**
     * A new empty file beside the target. Not {@link Files#createTempFile}: its mode is 0600
     * whatever the umask, and the move would keep it; a file created plainly gets the umask's mode,
     * as javac's own output does.
     */
    private static Path newTemporaryFile(Path folder, String name) throws IOException {
        String prefix = temporaryPrefix(name) + ProcessHandle.current().pid() + "-";
        for (int attempt = 0; ; attempt++) {
            Path tmp = folder.resolve(prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + TEMPORARY);
            // Listed and created under the hook's lock: the hook either sweeps it or has already
            // stopped new ones. Once swept, writing or moving it fails, and the target stays whole.
            synchronized (LOCK) {
                if (stopping) {
                    throw new IOException("not written: the JVM is shutting down");
                }
                IN_FLIGHT.add(tmp);
                try {
                    return Files.createFile(tmp);
                } catch (IOException e) {
                    IN_FLIGHT.remove(tmp);
                    if (!(e instanceof FileAlreadyExistsException) || attempt == 100) {
                        throw e;
                    }
                }
            }
        }
    }

    /** A lock file now held by this process: the shutdown hook deletes it. */
    static void rememberLock(Path file) {
        IN_FLIGHT.add(file);
    }

    static void forgetLock(Path file) {
        IN_FLIGHT.remove(file);
    }
}
