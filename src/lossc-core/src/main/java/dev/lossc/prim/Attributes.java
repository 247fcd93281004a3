package dev.lossc.prim;

import java.util.ArrayList;
import java.util.List;

/** The constant attributes of one application of a primitive, in the order its entry declares them. */
public record Attributes(List<Attribute> values) {
    public static final Attributes NONE = new Attributes(List.of());

    public Attributes {
        values = List.copyOf(values);
    }

    /** Real attributes, in order. */
    public static Attributes reals(double... values) {
        List<Attribute> list = new ArrayList<>();
        for (double v : values) {
            list.add(new Attribute.Real(v));
        }
        return new Attributes(list);
    }

    /** Whole-number attributes, in order. */
    public static Attributes ints(int... values) {
        List<Attribute> list = new ArrayList<>();
        for (int v : values) {
            list.add(new Attribute.Int(v));
        }
        return new Attributes(list);
    }

    /**
     * The attributes of {@link Prim#BROADCAST} from {@code small} to {@code large} (a tensor's
     * shape), and of its adjoint {@link Prim#REDUCE_TO}: the rank, the large sizes, and the small
     * ones aligned to them from the right (1 where it has no axis).
     */
    public static Attributes broadcast(dev.lossc.types.Shape large, dev.lossc.types.Shape small) {
        List<dev.lossc.types.Shape.Axis> t = large.axes();
        List<dev.lossc.types.Shape.Axis> s = small.axes();
        int[] v = {t.size(), 1, 1, 1, 1, 1, 1, 1, 1};
        for (int k = 0; k < t.size(); k++) {
            int j = k - (t.size() - s.size());
            v[1 + k] = t.get(k).size();
            v[5 + k] = j < 0 ? 1 : s.get(j).size();
        }
        return ints(v);
    }

    public int size() {
        return values.size();
    }

    public Attribute get(int i) {
        return values.get(i);
    }

    /** Attribute {@code i} as a double. */
    public double real(int i) {
        return values.get(i).asDouble();
    }

    /** Attribute {@code i}, a whole number. */
    public int integer(int i) {
        Attribute a = values.get(i);
        if (!(a instanceof Attribute.Int n)) {
            throw new IllegalStateException("attribute " + i + " is not a whole number: " + a);
        }
        return n.value();
    }

    /** This with attribute {@code i} replaced. */
    public Attributes with(int i, Attribute a) {
        List<Attribute> list = new ArrayList<>(values);
        list.set(i, a);
        return new Attributes(list);
    }

    /** How dumps show them: {@code "; 2.0"}, {@code "; 0, 1"}, or nothing. */
    public String suffix() {
        if (values.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        values.forEach(v -> parts.add(v.toString()));
        return "; " + String.join(", ", parts);
    }
}
