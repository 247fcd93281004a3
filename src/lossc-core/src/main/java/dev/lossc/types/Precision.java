package dev.lossc.types;

import java.util.Locale;

/**
 * The floating-point type of a generated class: {@code double} by default, {@code float} with
 * {@code --precision float}. Every emitted type, literal and constant of the element type comes
 * from here. In {@code float}, arithmetic stays in {@code float} (literals carry an {@code f});
 * only the {@code Math} functions that exist for {@code double} alone ({@code exp}, {@code log},
 * {@code tanh}, …) and the class's helpers are computed in {@code double} and rounded back, and
 * sums accumulate in {@code double} and are rounded once.
 */
public enum Precision {
    DOUBLE("double", "Double"),
    FLOAT("float", "Float");

    private final String type;
    private final String boxed;

    Precision(String type, String boxed) {
        this.type = type;
        this.boxed = boxed;
    }

    /** The precision named {@code name} ({@code double} or {@code float}, any case), or null. */
    public static Precision named(String name) {
        for (Precision p : values()) {
            if (p.type.equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        return null;
    }

    public boolean single() {
        return this == FLOAT;
    }

    /** The bytes of an element: 8 for double, 4 for float. */
    public int bytes() {
        return single() ? Float.BYTES : Double.BYTES;
    }

    /** {@code double} or {@code float}: the element type, as emitted. */
    public String type() {
        return type;
    }

    /** {@code Double} or {@code Float}, for {@code NEGATIVE_INFINITY}, {@code isInfinite} and the like. */
    public String boxed() {
        return boxed;
    }

    /**
     * A Java literal of {@code v} in this type (rounded to the nearest {@code float}, with its
     * {@code f}, in float): negative ones parenthesized, non-finite ones named.
     */
    public String literal(double v) {
        if (single()) {
            float f = (float) v;
            if (Float.isNaN(f)) {
                return "Float.NaN";
            }
            if (Float.isInfinite(f)) {
                return f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY";
            }
            String s = Float.toString(f) + "f";
            return f < 0 || (f == 0 && 1 / f < 0) ? "(" + s + ")" : s;
        }
        if (Double.isNaN(v)) {
            return "Double.NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
        }
        String s = Double.toString(v);
        return v < 0 || (v == 0 && 1 / v < 0) ? "(" + s + ")" : s;
    }

    /** {@code 0.0} or {@code 0.0f}. */
    public String zero() {
        return literal(0.0);
    }

    /**
     * A {@code double} expression as this type: cast in float. {@code expr} must bind as tightly as
     * a cast's operand (a call, a name, a parenthesized expression).
     */
    public String narrow(String call) {
        return single() ? "(float) " + call : call;
    }
}
