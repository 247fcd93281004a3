package dev.lossc.maven;

import dev.lossc.LossCompiler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What identifies the compiler in the incremental state: its version and a digest of its own bytes
 * (the lossc-core jar, or its class folder inside a reactor build). A snapshot of the compiler that
 * changed without a new version number still regenerates every class; unchanged output is not
 * rewritten, so nothing downstream recompiles for nothing.
 */
final class CompilerFingerprint {
    private static final String VALUE = compute();

    private CompilerFingerprint() {}

    static String value() {
        return VALUE;
    }

    private static String compute() {
        String version = LossCompiler.version();
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            CodeSource source = LossCompiler.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return version;
            }
            Path where = Path.of(source.getLocation().toURI());
            if (Files.isRegularFile(where)) {
                digest(sha, where);
            } else if (Files.isDirectory(where)) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(where)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    sha.update(where.relativize(f).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) 0);
                    digest(sha, f);
                }
            } else {
                return version;
            }
            return version + "+" + HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (IOException | URISyntaxException | NoSuchAlgorithmException | RuntimeException e) {
            return version;
        }
    }

    private static void digest(MessageDigest sha, Path file) throws IOException {
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
    }
}
