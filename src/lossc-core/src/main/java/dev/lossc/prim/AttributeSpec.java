package dev.lossc.prim;

/**
 * One constant attribute a primitive takes: its name (how a call names it, {@code alpha = 0.5},
 * and how its rules read it), its kind, its default ({@code null}: the call must give it), and
 * whether only the compiler sets it ({@code internal}: a slice's row length, a backward pass's
 * direction), never a program.
 */
public record AttributeSpec(String name, Kind kind, Attribute defaultValue, boolean internal) {
    /** What values it takes. */
    public enum Kind {
        /** A finite real number. */
        REAL,
        /** An axis of the first operand (0 first). */
        AXIS,
        /** A whole number the compiler chooses. */
        INT
    }

    public static AttributeSpec real(String name, double defaultValue) {
        return new AttributeSpec(name, Kind.REAL, new Attribute.Real(defaultValue), false);
    }

    public static AttributeSpec requiredReal(String name) {
        return new AttributeSpec(name, Kind.REAL, null, false);
    }

    public static AttributeSpec axis(String name) {
        return new AttributeSpec(name, Kind.AXIS, null, false);
    }

    public static AttributeSpec internal(String name, int defaultValue) {
        return new AttributeSpec(name, Kind.INT, new Attribute.Int(defaultValue), true);
    }

    public boolean required() {
        return defaultValue == null;
    }
}
