package dev.lossc.check;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in functions of docs/language.md section 5 and the operators, as the checker sees them.
 * Derived ones ({@code mean}, {@code mse}, …) are rewritten into primitives by the lowering.
 */
public enum Builtin {
    // Elementwise unary
    SIGMOID("sigmoid"), TANH("tanh"), RELU("relu"), SOFTPLUS("softplus"), EXP("exp"), LOG("log"),
    SQRT("sqrt"), ABS("abs"), LEAKY_RELU("leaky_relu"), NEG("-"), POW("^"),
    // Elementwise binary, broadcasting
    ADD("+"), SUB("-"), MUL("*"), DIV("/"), MAX("max"), MIN("min"),
    // Products: '@' resolves to one of the first four by shape
    MATVEC("@"), VECMAT("@"), MATMUL("@"), DOT("dot"), OUTER("outer"), TRANSPOSE("transpose"),
    // Reductions
    SUM("sum"), MEAN("mean"), SUM_AXIS0("sum"), SUM_AXIS1("sum"), MEAN_AXIS0("mean"), MEAN_AXIS1("mean"),
    SOFTMAX("softmax"), LOG_SOFTMAX("log_softmax"), LOGSUMEXP("logsumexp"),
    // Losses and penalties
    MSE("mse"), CROSS_ENTROPY("cross_entropy"), BCE_LOGITS("bce_logits"), L2("l2"), L1("l1");

    private final String spelling;

    Builtin(String spelling) {
        this.spelling = spelling;
    }

    /** How the user writes it. */
    public String spelling() {
        return spelling;
    }

    private static final Map<String, Builtin> BY_NAME = new HashMap<>();

    static {
        for (Builtin b : values()) {
            if (Character.isLetter(b.spelling.charAt(0)) && !BY_NAME.containsKey(b.spelling)) {
                BY_NAME.put(b.spelling, b);
            }
        }
    }

    /** The function of that name, as called ({@code sum} here is the one-argument form). */
    public static Optional<Builtin> named(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static boolean isBuiltinName(String name) {
        return BY_NAME.containsKey(name);
    }

    public boolean isElementwiseUnary() {
        return ordinal() <= POW.ordinal();
    }

    public boolean isElementwiseBinary() {
        return ordinal() >= ADD.ordinal() && ordinal() <= MIN.ordinal();
    }
}
