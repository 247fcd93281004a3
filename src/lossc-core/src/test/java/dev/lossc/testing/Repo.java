package dev.lossc.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Files of this repository, for the tests. */
public final class Repo {
    private Repo() {}

    public static Path root() {
        return Path.of(System.getProperty("lossc.repo", "../..")).toAbsolutePath().normalize();
    }

    public static Path examples() {
        return root().resolve("examples");
    }

    /** The example networks, sorted by name. */
    public static List<Path> exampleModels() {
        try (Stream<Path> s = Files.list(examples())) {
            return s.filter(p -> p.toString().endsWith(".loss")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
