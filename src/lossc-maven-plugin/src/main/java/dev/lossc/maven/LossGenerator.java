package dev.lossc.maven;

import dev.lossc.GeneratedFiles;
import dev.lossc.LossCompiler;
import dev.lossc.SourceFiles;
import dev.lossc.diag.Limits;
import dev.lossc.types.Precision;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The build-time generator behind the Maven goals, free of Maven types so it can be tested alone.
 * It compiles every included .loss file under a source directory with {@link LossCompiler} (the
 * same facade as the command line, hence byte-identical classes), and is incremental: a state file
 * records, per source, a hash of its bytes, the compiler version and the options, and the file it
 * generated. Unchanged sources are not compiled again and their outputs are not touched; outputs
 * of deleted sources are deleted; a file is only written when its bytes change.
 */
public final class LossGenerator {
    /** Where messages go (Maven's log in the plugin). */
    public interface Log {
        void info(String line);

        void error(String line);
    }

    public record Settings(Path baseDir, Path sourceDirectory, Path outputDirectory, Path stateFile,
                           List<String> includes, List<String> excludes, String packageName, boolean simd, Precision precision) {
        public Settings {
            precision = precision == null ? Precision.DOUBLE : precision;
        }

        public Settings(Path baseDir, Path sourceDirectory, Path outputDirectory, Path stateFile,
                        List<String> includes, List<String> excludes, String packageName) {
            this(baseDir, sourceDirectory, outputDirectory, stateFile, includes, excludes, packageName, false, Precision.DOUBLE);
        }
    }

    public record Report(int generated, int upToDate, int deleted, int errors, int filesWithErrors) {}

    private final Settings settings;
    private final Log log;

    private final String compiler;

    public LossGenerator(Settings settings, Log log) {
        this(settings, log, CompilerFingerprint.value());
    }

    /** With a given compiler fingerprint: a different one regenerates every class. */
    LossGenerator(Settings settings, Log log, String compiler) {
        this.settings = settings;
        this.log = log;
        this.compiler = compiler;
    }

    private record Entry(String hash, String output) {}

    public Report run() throws IOException {
        if (settings.packageName() != null && !LossCompiler.isValidPackage(settings.packageName())) {
            log.error("lossc: packageName '" + settings.packageName() + "' is not a valid Java package name");
            return new Report(0, 0, 0, 1, 0);
        }
        Map<String, Entry> previous = readState();
        Map<String, Entry> next = new TreeMap<>();
        List<Path> sources = scan();
        int generated = 0;
        int upToDate = 0;
        int errors = 0;
        int filesWithErrors = 0;
        Map<String, String> classOwners = new HashMap<>();
        for (Path source : sources) {
            String key = settings.sourceDirectory().relativize(source).toString().replace('\\', '/');
            String shown = display(source);
            SourceFiles.Read read = SourceFiles.read(source, shown, Limits.MAX_SOURCE_BYTES);
            if (!read.ok()) {
                log.error(read.problem().headline());
                errors++;
                filesWithErrors++;
                continue;
            }
            byte[] bytes = read.bytes();
            String pkg = packageFor(key);
            if (pkg == null) {
                log.error(shown + ":1:1: error: the folder '" + folderOf(key) + "' is not a valid Java package name; set packageName");
                errors++;
                filesWithErrors++;
                continue;
            }
            String hash = hash(bytes, pkg, settings.simd(), settings.precision(), compiler);
            Entry old = previous.get(key);
            if (old != null && old.hash().equals(hash) && Files.isRegularFile(settings.outputDirectory().resolve(old.output()))) {
                next.put(key, old);
                claim(classOwners, old.output(), shown);
                upToDate++;
                continue;
            }
            LossCompiler.Result r = LossCompiler.compile(shown, bytes, new LossCompiler.Options(pkg).withSimd(settings.simd()).withPrecision(settings.precision()));
            if (!r.ok()) {
                for (String line : r.render().split("\n")) {
                    log.error(line);
                }
                errors += r.diagnostics().size();
                filesWithErrors++;
                if (old != null) {
                    next.put(key, new Entry("", old.output()));
                }
                continue;
            }
            LossCompiler.GeneratedClass c = r.output().orElseThrow();
            String owner = claim(classOwners, c.relativePath(), shown);
            if (owner != null) {
                log.error(shown + ":1:1: error: class " + c.qualifiedName() + " is also generated from " + owner);
                errors++;
                filesWithErrors++;
                continue;
            }
            GeneratedFiles.writeIfChanged(settings.outputDirectory().resolve(c.relativePath()), c.source().getBytes(StandardCharsets.UTF_8));
            if (old != null && !old.output().equals(c.relativePath())) {
                delete(old.output());
            }
            next.put(key, new Entry(hash, c.relativePath()));
            generated++;
        }
        int deleted = 0;
        for (Map.Entry<String, Entry> e : previous.entrySet()) {
            if (!next.containsKey(e.getKey()) && !next.values().stream().anyMatch(n -> n.output().equals(e.getValue().output()))) {
                if (delete(e.getValue().output())) {
                    deleted++;
                }
            }
        }
        writeState(next);
        return new Report(generated, upToDate, deleted, errors, filesWithErrors);
    }

