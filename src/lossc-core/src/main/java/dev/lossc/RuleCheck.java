package dev.lossc;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Program;
import dev.lossc.ast.Stmt;
import dev.lossc.diag.Diagnostic;
import dev.lossc.diag.DiagnosticKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code lossc check --verify-rules}: each def's own gradient against central differences of its
 * body. For each def with a grad rule, the program is compiled with that rule alone (every other
 * def's body differentiated as if it had none), and its gradient is checked, as {@code gradcheck}
 * checks one ({@link GradCheck}, PyTorch's tolerances), at {@link #POINTS} seeded random points
 * (params and inputs drawn as {@code gradcheck} draws inputs). Since the loss is the body's value,
 * its central differences are the body's derivative: a param whose entries fail means the rule
 * disagrees with the body. A def no call reaches is not checked.
 */
public final class RuleCheck {
    /** How many random points each rule is checked at. */
    public static final int POINTS = 3;

    private RuleCheck() {}

    /**
     * A {@link DiagnosticKind#RULE_DISAGREES} warning, at its grad rule, for each rule that
     * disagrees; {@code program} must compile without errors.
     */
    public static List<Diagnostic> verify(Program program, String text, long seed) throws InMemoryJavaCompiler.CompilationFailed {
        List<Diagnostic> warnings = new ArrayList<>();
        for (Stmt s : program.statements()) {
            if (!(s instanceof Stmt.Def d) || d.rule("grad") == null) {
                continue;
            }
            LossCompiler.Result r = LossCompiler.compile(alone(program, d), text, LossCompiler.Options.DEFAULT);
            if (!r.ok()) {
                throw new IllegalArgumentException("verify only a program that compiles: " + r.render());
            }
            ModelDriver model = ModelDriver.load(List.of(r), List.of("-nowarn")).get(0);
            String worst = null;
            double largest = 0;
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int point = 0; point < POINTS; point++) {
                long at = rnd.nextLong();
                double[] params = model.parameters().clone();
                SplittableRandom draw = new SplittableRandom(at);
                for (int i = 0; i < params.length; i++) {
                    params[i] = Math.max(-3, Math.min(3, draw.nextGaussian()));
                }
                model.restore(params);
                Map<String, double[]> inputs = GradCheck.randomInputs(model.layout(), at);
                for (GradCheck.ParamResult p : GradCheck.run(model, inputs, new GradCheck.Settings(1e-6, 1e-5, 1e-3, 1000, at))) {
                    double difference = Math.abs(p.analytic() - p.numeric());
                    if (!p.ok() && difference > largest) {
                        largest = difference;
                        worst = String.format(Locale.ROOT, "the largest difference is %.3g, at %s[%d] (the rule gives %.6g, central differences %.6g)",
                                difference, p.name(), p.worstIndex(), p.analytic(), p.numeric());
                    }
                }
            }
            if (worst != null) {
                Stmt.Rule grad = d.rule("grad");
                warnings.add(new Diagnostic(program.file(), grad.pos(), DiagnosticKind.RULE_DISAGREES,
                        DiagnosticKind.RULE_DISAGREES.format(d.name().name(), worst)));
            }
        }
        return warnings;
    }

    /**
     * The program with every def's rules dropped but {@code kept}'s, and {@code stop_gradient(x)}
     * read as {@code x} (its zero derivative disagrees with differences on purpose, as a rule may),
     * unless the program declares a def of that name.
     */
    private static Program alone(Program program, Stmt.Def kept) {
        boolean builtin = program.statements().stream().noneMatch(s -> s instanceof Stmt.Def d && d.name().name().equals(STOP));
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : program.statements()) {
            if (s instanceof Stmt.Def d && d != kept && !d.rules().isEmpty()) {
                s = new Stmt.Def(d.name(), d.params(), d.body(), d.result(), List.of(), d.pos());
            }
            out.add(builtin ? unstop(s) : s);
        }
        return new Program(program.file(), out);
    }

    private static final String STOP = "stop_gradient";

    private static Stmt unstop(Stmt s) {
        if (s instanceof Stmt.Let l) {
            return new Stmt.Let(l.name(), unstop(l.value()), l.pos());
        } else if (s instanceof Stmt.Output o) {
            return new Stmt.Output(o.name(), unstop(o.value()), o.pos());
        } else if (s instanceof Stmt.Var v) {
            return new Stmt.Var(v.name(), unstop(v.value()), v.pos());
        } else if (s instanceof Stmt.Assign a) {
            return new Stmt.Assign(a.name(), unstop(a.value()), a.pos());
        } else if (s instanceof Stmt.Unpack u) {
            return new Stmt.Unpack(u.names(), unstop(u.value()), u.declares(), u.pos());
        } else if (s instanceof Stmt.For f) {
            return new Stmt.For(f.variable(), f.from(), f.to(), f.checkpoint(), f.body().stream().map(RuleCheck::unstop).toList(), f.pos());
        } else if (s instanceof Stmt.Def d) {
            List<Stmt.Rule> rules = d.rules().stream().map(r -> new Stmt.Rule(r.kind(), r.names(), unstop(r.value()), r.pos())).toList();
            return new Stmt.Def(d.name(), d.params(), d.body().stream().map(RuleCheck::unstop).toList(), unstop(d.result()), rules, d.pos());
        } else if (s instanceof Stmt.Loss l) {
            return new Stmt.Loss(unstop(l.value()), l.pos());
        }
        return s;
    }

    private static Expr unstop(Expr e) {
        if (e == null) {
            return null;
        } else if (e instanceof Expr.Call c) {
            if (c.function().name().equals(STOP) && c.args().size() == 1 && c.named().isEmpty()) {
                return unstop(c.args().get(0));
            }
            return new Expr.Call(c.function(), c.args().stream().map(RuleCheck::unstop).toList(),
                    c.named().stream().map(n -> new Expr.NamedArg(n.name(), unstop(n.value()))).toList());
        } else if (e instanceof Expr.Neg n) {
            return new Expr.Neg(unstop(n.operand()), n.pos());
        } else if (e instanceof Expr.Binary b) {
            return new Expr.Binary(b.op(), unstop(b.left()), unstop(b.right()), b.pos());
        } else if (e instanceof Expr.Pow p) {
            return new Expr.Pow(unstop(p.base()), unstop(p.exponent()), p.pos());
        } else if (e instanceof Expr.Index i) {
            return new Expr.Index(unstop(i.base()), i.indexes().stream().map(RuleCheck::unstop).toList(), i.pos());
        } else if (e instanceof Expr.Range r) {
            return new Expr.Range(unstop(r.from()), unstop(r.to()), r.pos());
        } else if (e instanceof Expr.Tuple t) {
            return new Expr.Tuple(t.items().stream().map(RuleCheck::unstop).toList(), t.pos());
        }
        return e;
    }
}
