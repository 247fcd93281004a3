package dev.lossc;

import dev.lossc.types.Shape;
import java.util.List;

/**
 * The interface of a generated class, as callers see it: its inputs in call order and its params
 * in the flat order of {@code parameters()} and {@code gradient()}, each with its shape and (for a
 * param) its offset. The one place outside the generated code that knows the layout.
 */
public record ModelLayout(String className, List<Slot> inputs, List<Slot> params, List<Output> outputs, List<VaryingDim> dims,
                          List<String> lossDims, List<Slot> states) {
    /** A model without states (versions 1 and 2). */
    public ModelLayout(String className, List<Slot> inputs, List<Slot> params, List<Output> outputs, List<VaryingDim> dims,
                       List<String> lossDims) {
        this(className, inputs, params, outputs, dims, lossDims, List.of());
    }

    /** A dim that varies per call (version 2): its name and largest size. */
    public record VaryingDim(String name, int max) {}

    /**
     * An input or param: its name, shape, and offset in the flat parameter array (params only);
     * {@code integer} for an int input, whose values must lie in {@code 0..limit-1} (no bound if
     * {@code limit} is 0); {@code key}, a param's name in a state dict ({@code as "fc1.weight"}, else its name).
     */
    public record Slot(String name, Shape shape, int offset, boolean integer, int limit, String key) {
        public Slot(String name, Shape shape, int offset) {
            this(name, shape, offset, false, 0, name);
        }

        public Slot(String name, Shape shape, int offset, boolean integer, int limit) {
            this(name, shape, offset, integer, limit, name);
        }

        /** The Java type of this input's argument: double, double[], int or int[]. */
        public Class<?> javaType() {
            return integer ? (shape.isScalar() ? int.class : int[].class) : (shape.isScalar() ? double.class : double[].class);
        }
    }

    /**
     * An {@code output}: its name (and the method's), shape, the inputs its method takes, in order,
     * and the varying dims whose sizes it takes first.
     */
    public record Output(String name, Shape shape, List<String> inputs, List<String> dims) {
        public Output {
            inputs = List.copyOf(inputs);
            dims = List.copyOf(dims);
        }
    }

    /** Told when two inputs give one varying dim different sizes. */
    public interface SizeConflict {
        void disagree(Slot first, Slot other, String dim, int firstSize, int otherSize);
    }

    /**
     * The size each varying dim gets from the inputs it sizes (the rows of each: its first axis),
     * by the first such input; every later one that gives another size is passed to {@code conflict}.
     */
    public java.util.Map<String, Integer> sizes(java.util.Map<String, double[]> values, SizeConflict conflict) {
        java.util.Map<String, Integer> sizes = new java.util.LinkedHashMap<>();
        java.util.Map<String, Slot> first = new java.util.HashMap<>();
        for (Slot in : inputs) {
            double[] v = values.get(in.name());
            if (v == null || in.shape().isScalar() || !in.shape().lengthAxis().varies()) {
                continue;
            }
            String dim = in.shape().lengthAxis().dim();
            int n = in.shape().rank() >= 2 ? v.length / in.shape().cols() : v.length;
            Integer before = sizes.putIfAbsent(dim, n);
            first.putIfAbsent(dim, in);
            if (before != null && before != n) {
                conflict.disagree(first.get(dim), in, dim, before, n);
            }
        }
        return sizes;
    }

    /** {@code lossDims}: the varying dims whose sizes {@code loss}/{@code lossAndGradient} take first. */
    public ModelLayout {
        inputs = List.copyOf(inputs);
        params = List.copyOf(params);
        outputs = List.copyOf(outputs);
        dims = List.copyOf(dims);
        lossDims = List.copyOf(lossDims);
        states = List.copyOf(states);
    }
}
