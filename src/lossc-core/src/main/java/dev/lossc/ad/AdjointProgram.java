package dev.lossc.ad;

import dev.lossc.check.Symbol;
import dev.lossc.diag.Pos;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.List;

/**
 * The backward pass as a program of its own: statements in reverse order of the primal ones,
 * each accumulating into an adjoint ({@code d} of a value).
 */
public record AdjointProgram(List<Step> steps, List<Value> adjointValues, List<Value> zeroAtStart, java.util.Set<Value> readByBackward,
                             Activity activity) {
    /**
     * {@code zeroAtStart}: the adjoints (of top-level temps, vars and params) the backward pass must
     * clear before it starts; the others are first written by an assignment. {@code readByBackward}:
     * the forward values the backward pass reads; a value computed in a loop keeps one copy per
     * iteration only if it is one of them.
     */
    public AdjointProgram {
        steps = List.copyOf(steps);
        adjointValues = List.copyOf(adjointValues);
        zeroAtStart = List.copyOf(zeroAtStart);
        readByBackward = java.util.Set.copyOf(readByBackward);
    }

    public sealed interface Step {
        Pos pos();
    }

    /** {@code d[value] = 0}: before a value's adjoint starts accumulating. */
    public record Zero(Value value, Pos pos) implements Step {}

    /** {@code d[loss] = 1}. */
    public record Seed(Value loss, Pos pos) implements Step {}

    /** Apply the rule of operand {@code operand} of {@code op}; {@code overwrite}: first write, assign. */
    public record Accumulate(Stmt.Op op, int operand, Rule rule, boolean overwrite) implements Step {
        /** The rule as it is applied here: a first write assigns ({@code dx = …}) instead of accumulating. */
        public String math() {
            return overwrite ? rule.math().replaceFirst(" \\+= ", " = ").replaceFirst(" -= ", " = -") : rule.math();
        }

        public Pos pos() {
            return op.pos();
        }
    }

    /** Reverse of {@code var := source}: {@code d[source] += d[var]} (if active), then {@code d[var] = 0}. */
    public record Unassign(Stmt.Assign assign, boolean sourceActive, boolean overwrite) implements Step {
        public Pos pos() {
            return assign.pos();
        }
    }

    /** The loop run backwards, {@code to - 1} down to {@code from}. */
    public record ReverseLoop(Symbol.Loop loop, List<Step> body, Pos pos) implements Step {
        public ReverseLoop {
            body = List.copyOf(body);
        }
    }
}
