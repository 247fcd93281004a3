package dev.lossc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Repo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * What the passes promise, checked on every example's generated class: no loop (or statement)
 * that only copies one adjoint into another, no clearing of an adjoint that nothing reads after
 * it, and no private helper that nothing calls.
 */
class GeneratedHygieneTest {
    private static final Pattern COPY = Pattern.compile("^\\s*(d_\\w+)(\\[[^\\]]+\\])? = (d_\\w+)(\\[[^\\]]+\\])?;$");
    private static final Pattern FILL = Pattern.compile("^\\s*(?:Arrays\\.fill\\((d_\\w+), 0\\.0\\)|(d_\\w+)(?:\\[[^\\]]+\\])? = 0\\.0);$");
    private static final Pattern HELPER = Pattern.compile("private static \\w+ (\\w+)\\(");

    @TestFactory
    Stream<DynamicTest> generatedExamplesAreClean() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path model : Repo.exampleModels()) {
            tests.add(DynamicTest.dynamicTest(model.getFileName().toString(), () -> {
                String java = LossCompiler.compile(model.getFileName().toString(), Repo.read(model), LossCompiler.Options.DEFAULT)
                        .output().orElseThrow().source();
                assertEquals(List.of(), problems(java), java);
            }));
        }
        return tests.stream();
    }

    /**
     * A copy {@code to = from} that cannot be an alias: {@code to} is still read or written while
     * {@code from} is being computed (a var's adjoint, needed by the rules that build the adjoint of
     * its snapshot, then handed that adjoint back).
     */
    static boolean neededCopy(String[] lines, int at, String to, String from) {
        int first = -1;
        for (int k = 0; k < at && first < 0; k++) {
            String l = lines[k].strip();
            if (!l.startsWith("//") && !l.startsWith("*") && !l.startsWith("private") && l.matches(".*\\b" + from + "\\b.*")) {
                first = k;
            }
        }
        for (int k = Math.max(first, 0) + 1; first >= 0 && k < at; k++) {
            String l = lines[k].strip();
            if (!l.startsWith("//") && l.matches(".*\\b" + to + "\\b.*")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A scalar adjoint spread over an array adjoint ({@code d_v[i] = d_s;}) that two or more later
     * statements read as an array (the rows of a batch loss: the adjoint of a sum read by both
     * sides of a subtraction): not a copy of one adjoint into another, and needed as such.
     */
    static boolean sharedBroadcast(String[] lines, int at, Matcher copy) {
        if (copy.group(2) == null || copy.group(4) != null) {
            return false;
        }
        int readers = 0;
        Pattern read = Pattern.compile("=.*\\b" + copy.group(1) + "\\[");
        for (int k = at + 1; k < lines.length && !lines[k].contains("private "); k++) {
            readers += read.matcher(lines[k]).find() ? 1 : 0;
        }
        return readers >= 2;
    }

    static List<String> problems(String java) {
        List<String> problems = new ArrayList<>();
        String[] lines = java.split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher copy = COPY.matcher(lines[i]);
            // An adjoint spread over a larger one (a tensor's broadcast, version 3: the two indices differ) is no copy.
            boolean spread = copy.matches() && copy.group(2) != null && copy.group(4) != null && !copy.group(2).equals(copy.group(4));
            if (copy.matches() && !spread && !neededCopy(lines, i, copy.group(1), copy.group(3)) && !sharedBroadcast(lines, i, copy)) {
                problems.add("line " + (i + 1) + " only copies one adjoint into another: " + lines[i].strip());
            }
            Matcher fill = FILL.matcher(lines[i]);
            if (fill.matches()) {
                String name = fill.group(1) != null ? fill.group(1) : fill.group(2);
                boolean readLater = false;
                for (int k = i + 1; k < lines.length && !readLater; k++) {
                    readLater = lines[k].matches(".*\\b" + name + "\\b.*") && !lines[k].strip().startsWith("//");
                }
                if (!readLater) {
                    problems.add("line " + (i + 1) + " clears " + name + ", which nothing reads afterwards");
                }
            }
        }
        Matcher helper = HELPER.matcher(java);
        while (helper.find()) {
            String name = helper.group(1);
            if (java.split("\\b" + name + "\\(", -1).length - 1 < 2) {
                problems.add("private helper " + name + " is never called");
            }
        }
        return problems;
    }
}
