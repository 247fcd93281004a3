package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.testing.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The phase packages of the core depend on each other in one direction only (no cycle), none of
 * them reaches back into the facade package, and the command line and the Maven plugin use the
 * core only through its facade ({@code dev.lossc}) and its diagnostics ({@code dev.lossc.diag}).
 */
class ArchitectureTest {
    /**
     * A reference to a class of lossc, imported or written out in full anywhere in the code
     * ({@code dev.lossc.check.Typed}, {@code dev.lossc.LossCompiler}): group 1 is its package
     * under {@code dev.lossc} (null: the facade).
     */
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.lossc\\.(?:([a-z]+)\\.)?(?:[A-Z]|\\*)");

    /** package (first segment under dev.lossc, "" for the facade) → packages it imports. */
    static Map<String, Set<String>> graph(Path sources) throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String rel = sources.relativize(f.getParent()).toString().replace('\\', '/');
                String pkg = rel.equals("dev/lossc") ? "" : rel.replaceFirst("^dev/lossc/([a-z]+).*", "$1");
                Set<String> to = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(code(Files.readString(f)));
                while (m.find()) {
                    String target = m.group(1) == null ? "" : m.group(1);
                    if (!target.equals(pkg)) {
                        to.add(target);
                    }
                }
            }
        }
        return deps;
    }

    @Test
    void corePackagesFormNoCycleAndNoneUsesTheFacade() throws IOException {
        Map<String, Set<String>> deps = graph(Repo.root().resolve("src/lossc-core/src/main/java"));
        for (Map.Entry<String, Set<String>> e : deps.entrySet()) {
            if (!e.getKey().isEmpty()) {
                assertTrue(!e.getValue().contains(""), "package " + e.getKey() + " imports the facade package dev.lossc");
            }
        }
        List<String> cycle = cycle(deps);
        assertEquals(List.of(), cycle, "package cycle in " + deps);
    }

    @Test
    void commandLineAndPluginUseOnlyTheFacade() throws IOException {
        for (String module : List.of("src/lossc-cli/src/main/java", "src/lossc-maven-plugin/src/main/java")) {
            Map<String, Set<String>> deps = graph(Repo.root().resolve(module));
            for (Set<String> targets : deps.values()) {
                for (String t : targets) {
                    // "runtime" is the optimizers' own module (lossc-runtime), not the compiler's insides.
                    assertTrue(Set.of("", "diag", "types", "cli", "maven", "runtime").contains(t), module + " imports dev.lossc." + t);
                }
            }
        }
    }

    /**
     * Each main source file does one job: none, in any module, grows past 600 lines (the checker
     * and the class writer were split by job when they reached 1,500 and 1,300, the train command
     * when it reached 728).
     */
    @Test
    void noMainSourceFileGrowsPast600Lines() throws IOException {
        List<String> large = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Repo.root().resolve("src"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().replace('\\', '/').contains("/src/main/java/"))
                    .sorted().toList()) {
                long lines = Files.readAllLines(f).size();
                if (lines > 600) {
                    large.add(f.getFileName() + " (" + lines + " lines)");
                }
            }
        }
        assertEquals(List.of(), large);
    }

    /** Java source without its comments and the contents of its string and character literals. */
    static String code(String java) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = java.length();
        while (i < n) {
            char c = java.charAt(i);
            if (c == '/' && i + 1 < n && java.charAt(i + 1) == '/') {
                while (i < n && java.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && java.charAt(i + 1) == '*') {
                int end = java.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (java.startsWith("\"\"\"", i)) {
                int end = java.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && java.charAt(i) != c) {
                    i += java.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    @Test
    void referencesWrittenInFullAreSeen() {
        String java = "package dev.lossc.ir;\nimport dev.lossc.prim.Prim;\n// dev.lossc.opt.Pass in a comment\n"
                + "class X { dev.lossc.check.Symbol s; String t = \"dev.lossc.codegen.Y\"; Object f = dev.lossc.LossCompiler.class; }\n";
        Matcher m = REFERENCE.matcher(code(java));
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1) == null ? "" : m.group(1));
        }
        assertEquals(List.of("prim", "check", ""), found);
    }

    /** A cycle among the non-facade packages, or an empty list. */
    private static List<String> cycle(Map<String, Set<String>> deps) {
        Map<String, Integer> state = new TreeMap<>();
        for (String start : deps.keySet()) {
            List<String> path = new ArrayList<>();
            if (!start.isEmpty() && visit(start, deps, state, path)) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean visit(String p, Map<String, Set<String>> deps, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(p);
        if (s != null && s == 2) {
            return false;
        }
        path.add(p);
        if (s != null && s == 1) {
            return true;
        }
        state.put(p, 1);
        for (String q : deps.getOrDefault(p, Set.of())) {
            if (!q.isEmpty() && visit(q, deps, state, path)) {
                return true;
            }
        }
        state.put(p, 2);
        path.remove(path.size() - 1);
        return false;
    }
}
