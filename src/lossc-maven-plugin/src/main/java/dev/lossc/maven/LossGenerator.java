package dev.lossc.maven;

import dev.lossc.GeneratedFiles;
import dev.lossc.LossCompiler;
import dev.lossc.OutputFiles;
import dev.lossc.diag.Diagnostic;
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
                           List<String> includes, List<String> excludes, String packageName, boolean simd, Precision precision,
                           boolean parallel, java.util.Set<LossCompiler.Derivative> derivatives) {
        public Settings {
            precision = precision == null ? Precision.DOUBLE : precision;
            derivatives = derivatives == null ? java.util.Set.of() : java.util.Set.copyOf(derivatives);
        }

        public Settings(Path baseDir, Path sourceDirectory, Path outputDirectory, Path stateFile,
                        List<String> includes, List<String> excludes, String packageName, boolean simd, Precision precision, boolean parallel) {
            this(baseDir, sourceDirectory, outputDirectory, stateFile, includes, excludes, packageName, simd, precision, parallel, java.util.Set.of());
        }

        public Settings(Path baseDir, Path sourceDirectory, Path outputDirectory, Path stateFile,
                        List<String> includes, List<String> excludes, String packageName, boolean simd, Precision precision) {
            this(baseDir, sourceDirectory, outputDirectory, stateFile, includes, excludes, packageName, simd, precision, false);
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

    /**
     * What one source comes to before anything is written: its class (new text to write, or
     * {@code content == null} when it is up to date), or the errors that keep it from having one.
     */
    private static final class Planned {
        final String key;
        final String shown;
        final Path source;
        final Entry old;
        String hash;
        String output;
        String qualifiedName;
        byte[] content;
        boolean failed;

        Planned(String key, String shown, Path source, Entry old) {
            this.key = key;
            this.shown = shown;
            this.source = source;
            this.old = old;
        }
    }

    /**
     * Compiles what changed, then checks the whole source set (two sources of one class, two classes
     * that differ only in case, a class that would replace something other than a regular file)
     * on every build, incremental or not, and only then writes. A source with errors keeps no class:
     * its previous one is deleted, as a clean build would not have it, and the next build compiles
     * it again.
     */
    public Report run() throws IOException {
        if (settings.packageName() != null && !LossCompiler.isValidPackage(settings.packageName())) {
            log.error("lossc: packageName '" + settings.packageName() + "' is not a valid Java package name");
            return new Report(0, 0, 0, 1, 0);
        }
        Map<String, Entry> previous = readState();
        List<Planned> plan = new ArrayList<>();
        int errors = 0;
        for (Path source : scan()) {
            String key = settings.sourceDirectory().relativize(source).toString().replace('\\', '/');
            Planned p = new Planned(key, display(source), source, previous.get(key));
            plan.add(p);
            errors += compile(p);
        }
        errors += checkSourceSet(plan);
        // Write, and record what each source now generates.
        Map<String, Entry> next = new TreeMap<>();
        int generated = 0;
        int upToDate = 0;
        java.util.Set<String> kept = new java.util.HashSet<>();
        for (Planned p : plan) {
            if (p.failed) {
                continue;
            }
            if (p.content == null) {
                upToDate++;
            } else {
                GeneratedFiles.writeIfChanged(settings.outputDirectory().resolve(p.output), p.content);
                generated++;
            }
            next.put(p.key, new Entry(p.hash, p.output));
            kept.add(p.output);
        }
        // Delete every class this build does not stand behind: of a deleted source, of a source
        // whose class was renamed, of a source with errors.
        int deleted = 0;
        for (Entry e : previous.values()) {
            if (!kept.contains(e.output()) && delete(e.output())) {
                deleted++;
            }
        }
        for (Planned p : plan) {
            if (p.failed && p.output != null && !kept.contains(p.output) && delete(p.output)) {
                deleted++;
            }
        }
        writeState(next);
        int filesWithErrors = (int) plan.stream().filter(p -> p.failed).count();
        return new Report(generated, upToDate, deleted, errors, filesWithErrors);
    }

    /** Reads and, unless it is up to date, compiles one source; returns its number of errors. */
    private int compile(Planned p) {
        SourceFiles.Read read = SourceFiles.read(p.source, p.shown, Limits.MAX_SOURCE_BYTES);
        if (!read.ok()) {
            log.error(read.problem().headline());
            p.failed = true;
            return 1;
        }
        byte[] bytes = read.bytes();
        String pkg = packageFor(p.key);
        if (pkg == null) {
            log.error(p.shown + ":1:1: error: the folder '" + folderOf(p.key) + "' is not a valid Java package name; set packageName");
            p.failed = true;
            return 1;
        }
        p.hash = hash(bytes, pkg, settings.simd(), settings.precision(), settings.parallel(), settings.derivatives(), compiler);
        if (p.old != null && p.old.hash().equals(p.hash) && Files.isRegularFile(settings.outputDirectory().resolve(p.old.output()))) {
            p.output = p.old.output();
            p.qualifiedName = p.output.substring(0, p.output.length() - ".java".length()).replace('/', '.');
            return 0;
        }
        LossCompiler.Options options = new LossCompiler.Options(pkg).withSimd(settings.simd())
                .withPrecision(settings.precision()).withParallel(settings.parallel()).withDerivatives(settings.derivatives());
        LossCompiler.Result r;
        try {
            // The class and its cost summary (lossc report's totals) for the build log.
            LossCompiler.Report report = LossCompiler.report(p.shown, bytes, options);
            r = report.result();
            report.costs().ifPresent(c -> log.info("lossc: " + c.summary()));
        } catch (dev.lossc.InMemoryJavaCompiler.CompilationFailed e) {
            r = LossCompiler.compile(p.shown, bytes, options);
            log.info("lossc: no cost summary for " + p.shown + ": " + e.getMessage());
        }
        if (!r.ok()) {
            for (String line : r.render().split("\n")) {
                log.error(line);
            }
            p.failed = true;
            p.output = p.old == null ? null : p.old.output();
            return r.diagnostics().size();
        }
        LossCompiler.GeneratedClass c = r.output().orElseThrow();
        p.output = c.relativePath();
        p.qualifiedName = c.qualifiedName();
        p.content = c.source().getBytes(StandardCharsets.UTF_8);
        return 0;
    }

    /**
     * The checks over the whole source set: every source of one class file (compared without case:
     * on macOS and Windows {@code Net.java} and {@code NET.java} are one file) is an error that names
     * the others, and so is a class file the output policy refuses. Returns the number of errors.
     */
    private int checkSourceSet(List<Planned> plan) {
        int errors = 0;
        Map<String, List<Planned>> byFile = new TreeMap<>();
        for (Planned p : plan) {
            if (!p.failed) {
                byFile.computeIfAbsent(p.output.toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>()).add(p);
            }
        }
        for (List<Planned> same : byFile.values()) {
            if (same.size() < 2) {
                continue;
            }
            for (Planned p : same) {
                for (Planned other : same) {
                    if (other == p) {
                        continue;
                    }
                    String why = other.qualifiedName.equals(p.qualifiedName)
                            ? "class " + p.qualifiedName + " is also generated from " + other.shown
                            : "class " + p.qualifiedName + " and class " + other.qualifiedName + " (from " + other.shown
                                    + ") differ only in case: on macOS and Windows they are one file";
                    log.error(p.shown + ":1:1: error: " + why);
                    errors++;
                }
                p.failed = true;
            }
        }
        List<OutputFiles.Role> sources = plan.stream().map(p -> new OutputFiles.Role(p.source, "the source " + p.shown)).toList();
        for (Planned p : plan) {
            if (p.failed) {
                continue;
            }
            List<Diagnostic> problems = OutputFiles.check(
                    List.of(new OutputFiles.Role(settings.outputDirectory().resolve(p.output), "the class " + p.qualifiedName)), sources);
            for (Diagnostic d : problems) {
                log.error(d.headline() + " (the class of " + p.shown + ")");
                errors++;
                p.failed = true;
                p.output = null;   // not ours to delete: the policy refused to replace it
            }
        }
        return errors;
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

    /** What decides a file's class: its bytes, the compiler, and the options (package, simd, precision, parallel, derivatives). */
    private static String hash(byte[] source, String pkg, boolean simd, Precision precision, boolean parallel,
                               java.util.Set<LossCompiler.Derivative> derivatives, String compiler) {
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
            sha.update((byte) (parallel ? 1 : 0));
            for (LossCompiler.Derivative d : LossCompiler.Derivative.values()) {
                sha.update((byte) (derivatives.contains(d) ? 1 : 0));
            }
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
        // Only a regular file lossc wrote: a directory, FIFO or device in its place is never removed.
        boolean deleted = Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(file);
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
