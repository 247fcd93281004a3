package dev.lossc.prim;

import java.util.List;

/**
 * A structured primitive's tangent rule (forward mode): how the tangent {@code ẏ} of its result
 * follows from its operands' tangents {@code ẋ_k}. An elementwise primitive needs no entry here:
 * its tangent is {@code Σ_k rule_k} with {@code dy} read as {@code ẋ_k}, the derivative its adjoint
 * rule already states (so the corners agree: relu'(0) = 0, ties of max split in half). Every
 * kernel has one, by the exhaustive switch of {@link #of}: a kernel without a tangent rule does not
 * compile. Forward mode ({@code jvp}) applies these to the forward pass; the Hessian-vector
 * product applies them to the backward pass too, so the primitives only the backward pass uses
 * have rules as well.
 *
 * @param kind how the rule is formed
 * @param operands the operands whose tangents reach the result: for {@link Kind#MULTILINEAR} and
 *     {@link Kind#LINEAR} those it is linear in (the others, integer data or a max pool's input, are
 *     held fixed); none for {@link Kind#CONSTANT}
 */
public record Tangent(Kind kind, List<Integer> operands) {
    public enum Kind {
        /** Linear in each listed operand with the others fixed: {@code ẏ = Σ_k prim(x_0, …, ẋ_k, …)} (products, linear maps, gathers). */
        MULTILINEAR,
        /** Linear in the listed operands together: {@code ẏ = prim(ẋ_0, ẋ_1)}, a missing tangent zero (concat). */
        LINEAR,
        /** The result is held constant (no operand has an adjoint either): {@code ẏ = 0}. */
        CONSTANT,
        /** {@code ẏ = softmax_backward(y, ẋ)}: softmax's Jacobian is symmetric. */
        SOFTMAX,
        /** {@code ẏ = ẋ - rowsum(exp(y) ẋ)}. */
        LOG_SOFTMAX,
        /** {@code ẏ = rowsum(exp(x - y) ẋ)}. */
        LOGSUMEXP,
        /** Of {@code o = y (g - rowsum(y g))}: {@code softmax_backward(y, ġ) + ẏ (g - rowsum(y g)) - y rowsum(ẏ g)}. */
        SOFTMAX_BACKWARD,
        /** Of {@code o = g - exp(y) rowsum(g)}: {@code log_softmax_backward(y, ġ) - exp(y) ẏ rowsum(g)}. */
        LOG_SOFTMAX_BACKWARD,
        /** Of {@code o = g exp(x - y)}: {@code logsumexp_backward(x, y, ġ) + g exp(x - y) (ẋ - ẏ)}. */
        LOGSUMEXP_BACKWARD,
        /** {@code ẏ} is {@code ẋ} at each window's argmax ({@code max_pool_pick(ẋ, x)}): the argmax is locally constant. */
        MAX_POOL
    }

    private static Tangent linearIn(Integer... operands) {
        return new Tangent(Kind.MULTILINEAR, List.of(operands));
    }

    private static Tangent of(Kind kind, Integer... operands) {
        return new Tangent(kind, List.of(operands));
    }

    /** The tangent rule of a structured primitive. */
    public static Tangent of(Prim.Kernel kernel) {
        return switch (kernel) {
            case MATVEC, VECMAT, MATMUL, MATMUL_NT, MATMUL_TN, DOT, OUTER, BATCHED_MATMUL, CONV, CONV_INPUT_GRAD, CONV_KERNEL_GRAD -> linearIn(0, 1);
            case TRANSPOSE, SUM, SUM_AXIS, EXPAND_COLS, SLICE, UNSLICE, TAKE_FIRST, TAKE_LAST, CUMSUM, BROADCAST, REDUCE_TO, PERMUTE,
                 SUBTENSOR, UNSUBTENSOR, IM2COL, COL2IM, AVG_POOL, AVG_POOL_GRAD -> linearIn(0);
            // Integer data (token ids, labels) and a max pool's argmax are held fixed.
            case GATHER, SCATTER_ADD, PICK, PICK_ADD, MAX_POOL_GRAD, MAX_POOL_PICK -> linearIn(0);
            case CONCAT -> new Tangent(Kind.LINEAR, List.of(0, 1));
            case MAX_ALL, MAX_AXIS, DROPOUT_MASK -> of(Kind.CONSTANT);
            case SOFTMAX -> of(Kind.SOFTMAX, 0);
            case LOG_SOFTMAX -> of(Kind.LOG_SOFTMAX, 0);
            case LOGSUMEXP -> of(Kind.LOGSUMEXP, 0);
            case SOFTMAX_BACKWARD -> of(Kind.SOFTMAX_BACKWARD, 0, 1);
            case LOG_SOFTMAX_BACKWARD -> of(Kind.LOG_SOFTMAX_BACKWARD, 0, 1);
            case LOGSUMEXP_BACKWARD -> of(Kind.LOGSUMEXP_BACKWARD, 0, 1, 2);
            case MAX_POOL -> of(Kind.MAX_POOL, 0);
        };
    }

    /** The other primitives the rule is written with (beyond the primitive itself and elementwise loops). */
    public List<Prim> uses() {
        return switch (kind) {
            case MULTILINEAR, LINEAR, CONSTANT -> List.of();
            case SOFTMAX -> List.of(Prim.SOFTMAX_BACKWARD);
            case LOG_SOFTMAX, LOGSUMEXP, SOFTMAX_BACKWARD, LOG_SOFTMAX_BACKWARD, LOGSUMEXP_BACKWARD -> List.of(Prim.SUM, Prim.SUM_AXIS, Prim.EXPAND_COLS);
            case MAX_POOL -> List.of(Prim.MAX_POOL_PICK);
        };
    }

    /** How the rule reads in dumps and generated comments. */
    public String describe(Prim p) {
        return switch (kind) {
            case MULTILINEAR -> "linear in " + operandNames(p) + ": the same " + p.lowerName() + " of each tangent";
            case LINEAR -> "linear: " + p.lowerName() + " of the tangents";
            case CONSTANT -> "held constant";
            default -> kind.toString().toLowerCase(java.util.Locale.ROOT) + "'s tangent rule";
        };
    }

    private String operandNames(Prim p) {
        List<String> names = operands.stream().map(k -> p.arity() == 1 ? "x" : k == 0 ? "a" : k == 1 ? "b" : "c").toList();
        return String.join(" and ", names);
    }
}
