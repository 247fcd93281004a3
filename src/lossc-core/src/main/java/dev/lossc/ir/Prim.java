package dev.lossc.ir;

/**
 * The primitive operations of the normalized IR. Every derived built-in ({@code mean}, {@code mse},
 * {@code cross_entropy}, …) is lowered into these, so each needs one forward emitter and one
 * adjoint rule per operand, and nothing else.
 */
public enum Prim {
    NEG(1), ADD(2), SUB(2), MUL(2), DIV(2), POW(1),
    SIGMOID(1), TANH(1), RELU(1), SOFTPLUS(1), EXP(1), LOG(1), SQRT(1), ABS(1), LEAKY_RELU(1),
    MAX(2), MIN(2),
    MATVEC(2), VECMAT(2), MATMUL(2), DOT(2), OUTER(2), TRANSPOSE(1),
    SUM(1), SUM_AXIS0(1), SUM_AXIS1(1),
    SOFTMAX(1), LOG_SOFTMAX(1), LOGSUMEXP(1),
    /** A snapshot of a var's current value. */
    COPY(1);

    private final int arity;

    Prim(int arity) {
        this.arity = arity;
    }

    public int arity() {
        return arity;
    }

    /** Computed element by element (with broadcasting for the binary ones). */
    public boolean isElementwise() {
        return ordinal() <= MIN.ordinal() || this == COPY;
    }

    public String spelling() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
