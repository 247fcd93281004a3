package dev.lossc;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/** Writing generated files, the same way for the command line and the Maven plugin. */
public final class GeneratedFiles {
    private GeneratedFiles() {}

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
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }
}
