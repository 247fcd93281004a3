package dev.lossc.check;

import dev.lossc.prim.Prim;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in functions that are not plain elementwise primitives: each has its own shape rule in
 * the checker. The elementwise ones ({@code sigmoid}, {@code gelu}, {@code max}, …) come from the
 * primitive table ({@link Prim#elementwiseNamed}) and are checked generically. The derived ones
 * ({@code mean}, {@code mse}, {@code cross_entropy}, …) are rewritten into primitives by the
 * lowering, so they need no derivative of their own.
 */
public enum Builtin {
    LEAKY_RELU("leaky_relu"), DOT("dot"), OUTER("outer"), TRANSPOSE("transpose"), SUM("sum"), MEAN("mean"),
    SOFTMAX("softmax"), LOG_SOFTMAX("log_softmax"), LOGSUMEXP("logsumexp"),
    MSE("mse"), CROSS_ENTROPY("cross_entropy"), BCE_LOGITS("bce_logits"), L2("l2"), L1("l1"),
    /** {@code mean(X, 0)} and {@code mean(X, 1)}, as the checker resolves them. */
    MEAN_AXIS0("mean"), MEAN_AXIS1("mean"),
    // Version 2.
    NORM("norm"), AMAX("amax"), AMIN("amin"), CONCAT("concat"), ROW("row"), COLUMN("column"),
    /** As the checker resolves them: {@code max(x)}, {@code min(x)}, the axis forms, softmax family over columns. */
    MAX_ALL("max", true), MIN_ALL("min", true), AMAX_AXIS0("amax", true), AMAX_AXIS1("amax", true),
    AMIN_AXIS0("amin", true), AMIN_AXIS1("amin", true),
    SOFTMAX_AXIS0("softmax", true), LOG_SOFTMAX_AXIS0("log_softmax", true), LOGSUMEXP_AXIS0("logsumexp", true);

    private final String spelling;
    private final boolean resolved;

    Builtin(String spelling) {
        this(spelling, false);
    }

    /** {@code resolved}: a form the checker picks from a call's arguments, not a name of its own. */
    Builtin(String spelling, boolean resolved) {
        this.spelling = spelling;
        this.resolved = resolved;
    }

    public String spelling() {
        return spelling;
    }

    private static final Map<String, Builtin> BY_NAME = new HashMap<>();

    static {
        for (Builtin b : values()) {
            if (!b.resolved) {
                BY_NAME.putIfAbsent(b.spelling, b);
            }
        }
    }

    /** The function of that name, as called ({@code mean} here is the one- or two-argument form). */
    public static Optional<Builtin> named(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** A function's name: a built-in here or an elementwise primitive's. */
    public static boolean isBuiltinName(String name) {
        return BY_NAME.containsKey(name) || Prim.elementwiseNamed(name) != null;
    }

    /**
     * The functions version 2 added. A program may declare these names (a let called {@code row},
     * a def called {@code norm}): the declaration hides the built-in in its scope, so version-1
     * programs that used them as names keep their meaning.
     */
    public static final java.util.Set<String> VERSION2_NAMES = java.util.Set.of("where", "clamp", "norm", "amax", "amin", "concat", "row", "column");

    /** A name no declaration may take: a built-in of version 1 (or an elementwise primitive added to the table). */
    public static boolean isReserved(String name) {
        return isBuiltinName(name) && !VERSION2_NAMES.contains(name);
    }
}
