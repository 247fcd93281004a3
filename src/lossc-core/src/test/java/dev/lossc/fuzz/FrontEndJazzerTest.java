package dev.lossc.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lossc.LossCompiler;
import dev.lossc.diag.Diagnostic;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Limits;

/**
 * Coverage-guided fuzzing of the front end with Jazzer: any input must give a class or diagnostics
 * with valid positions, quickly, never an exception. Fuzzing runs for maxDuration (JAZZER_FUZZ is
 * set by the build); the seeds in src/test/resources are replayed every time. A crash Jazzer finds
 * is written there too, and then replayed by every later build. Jazzer fuzzes one target per JVM,
 * so the one target splits its inputs between raw bytes and structured attacks.
 */
class FrontEndJazzerTest {
    /** Far above what a linear front end needs for the largest input Jazzer builds here. */
    private static final long MAX_MILLIS = 5_000;

    @FuzzTest(maxDuration = "40s")
    void frontEndDecidesEveryInput(FuzzedDataProvider data) {
        if (data.consumeBoolean()) {
            deepNestingAndLongTokens(data);
        } else {
            anyBytesGiveAClassOrDiagnostics(data.consumeRemainingAsBytes());
        }
    }

    private static void anyBytesGiveAClassOrDiagnostics(byte[] input) {
        check(LossCompiler.compile("fuzz.loss", input, LossCompiler.Options.DEFAULT));
    }

    private static final String[] OPENERS = {"(", "exp(", "-", "- ", "sum(", "max(x, ", "x * (", "x[", "dot(x, "};
    private static final String[] CLOSERS = {")", "", "]", ", x)", ") + x", ";", "^1", "^-1", "^(1)"};

    /**
     * Structured attacks: nesting around and beyond {@link Limits#MAX_NESTING} built from the
     * openers a user can write, identifiers around {@link Limits#MAX_IDENTIFIER}, long numbers,
     * and arbitrary text in between. Each must be decided quickly.
     */
    private static void deepNestingAndLongTokens(FuzzedDataProvider data) {
        int depth = data.consumeInt(0, 2 * Limits.MAX_NESTING + 8);
        String open = data.pickValue(OPENERS);
        String close = data.pickValue(CLOSERS);
        int nameLength = data.consumeInt(1, 2 * Limits.MAX_IDENTIFIER);
        int digits = data.consumeInt(1, 700);
        String name = "x" + "a".repeat(nameLength - 1);
        String middle = data.consumeString(200);
        String rest = data.consumeRemainingAsString();
        String source = "param " + name + ";\nparam x[3];\nloss " + open.repeat(depth) + name + " " + middle
                + " * 1" + "0".repeat(digits) + close.repeat(depth) + rest + ";\n";
        long start = System.nanoTime();
        LossCompiler.Result r = LossCompiler.compile("fuzz.loss", source, LossCompiler.Options.DEFAULT);
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (millis > MAX_MILLIS) {
            throw new AssertionError(millis + " ms for an input of " + source.length() + " characters");
        }
        check(r);
        boolean longName = r.diagnostics().stream().anyMatch(d -> d.kind() == DiagnosticKind.NAME_TOO_LONG);
        if (nameLength > Limits.MAX_IDENTIFIER && r.ok()) {
            throw new AssertionError("a " + nameLength + "-character name compiled");
        }
        if (longName && nameLength <= Limits.MAX_IDENTIFIER && !rest.contains(name.substring(0, 1))) {
            // Only a name from the fuzzer's own text may be too long then.
            boolean fromText = (middle + rest).matches("(?s).*[A-Za-z_][A-Za-z0-9_]{" + Limits.MAX_IDENTIFIER + ",}.*");
            if (!fromText) {
                throw new AssertionError("a " + nameLength + "-character name was reported too long");
            }
        }
    }

    private static void check(LossCompiler.Result r) {
        if (r.ok() == r.output().isEmpty()) {
            throw new AssertionError("a result is either a class or errors");
        }
        if (r.diagnostics().size() > Limits.MAX_ERRORS + 1) {
            throw new AssertionError(r.diagnostics().size() + " diagnostics");
        }
        for (Diagnostic d : r.diagnostics()) {
            if (d.pos() != null && d.pos().line() > r.source().lineCount() + 1) {
                throw new AssertionError("diagnostic past the end: " + d.headline());
            }
            String report = d.render(r.source());
            if (report.length() > d.headline().length() + 4 * Limits.MAX_QUOTED_LINE + 16) {
                throw new AssertionError("a report quotes " + report.length() + " characters");
            }
        }
    }
}
