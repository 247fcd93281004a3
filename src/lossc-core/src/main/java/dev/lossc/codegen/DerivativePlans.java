package dev.lossc.codegen;

import dev.lossc.ir.IrProgram;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * The derivatives beyond the gradient a class has ({@code --derivatives}), each as optimized IR:
 * the Hessian-vector product's two passes (forward mode over the forward and the backward pass),
 * the loss's directional derivative (the forward pass with tangents), and each output's, which its
 * {@code NAME_jvp} and {@code NAME_jacobian} run. Null or empty when not asked for.
 *
 * @param hvpForward the forward pass with its tangents, or null without {@code hvp}
 * @param hvpBackward the backward pass with its tangents
 * @param jvpForward the forward pass with its tangents, or null without {@code jvp}
 * @param lossTangent the loss's tangent in {@code jvpForward}
 * @param outputs each output's statements with their tangents (with {@code jvp} or {@code jacobian})
 * @param jvp whether the class has {@code NAME_jvp} for each output
 * @param jacobian whether the class has {@code NAME_jacobian} for each output
 */
public record DerivativePlans(List<Stmt> hvpForward, List<Stmt> hvpBackward, List<Stmt> jvpForward, Value lossTangent,
                              List<OutputTangent> outputs, boolean jvp, boolean jacobian) {
    public static final DerivativePlans NONE = new DerivativePlans(null, null, null, null, List.of(), false, false);

    /**
     * An output's statements with their tangents and the tangent of its value (forward sweeps,
     * {@code NAME_jvp}), and, when its Jacobian is computed by reverse sweeps, those; with reverse
     * sweeps and no {@code NAME_jvp}, no pass with tangents (an empty body, a null tangent).
     */
    public record OutputTangent(IrProgram.Output output, List<Stmt> body, Value tangent, ReverseSweeps reverse) {
        public OutputTangent {
            body = List.copyOf(body);
        }
    }

    /** An output's Jacobian row by row: its statements once, then reverse mode seeded from {@code seed} once per element. */
    public record ReverseSweeps(List<Stmt> forward, List<Stmt> backward, Value seed) {
        public ReverseSweeps {
            forward = List.copyOf(forward);
            backward = List.copyOf(backward);
        }
    }

    public DerivativePlans {
        outputs = List.copyOf(outputs);
    }

    boolean hvp() {
        return hvpForward != null;
    }

    boolean any() {
        return hvpForward != null || jvpForward != null || !outputs.isEmpty();
    }

    /** Every statement list, for naming and storage. */
    List<List<Stmt>> bodies() {
        List<List<Stmt>> all = new ArrayList<>();
        if (hvpForward != null) {
            all.add(hvpForward);
            all.add(hvpBackward);
        }
        if (jvpForward != null) {
            all.add(jvpForward);
        }
        for (OutputTangent o : outputs) {
            all.add(o.body());
            if (o.reverse() != null) {
                all.add(o.reverse().forward());
                all.add(o.reverse().backward());
            }
        }
        return all;
    }

    /** The backward passes (for which values computed in loops keep one copy per iteration). */
    List<List<Stmt>> backwards() {
        List<List<Stmt>> all = new ArrayList<>();
        if (hvpBackward != null) {
            all.add(hvpBackward);
        }
        for (OutputTangent o : outputs) {
            if (o.reverse() != null) {
                all.add(o.reverse().backward());
            }
        }
        return all;
    }
}
