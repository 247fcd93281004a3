package dev.lossc.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.diag.Diagnostic;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Limits;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Inputs an attacker (or an editor sending every keystroke) would try: each gets its documented
 * diagnostic at the right place, within a time bound far below what a quadratic front end would
 * need, and a bounded report. The inputs are generated; the bound is enforced from outside the
 * compilation ({@code assertTimeoutPreemptively}).
 */
class HostileInputTest {
    /** Generous for a linear front end on a slow machine; the quadratic ones took minutes. */
    static final Duration BOUND = Duration.ofSeconds(20);

    /** A rendered report stays this small however large the input. */
    static final int MAX_REPORT_BYTES = 16 * 1024;

    record Attack(String name, Supplier<String> source, DiagnosticKind kind, String at) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> attacks() {
        return Stream.of(
                new Attack("30,000 unbalanced brackets", () -> "param x; loss " + "(".repeat(30_000) + "x;",
                        DiagnosticKind.NESTED_TOO_DEEPLY, "1:271"),
                new Attack("100,000 unbalanced brackets", () -> "param x; loss " + "(".repeat(100_000) + "x;",
                        DiagnosticKind.NESTED_TOO_DEEPLY, "1:271"),
                new Attack("100,000 balanced brackets", () -> "param x;\nloss " + "(".repeat(100_000) + "x" + ")".repeat(100_000) + ";",
                        DiagnosticKind.NESTED_TOO_DEEPLY, "2:262"),
                new Attack("1,000 chained powers", () -> "param x; loss x" + "^1".repeat(1_000) + ";",
                        DiagnosticKind.NESTED_TOO_DEEPLY, "1:527"),
                new Attack("100,000 chained powers", () -> "param x; loss x" + "^1".repeat(100_000) + ";",
                        DiagnosticKind.NESTED_TOO_DEEPLY, "1:527"),
                new Attack("100,000 unary minuses", () -> "param x; loss " + "-".repeat(100_000) + "x;",
                        DiagnosticKind.NESTED_TOO_DEEPLY, "1:271"),
                new Attack("100,000 nested calls", () -> "param x; loss " + "exp(".repeat(100_000) + "x;",
                        DiagnosticKind.NESTED_TOO_DEEPLY, "1:1039"),
                new Attack("100,000 nested indexes", () -> "param x[2]; loss x[" + "x[".repeat(100_000) + "0;",
                        DiagnosticKind.NESTED_TOO_DEEPLY, "1:530"),
                new Attack("a 200,000-term sum", () -> "param x; loss x" + "+x".repeat(200_000) + ";",
                        DiagnosticKind.PROGRAM_TOO_LARGE, "1:20016"),
                new Attack("200,000 lines with a syntax error", () -> "param x;\n" + "loss ((;\n".repeat(200_000),
                        DiagnosticKind.SYNTAX, "2:8"),
                new Attack("300-character model name", () -> "model " + "M".repeat(300) + "; param x; loss x;",
                        DiagnosticKind.NAME_TOO_LONG, "1:7"),
                new Attack("1,000,000-character identifier", () -> "param " + "a".repeat(1_000_000) + "; loss 1;",
                        DiagnosticKind.NAME_TOO_LONG, "1:7"),
                new Attack("model named after a Windows device", () -> "model Aux; param x; loss x;",
                        DiagnosticKind.MODEL_NAME_NOT_A_FILE, "1:7"),
                new Attack("1,000,000-digit number", () -> "param x; loss x * " + "9".repeat(1_000_000) + ";",
                        DiagnosticKind.BAD_NUMBER, "1:19"),
                new Attack("number beyond double", () -> "param x; loss x * 1e309;",
                        DiagnosticKind.BAD_NUMBER, "1:19"),
                new Attack("unknown name at the end of a 4 MB line", () -> "param x; loss x" + " ".repeat(4_000_000) + "+ y;",
                        DiagnosticKind.UNKNOWN_NAME, "1:4000018"),
                new Attack("100,000 unknown names", () -> "param x;\n" + "let a = nope;\n".repeat(100_000) + "loss x;",
                        DiagnosticKind.UNKNOWN_NAME, "2:9"),
                new Attack("unterminated comment in 10 MB", () -> "param x; loss x; /*" + "*".repeat(10_000_000),
                        DiagnosticKind.UNTERMINATED_COMMENT, "1:18")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void attackGetsItsDiagnosticFast(Attack attack) {
        String source = attack.source().get();
        LossCompiler.Result r = assertTimeoutPreemptively(BOUND,
                () -> LossCompiler.compile("attack.loss", source, LossCompiler.Options.DEFAULT));
        assertFalse(r.ok(), attack.name() + " compiled");
        Diagnostic first = r.diagnostics().get(0);
        assertEquals(attack.kind(), first.kind(), first.headline());
        assertEquals("attack.loss:" + attack.at() + ": error: ", first.headline().substring(0, ("attack.loss:" + attack.at() + ": error: ").length()),
                first.headline());
        String report = r.render();
        assertTrue(report.length() <= MAX_REPORT_BYTES, attack.name() + ": the report has " + report.length() + " characters");
        assertTrue(r.diagnostics().size() <= Limits.MAX_ERRORS + 1);
    }

    /** Near the operation limit, a valid program still compiles in seconds: every pass is a linear sweep. */
    @org.junit.jupiter.api.Test
    void aProgramNearTheOperationLimitCompilesFast() {
        StringBuilder src = new StringBuilder("param w[3];\nvar h = w;\n");
        for (int i = 0; i < 1300; i++) {
            src.append("h = tanh(w * h + ").append(i % 5).append(") * sigmoid(h - w);\n");
        }
        src.append("loss sum(h);\n");
        LossCompiler.Result r = assertTimeoutPreemptively(BOUND, () -> LossCompiler.compile("big.loss", src.toString(), LossCompiler.Options.DEFAULT));
        assertTrue(r.ok(), r.render());
    }

    @ParameterizedTest(name = "nesting {0}")
    @MethodSource("nestingLimits")
    void nestingLimitIsExact(String form, String open, String close) {
        // The loss's expression is level 1, so MAX_NESTING - 1 openings fit and one more does not.
        String fits = "param x;\nloss " + open.repeat(Limits.MAX_NESTING - 1) + "x" + close.repeat(Limits.MAX_NESTING - 1) + ";\n";
        LossCompiler.Result ok = LossCompiler.compile("fits.loss", fits, LossCompiler.Options.DEFAULT);
        assertTrue(ok.ok(), form + ":\n" + ok.render());
        String over = "param x;\nloss " + open.repeat(Limits.MAX_NESTING) + "x" + close.repeat(Limits.MAX_NESTING) + ";\n";
        LossCompiler.Result bad = LossCompiler.compile("over.loss", over, LossCompiler.Options.DEFAULT);
        assertEquals(List.of(DiagnosticKind.NESTED_TOO_DEEPLY), bad.diagnostics().stream().map(Diagnostic::kind).toList(), form);
    }

    static Stream<Arguments> nestingLimits() {
        return Stream.of(
                Arguments.of("parentheses", "(", ")"),
                Arguments.of("calls", "sum(", ")"),
                Arguments.of("unary minus", "-", ""),
                Arguments.of("power exponents", "", "^1"));
    }
}
