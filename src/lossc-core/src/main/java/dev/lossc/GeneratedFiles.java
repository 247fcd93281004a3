package dev.lossc;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Writing generated files, the same way for the command line and the Maven plugin. */
public final class GeneratedFiles {
    private GeneratedFiles() {}

    /**
     * Temporary files being written. A JVM stopped by SIGTERM or Ctrl-C (a long {@code lossc train}
     * rewrites its params file every epoch) runs shutdown hooks but no {@code finally} block of the
     * thread it stops: the hook deletes these, so only the target, old or new and whole, remains.
     */
    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();

    /**
     * Guards {@link #stopping} and the creation of temporary files against the hook: other threads
     * keep running while shutdown hooks do, so without it a file created just after the hook's
     * sweep would outlive the JVM.
     */
    private static final Object LOCK = new Object();
    private static boolean stopping;

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
     * kept and incremental builds downstream see no change.
     */
    public static void writeIfChanged(Path target, byte[] content) throws IOException {
        if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), content)) {
            return;
        }
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = newTemporaryFile(parent);
        try {
            Files.write(tmp, content, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
            IN_FLIGHT.remove(tmp);
        }
    }

    /**
     * A new empty file beside the target. Not {@link Files#createTempFile}: its mode is 0600
     * whatever the umask, and the move would keep it; a file created plainly gets the umask's mode,
     * as javac's own output does.
     */
    private static Path newTemporaryFile(Path folder) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = folder.resolve(".lossc-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
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
}
