package dev.lossc.spark;

import java.util.ArrayList;
import java.util.List;

/**
 * The partitions' sums of one step, kept apart and ordered by partition while the tree gathers
 * them, and added on the driver in that order: the result does not depend on which task finished first.
 */
final class Parts implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** One partition's rows in the step, the sum of their losses and (or null) of their gradients. */
    record Part(int partition, int rows, double loss, double[] gradient, long correct) implements java.io.Serializable {}

    private final List<Part> parts = new ArrayList<>();

    static Parts of(Part p) {
        Parts out = new Parts();
        if (p != null) {
            out.parts.add(p);
        }
        return out;
    }

    /** Both lists, merged by partition (a new object; neither operand changes). */
    static Parts merge(Parts a, Parts b) {
        Parts out = new Parts();
        int i = 0;
        int j = 0;
        while (i < a.parts.size() || j < b.parts.size()) {
            boolean first = j == b.parts.size() || (i < a.parts.size() && a.parts.get(i).partition() < b.parts.get(j).partition());
            out.parts.add(first ? a.parts.get(i++) : b.parts.get(j++));
        }
        return out;
    }

    /** The rows of every partition. */
    int rows() {
        return parts.stream().mapToInt(Part::rows).sum();
    }

    /** The rows whose argmax matched their label, over every partition. */
    long correct() {
        return parts.stream().mapToLong(Part::correct).sum();
    }

    /** The losses' sum; the gradients' sum added into {@code gradient} (when not null), in partition order. */
    double sum(double[] gradient) {
        double loss = 0;
        for (Part p : parts) {
            loss += p.loss();
            if (gradient != null) {
                double[] g = p.gradient();
                for (int k = 0; k < gradient.length; k++) {
                    gradient[k] += g[k];
                }
            }
        }
        return loss;
    }
}