    /** Records that {@code file} generates {@code output}; returns the earlier source if one already did. */
    private static String claim(Map<String, String> owners, String output, String file) {
        // Case-insensitive: on macOS and Windows, Net.java and NET.java are one file.
        return owners.putIfAbsent(output.toLowerCase(java.util.Locale.ROOT), file);
    }

    private String display(Path source) {
        Path base = settings.baseDir();
        return base != null && source.startsWith(base) ? base.relativize(source).toString() : source.toString();
    }

    private static String folderOf(String key) {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? "" : key.substring(0, slash);
    }

    /** The package: the configured one, else the folder under the source directory; null if invalid. */
    private String packageFor(String key) {
        if (settings.packageName() != null && !settings.packageName().isEmpty()) {
            return settings.packageName();
        }
        String pkg = folderOf(key).replace('/', '.');
        return LossCompiler.isValidPackage(pkg) ? pkg : null;
    }

    /** What decides a file's class: its bytes, the compiler, and the options (package, simd, precision). */
    private static String hash(byte[] source, String pkg, boolean simd, Precision precision, String compiler) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source);
            sha.update((byte) 0);
            sha.update(compiler.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(pkg.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update((byte) (simd ? 1 : 0));
            sha.update((byte) precision.ordinal());
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ files

    private List<Path> scan() throws IOException {
        Path dir = settings.sourceDirectory();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<PathMatcher> includes = matchers(settings.includes().isEmpty() ? List.of("**/*.loss") : settings.includes());
        List<PathMatcher> excludes = matchers(settings.excludes());
        try (Stream<Path> files = Files.walk(dir)) {
            // Not only regular files: a pipe or device named like a source is reported, not skipped.
            return files.filter(p -> !Files.isDirectory(p))
                    .filter(p -> {
                        Path rel = dir.relativize(p);
                        return matches(includes, rel) && !matches(excludes, rel);
                    })
                    .sorted()
                    .toList();
        }
    }

    private static List<PathMatcher> matchers(List<String> globs) {
        List<PathMatcher> out = new ArrayList<>();
        for (String g : globs) {
            String glob = g.replace('\\', '/');
            out.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            // As in Ant and Maven, a leading "**/" also matches no folder at all.
            while (glob.startsWith("**/")) {
                glob = glob.substring(3);
                out.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            }
        }
        return out;
    }

    private static boolean matches(List<PathMatcher> matchers, Path rel) {
        for (PathMatcher m : matchers) {
            if (m.matches(rel)) {
                return true;
            }
        }
        return false;
    }


    /** Deletes a generated file and the package folders it leaves empty. */
    private boolean delete(String output) throws IOException {
        Path root = settings.outputDirectory();
        Path file = root.resolve(output);
        boolean deleted = Files.deleteIfExists(file);
        for (Path dir = file.getParent(); dir != null && dir.startsWith(root) && !dir.equals(root); dir = dir.getParent()) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    break;
                }
            }
            Files.delete(dir);
        }
        return deleted;
    }

    private Map<String, Entry> readState() throws IOException {
        Map<String, Entry> state = new HashMap<>();
        Path file = settings.stateFile();
        if (!Files.isRegularFile(file)) {
            return state;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        for (String key : p.stringPropertyNames()) {
            String[] v = p.getProperty(key).split(" ", 2);
            if (v.length == 2) {
                state.put(key, new Entry(v[0], v[1]));
            }
        }
        return state;
    }

    private void writeState(Map<String, Entry> state) throws IOException {
        StringBuilder text = new StringBuilder("# lossc incremental build state: source = hash output\n");
        for (Map.Entry<String, Entry> e : new TreeMap<>(state).entrySet()) {
            text.append(escape(e.getKey())).append(" = ").append(e.getValue().hash()).append(' ').append(e.getValue().output()).append('\n');
        }
        Files.createDirectories(settings.stateFile().getParent());
        try (Writer out = Files.newBufferedWriter(settings.stateFile(), StandardCharsets.UTF_8)) {
            out.write(text.toString());
        }
    }

    private static String escape(String key) {
        StringBuilder s = new StringBuilder();
        for (char c : key.toCharArray()) {
            if (" =:#!\\".indexOf(c) >= 0) {
                s.append('\\');
            }
            s.append(c);
        }
        return s.toString();
    }
}
