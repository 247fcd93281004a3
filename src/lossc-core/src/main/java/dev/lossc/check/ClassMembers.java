package dev.lossc.check;

import java.util.List;

/**
 * The names every generated class uses for its own members, in one place: the code generator
 * reserves them, and the checker keeps an {@code output}'s method off them.
 */
public final class ClassMembers {
    private ClassMembers() {}

    /** The public methods of every generated class. */
    public static final List<String> PUBLIC_METHODS = List.of("loss", "lossAndGradient", "parameters", "gradient", "initParameters",
            "parameterLayout", "inputLayout", "outputLayout", "setThreads", "threads", "close", "setSeed", "hvp", "jvp");

    /** The public methods of a class with states (version 3); only such a class reserves their names. */
    public static final List<String> STATE_METHODS = List.of("states", "stateLayout");

    /** Object's methods, which a generated method must not take either. */
    static final List<String> OBJECT_METHODS = List.of("getClass", "hashCode", "equals", "toString", "notify", "notifyAll",
            "wait", "clone", "finalize");

    /** The flat parameter and gradient arrays. */
    public static final String PARAMS = "params";
    public static final String GRAD = "grad";
    /** The flat array of the states (version 3), in declaration order. */
    public static final String STATES = "states";

    /** The private members with fixed names (the numeric helpers aside: their names are in ScalarFn). */
    public static final List<String> PRIVATE_MEMBERS = List.of("forward", "backward", "mix64", "uniform", "normal", "checkLength", "checkIndices", "checkIndex",
            "checkSize", "checkAtLeast", "checkIndicesAtLeast", "runSplit", "runPart", "stopWorkers", "nextUniform", "dropoutState",
            PARAMS, GRAD, "PARAMETER_COUNT");
}
