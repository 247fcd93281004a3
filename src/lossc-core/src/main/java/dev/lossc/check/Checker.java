package dev.lossc.check;

import dev.lossc.ast.Exprs;
import dev.lossc.ast.Program;
import dev.lossc.ast.Stmt;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Limits;
import dev.lossc.diag.Pos;
import dev.lossc.diag.Reporter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Phase 2: names, scopes, shapes, constants, indexes and bounds, loops, def inlining and the single
 * scalar loss. Every error is reported and checking goes on (an erroneous expression becomes
 * {@code null} and silences what depends on it), so a file's errors are all reported at once.
 *
 * <p>This class checks the program's structure (one {@code model} first, one scalar {@code loss}
 * last, the class name); the statements are {@link Statements}', the expressions {@link
 * Expressions}', indexing {@link Indexing}'s, calls {@link Calls}' (each primitive's shape rule is
 * its table entry's), def inlining {@link Defs}' and the derived built-ins {@link DerivedForms}'.
 * They share one {@link Session}.
 */
public final class Checker {
    /** The largest array the generated code may need (Java's array limit). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final Program program;
    private final Pos endOfFile;
    private final Session session;
    private final Reporter reporter;

    private Checker(Program program, Pos endOfFile, Reporter reporter) {
        this.program = program;
        this.endOfFile = endOfFile;
        this.reporter = reporter;
        this.session = new Session(reporter);
    }

    /** Checks a parsed file; empty when it has errors (all of which are in the reporter). */
    public static Optional<Typed.Program> check(Program program, Pos endOfFile, Reporter reporter) {
        try {
            return new Checker(program, endOfFile, reporter).run();
        } catch (Session.TooLarge e) {
            return Optional.empty();
        }
    }

    private Optional<Typed.Program> run() {
        List<Stmt> stmts = program.statements();
        String className = null;
        Typed.Expr loss = null;
        Pos lossPos = null;
        boolean sawLoss = false;
        List<Typed.Stmt> out = new ArrayList<>();
        Ctx top = new Ctx(session.global, Ctx.Where.TOP, 1, null);
        // A class with states has states() and stateLayout(): outputs anywhere may not take those names.
        session.hasStates = stmts.stream().anyMatch(s -> s instanceof Stmt.State);
        for (int i = 0; i < stmts.size(); i++) {
            Stmt s = stmts.get(i);
            if (s instanceof Stmt.Model m) {
                if (className != null) {
                    reporter.error(m.pos(), DiagnosticKind.DUPLICATE_MODEL);
                } else if (i != 0) {
                    reporter.error(m.pos(), DiagnosticKind.MODEL_NOT_FIRST);
                } else {
                    className = m.name().name();
                    String problem = fileNameProblem(className);
                    if (problem != null) {
                        reporter.error(m.name().pos(), DiagnosticKind.MODEL_NAME_NOT_A_FILE, className, problem);
                    }
                }
            } else if (s instanceof Stmt.Loss l) {
                if (sawLoss) {
                    reporter.error(l.pos(), DiagnosticKind.DUPLICATE_LOSS);
                } else if (i != stmts.size() - 1) {
                    reporter.error(l.pos(), DiagnosticKind.LOSS_NOT_LAST);
                }
                Typed.Expr value = session.expr(l.value(), top);
                if (value != null && !value.shape().isScalar()) {
                    reporter.error(Exprs.start(l.value()), DiagnosticKind.LOSS_NOT_SCALAR, value.shape());
                }
                if (!sawLoss) {
                    loss = value;
                    lossPos = l.pos();
                }
                sawLoss = true;
            } else {
                session.statements.statement(s, top, out);
            }
        }
        if (!sawLoss) {
            reporter.error(endOfFile, DiagnosticKind.MISSING_LOSS);
        }
        if (reporter.hasErrors() || loss == null) {
            return Optional.empty();
        }
        if (className == null) {
            className = classNameFromFile(program.file());
            String problem = fileNameProblem(className);
            if (problem != null) {
                reporter.error(Pos.START, DiagnosticKind.MODEL_NAME_NOT_A_FILE, abbreviate(className),
                        problem + "; name the model with a 'model Name;' statement");
                return Optional.empty();
            }
        }
        return Optional.of(session.program(program.file(), className, out, loss, lossPos));
    }

    private static final java.util.regex.Pattern WINDOWS_DEVICE =
            java.util.regex.Pattern.compile("(?i)(con|prn|aux|nul|com[0-9]|lpt[0-9])");

    /**
     * Why {@code Name.java} cannot be a file on every platform the class may be generated on, or
     * null: the same source must compile everywhere, so Windows' device names are refused on
     * Linux too, and the name (with the underscore a Java keyword gets) must fit a 255-byte file
     * name.
     */
    static String fileNameProblem(String className) {
        if (WINDOWS_DEVICE.matcher(className).matches()) {
            return "'" + className + ".java' is a reserved device name on Windows";
        }
        if (className.length() > Limits.MAX_IDENTIFIER) {
            return "it has " + className.length() + " characters; the limit is " + Limits.MAX_IDENTIFIER;
        }
        return null;
    }

    private static String abbreviate(String name) {
        return name.length() <= 40 ? name : name.substring(0, 40) + "\u2026";
    }

    /** {@code two_layer.loss} → {@code TwoLayer}; names that would start with a digit get "Model". */
    public static String classNameFromFile(String file) {
        String base = file.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        StringBuilder name = new StringBuilder();
        for (String part : base.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                name.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        if (name.length() == 0 || Character.isDigit(name.charAt(0))) {
            name.insert(0, "Model");
        }
        return name.toString();
    }
}
