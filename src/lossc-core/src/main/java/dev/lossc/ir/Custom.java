package dev.lossc.ir;

import dev.lossc.diag.Pos;
import java.util.List;

/**
 * The rules of one call of a def that states its own derivative (version 3), as IR, for the
 * {@link dev.lossc.prim.Prim#CUSTOM} op that gives the call's value ({@code params}: the def's parameter names). {@code grad} computes
 * {@code grads} (one per argument in {@code args}, each of its shape) from the placeholder
 * {@code dy}, which reverse mode replaces with the result's adjoint; {@code jvp} (empty, and
 * {@code jvpValue} null, without a jvp rule) computes the result's tangent from the placeholders
 * {@code tangents}, which forward mode replaces with the arguments' tangents. The rules' statements
 * read the arguments, the result and the forward pass's values, never the body's.
 */
public record Custom(String function, List<String> params, List<Value> args, Value dy, List<Stmt> grad, List<Value> grads, List<Value> tangents,
                     List<Stmt> jvp, Value jvpValue, Pos pos) {
    public Custom {
        params = List.copyOf(params);
        args = List.copyOf(args);
        grad = List.copyOf(grad);
        grads = List.copyOf(grads);
        tangents = List.copyOf(tangents);
        jvp = List.copyOf(jvp);
    }

    /** True if forward mode can go through the call (the def states a jvp rule). */
    public boolean hasJvp() {
        return jvpValue != null;
    }
}
