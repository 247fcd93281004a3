package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.testing.Repo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The documentation's `loss` code blocks compile, and the reference lists every diagnostic. */
class DocsTest {
    private static final Pattern BLOCK = Pattern.compile("```loss\\n(.*?)```", Pattern.DOTALL);

    @TestFactory
    Stream<DynamicTest> lossBlocksInTheDocsCompile() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path doc : List.of(Repo.root().resolve("README.md"), Repo.root().resolve("docs/language.md"), Repo.root().resolve("docs/design.md"))) {
            Matcher m = BLOCK.matcher(Repo.read(doc));
            int n = 0;
            while (m.find()) {
                String source = m.group(1);
                tests.add(DynamicTest.dynamicTest(doc.getFileName() + " block " + ++n, () -> {
                    LossCompiler.Result r = LossCompiler.compile("doc.loss", source, LossCompiler.Options.DEFAULT);
                    assertTrue(r.ok(), r.render() + "\n" + source);
                }));
            }
        }
        assertTrue(tests.size() >= 4, "found " + tests.size() + " blocks");
        return tests.stream();
    }

    /** Every `java` block of the design notes that shows generated methods is a checked-in generated class's text, verbatim. */
    @Test
    void javaBlocksOfTheDesignNotesAreGeneratedCode() {
        String doc = Repo.read(Repo.root().resolve("docs/design.md"));
        String generated;
        try (Stream<Path> files = java.nio.file.Files.walk(Repo.root().resolve("generated-examples"))) {
            generated = files.filter(f -> f.toString().endsWith(".java")).sorted().map(Repo::read).reduce("", String::concat);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Matcher m = Pattern.compile("```java\\n(    private void .*?)```", Pattern.DOTALL).matcher(doc);
        int n = 0;
        while (m.find()) {
            n++;
            String block = m.group(1);
            assertTrue(generated.contains(block), "docs/design.md java block " + n + " is not in generated-examples:\n" + block);
        }
        assertTrue(n >= 1, "no generated code in docs/design.md");
    }

    @Test
    void languageReferenceListsEveryDiagnostic() {
        String doc = Repo.read(Repo.root().resolve("docs/language.md"));
        for (DiagnosticKind k : DiagnosticKind.values()) {
            // The row shows the message template with its arguments as "…" (text) and "N" (numbers).
            String message = k.template().replaceAll("%,?d", "N").replace("%s", "\u2026");
            String row = "| " + k.code() + " | " + message + " |";
            assertTrue(doc.contains(row), k + ": docs/language.md has no row " + row);
        }
    }
}
