package dev.lossc.check;

/**
 * The derived forms as the checker resolves them: each is rewritten by the lowering into
 * primitives of the table, so it needs no derivative of its own. These are not names programs
 * call ({@link DerivedForms} maps a call to one of them from its arguments).
 */
public enum Derived {
    /** {@code mean(x)}; {@code mean(X, 0)}, {@code mean(X, 1)}. */
    MEAN, MEAN_AXIS0, MEAN_AXIS1,
    MSE, CROSS_ENTROPY, BCE_LOGITS, L2, L1, NORM,
    /** {@code max(x)}, {@code min(x)} (and {@code amax(x)}, {@code amin(x)}): one element of all. */
    MAX_ALL, MIN_ALL,
    AMAX_AXIS0, AMAX_AXIS1, AMIN_AXIS0, AMIN_AXIS1,
    /** The softmax family over columns (axis 0); over rows (axis 1) they are primitives. */
    SOFTMAX_AXIS0, LOG_SOFTMAX_AXIS0, LOGSUMEXP_AXIS0,
    /** {@code zeros}, {@code ones}, {@code full} (version 3): its one argument, a constant, at every element of the shape. */
    FULL,
    /** {@code dropout(x, p)} (version 3): {@code x} times a mask drawn per call; its second argument is the constant p. */
    DROPOUT,
    /**
     * {@code batch_norm(X, gamma, beta, mean, var, momentum, eps)} (version 3): the batch's
     * statistics and an update of the two states in a training call, the states in an output method.
     */
    BATCH_NORM
}
