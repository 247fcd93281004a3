package dev.lossc.check;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Exprs;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.types.Shape;
import java.util.List;
import java.util.Set;

/**
 * The constructors of version 3: {@code zeros(s0, …)}, {@code ones(s0, …)} and
 * {@code full(value, s0, …)}, a tensor of one constant value. Their sizes are what a declared
 * shape takes (dims, positive integer constants, a dim that varies per call named alone), so
 * {@code var h = zeros(B, H);} is an RNN's first state at every batch size; the value of
 * {@code full} is a constant expression. The result is a constant: nothing flows back through it.
 * The names are not reserved: a declaration of the same name hides them.
 */
final class Constructors {
    private static final Set<String> NAMES = Set.of("zeros", "ones", "full");

    /** True if {@code name} is one of the constructors. */
    static boolean named(String name) {
        return NAMES.contains(name);
    }

    private final Session session;

    Constructors(Session session) {
        this.session = session;
    }

    /** The checked constructor call, or null after an error. */
    Typed.Expr call(Expr.Call c, Ctx ctx) {
        String name = c.function().name();
        if (!c.named().isEmpty()) {
            Expr.NamedArg first = c.named().get(0);
            session.reporter.error(first.name().pos(), DiagnosticKind.UNKNOWN_ARGUMENT, name, first.name().name());
            return null;
        }
        boolean full = name.equals("full");
        int first = full ? 1 : 0;
        int given = c.args().size();
        int most = Shape.MAX_RANK;
        if (given < first + 1 || given > first + most) {
            if (given > first + most) {
                // Sizes beyond a tensor's: the same error as a declared shape's fifth size.
                session.reporter.error(Exprs.start(c.args().get(first + most)), DiagnosticKind.SHAPE_RANK, given - first);
            } else {
                String expected = full ? "a value and 1 to 4 sizes" : "1 to 4 sizes";
                session.reporter.error(c.pos(), DiagnosticKind.ARITY, name, expected, given);
            }
            return null;
        }
        double value = full ? 0 : name.equals("ones") ? 1 : 0;
        if (full) {
            Expr v = c.args().get(0);
            Typed.Expr typed = session.expr(v, ctx);
            if (typed == null) {
                return null;
            }
            if (!(typed instanceof Typed.Const k)) {
                session.reporter.error(Exprs.start(v), DiagnosticKind.CONSTANT_ARGUMENT, "1", name);
                return null;
            }
            value = k.value();
        }
        Shape shape = session.statements.declaredShape(c.args().subList(first, given), c.function(), ctx);
        if (shape == null) {
            return null;
        }
        return session.derived(Derived.FULL, List.of(new Typed.Const(value, c.pos())), shape, c.pos(), ctx);
    }
}
