package dev.lossc.parser;

import dev.lossc.ast.Program;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Limits;
import dev.lossc.diag.Pos;
import dev.lossc.diag.Reporter;
import dev.lossc.diag.SourceText;
import dev.lossc.parser.gen.LossLexer;
import dev.lossc.parser.gen.LossParser;
import java.util.Optional;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.LexerNoViableAltException;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * Phase 1: text to AST. Syntax errors are reported, never thrown; when there are any, no AST is
 * returned (later phases would only report their echoes).
 */
public final class SourceParser {
    private SourceParser() {}

    public static Optional<Program> parse(String file, String text, Reporter reporter) {
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            reporter.error(SourceText.position(text, nul), DiagnosticKind.NUL_BYTE);
            return Optional.empty();
        }
        int comment = unterminatedComment(text);
        if (comment >= 0) {
            reporter.error(SourceText.position(text, comment), DiagnosticKind.UNTERMINATED_COMMENT);
            return Optional.empty();
        }
        // One syntax error per line: ANTLR's recovery tends to report echoes of the first.
        java.util.Set<Integer> linesWithErrors = new java.util.HashSet<>();
        LossLexer lexer = new LossLexer(CharStreams.fromString(text, file));
        lexer.removeErrorListeners();
        lexer.addErrorListener(new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col,
                                    String msg, RecognitionException e) {
                Pos pos = new Pos(line, col + 1);
                linesWithErrors.add(line);
                int start = e instanceof LexerNoViableAltException lex ? lex.getStartIndex() : -1;
                if (start >= 0 && text.startsWith("/*", start)) {
                    reporter.error(pos, DiagnosticKind.UNTERMINATED_COMMENT);
                } else if (start >= 0 && start < text.length()) {
                    reporter.error(pos, DiagnosticKind.UNEXPECTED_CHARACTER, describe(text.codePointAt(start)));
                } else {
                    reporter.error(pos, DiagnosticKind.SYNTAX, msg);
                }
                if (reporter.full()) {
                    throw new Stop(null);
                }
            }
        });
        BoundedParser parser = new BoundedParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col,
                                    String msg, RecognitionException e) {
                if (linesWithErrors.add(Math.max(line, 1))) {
                    reporter.error(new Pos(Math.max(line, 1), col + 1), DiagnosticKind.SYNTAX, friendly(msg, offending));
                }
                if (reporter.full()) {
                    throw new Stop(null);
                }
            }
        });
        LossParser.ProgramContext tree;
        try {
            tree = parser.program();
        } catch (Stop stop) {
            if (stop.tooDeep != null) {
                reporter.error(pos(stop.tooDeep), DiagnosticKind.NESTED_TOO_DEEPLY, Limits.MAX_NESTING);
            } else {
                reporter.stopped();
            }
            return Optional.empty();
        }
        if (reporter.hasErrors()) {
            return Optional.empty();
        }
        Program program = new AstBuilder(file, reporter).program(tree);
        return reporter.hasErrors() ? Optional.empty() : Optional.of(program);
    }

    private static Pos pos(Token t) {
        return new Pos(Math.max(1, t.getLine()), t.getCharPositionInLine() + 1);
    }

    /**
     * Thrown (and caught above) to end the parse at once: when an expression opens more than
     * {@link Limits#MAX_NESTING} levels ({@code tooDeep} is where), or when the reporter is full.
     * Letting a deep, unbalanced input reach ANTLR's error recovery would cost time quadratic in
     * the depth: it walks the whole rule stack at every level it unwinds.
     */
    private static final class Stop extends RuntimeException {
        final transient Token tooDeep;

        Stop(Token tooDeep) {
            super(null, null, false, false);
            this.tooDeep = tooDeep;
        }
    }

    /**
     * The generated parser with a bound on expression nesting: entering {@code expr} (a
     * parenthesis, call argument, index or unary minus) or {@code powRhs} (an exponent) opens a
     * level; more than {@link Limits#MAX_NESTING} open levels end the parse.
     */
    private static final class BoundedParser extends LossParser {
        private int depth;

        BoundedParser(CommonTokenStream tokens) {
            super(tokens);
        }

        private void open(int ruleIndex) {
            if ((ruleIndex == RULE_expr || ruleIndex == RULE_powRhs) && ++depth > Limits.MAX_NESTING) {
                throw new Stop(getCurrentToken());
            }
        }

        private void close(int ruleIndex) {
            if (ruleIndex == RULE_expr || ruleIndex == RULE_powRhs) {
                depth--;
            }
        }

        @Override
        public void enterRule(ParserRuleContext localctx, int state, int ruleIndex) {
            super.enterRule(localctx, state, ruleIndex);
            open(ruleIndex);
        }

        @Override
        public void enterRecursionRule(ParserRuleContext localctx, int state, int ruleIndex, int precedence) {
            super.enterRecursionRule(localctx, state, ruleIndex, precedence);
            open(ruleIndex);
        }

        @Override
        public void exitRule() {
            close(getContext().getRuleIndex());
            super.exitRule();
        }

        @Override
        public void unrollRecursionContexts(ParserRuleContext parent) {
            close(RULE_expr);
            super.unrollRecursionContexts(parent);
        }
    }

    /** Offset of a block comment that is never closed, or -1. */
    private static int unterminatedComment(String text) {
        int i = 0;
        while (i < text.length() - 1) {
            if (text.startsWith("//", i)) {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    return i;
                }
                i = end + 2;
            } else {
                i++;
            }
        }
        return -1;
    }

    private static String describe(int codePoint) {
        if (Character.isISOControl(codePoint) || Character.isWhitespace(codePoint)) {
            return String.format("U+%04X", codePoint);
        }
        return "'" + new String(Character.toChars(codePoint)) + "'";
    }

    /** ANTLR's messages, made shorter where they list every token the grammar could take. */
    private static String friendly(String msg, Object offending) {
        String text = offending instanceof Token t ? t.getText() : null;
        String shown = offending instanceof Token t && t.getType() == Token.EOF ? "end of file" : "'" + text + "'";
        int expecting = msg.indexOf(" expecting ");
        if (msg.startsWith("missing ")) {
            return msg.replace("<EOF>", "end of file");
        }
        String expected = expecting >= 0 ? msg.substring(expecting + 11) : "";
        if (expected.startsWith("{") && expected.split(",").length > 4) {
            expected = "";
        }
        expected = expected.replace("<EOF>", "end of file");
        if (expected.contains("'init'")) {
            // After a param's name or shape, the only name the grammar takes is the option 'as'.
            expected = expected.replace("ID", "'as'");
        }
        if (msg.startsWith("no viable alternative") || msg.startsWith("mismatched input")
                || msg.startsWith("extraneous input")) {
            return "unexpected " + (text == null ? "input" : shown) + (expected.isEmpty() ? "" : ", expecting " + expected);
        }
        return msg;
    }

}
