package dev.lossc.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.ast.AstPrinter;
import dev.lossc.ast.Program;
import dev.lossc.ast.Stmt;
import dev.lossc.diag.Diagnostic;
import dev.lossc.diag.Reporter;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The grammar's precedence and associativity, and the AST it builds, pinned expression by expression. */
class SourceParserTest {
    /** The loss expression of {@code loss TEXT;}, fully parenthesized. */
    private static String parsed(String expression) {
        Reporter reporter = new Reporter("t.loss");
        Optional<Program> p = SourceParser.parse("t.loss", "model T;\nloss " + expression + ";\n", reporter);
        assertEquals(List.of(), reporter.diagnostics(), expression);
        Stmt last = p.orElseThrow().statements().get(p.get().statements().size() - 1);
        return AstPrinter.expr(((Stmt.Loss) last).value());
    }

    @Test
    void powerBindsTighterThanUnaryMinusAndIsRightAssociative() {
        assertEquals("(-(x ^ 2))", parsed("-x ^ 2"));
        assertEquals("(a ^ (b ^ c))", parsed("a ^ b ^ c"));
        assertEquals("(x ^ (-2))", parsed("x ^ -2"));
        assertEquals("((-x) * y)", parsed("-x * y"));
    }

    @Test
    void arithmeticIsLeftAssociativeWithTheUsualPrecedence() {
        assertEquals("((a - b) - c)", parsed("a - b - c"));
        assertEquals("((a / b) / c)", parsed("a / b / c"));
        assertEquals("(a + (b * c))", parsed("a + b * c"));
        assertEquals("((a + b) * c)", parsed("(a + b) * c"));
        assertEquals("((A @ x) + b)", parsed("A @ x + b"));
    }

    @Test
    void comparisonsBindLooserThanArithmetic() {
        assertEquals("((a + 1) > (b * 2))", parsed("a + 1 > b * 2"));
    }

    @Test
    void callsIndexesAndNamedArgumentsKeepTheirOrder() {
        assertEquals("sum(X, axis = 0)", parsed("sum(X, axis = 0)"));
        assertEquals("leaky_relu((W @ x), alpha = 0.2)", parsed("leaky_relu(W @ x, alpha = 0.2)"));
        assertEquals("A[i, ..]", parsed("A[i, ..]"));
        assertEquals("X[.., (t * 4)..((t * 4) + 4)]", parsed("X[.., t * 4..t * 4 + 4]"));
        assertEquals("E[toks[t]]", parsed("E[toks[t]]"));
    }

    @Test
    void syntaxErrorsAreDiagnosticsAtTheirPlace() {
        Reporter reporter = new Reporter("t.loss");
        SourceParser.parse("t.loss", "model T;\nloss (a + ;\n", reporter);
        List<Diagnostic> d = reporter.diagnostics();
        assertEquals(1, d.size(), d.toString());
        assertEquals(2, d.get(0).pos().line());
        assertTrue(d.get(0).pos().column() >= 10, d.toString());
    }
}
