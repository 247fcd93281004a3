package dev.lossc.prim;

/**
 * A constant attribute of one application of a primitive: a real number (an exponent, an alpha)
 * or a whole number (an axis, a stride). Its kind is fixed by the primitive's {@link AttributeSpec}.
 */
public sealed interface Attribute {
    /** A real number: {@code x ^ 2}'s exponent, {@code elu}'s alpha. */
    record Real(double value) implements Attribute {
        @Override
        public double asDouble() {
            return value;
        }

        @Override
        public String toString() {
            return Double.toString(value);
        }
    }

    /** A whole number: an axis, a row length, a flag (0 or 1). */
    record Int(int value) implements Attribute {
        @Override
        public double asDouble() {
            return value;
        }

        @Override
        public String toString() {
            return Integer.toString(value);
        }
    }

    /** The value as a double (what a rule reads). */
    double asDouble();
}
