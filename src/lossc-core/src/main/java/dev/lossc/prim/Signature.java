package dev.lossc.prim;

import dev.lossc.types.Shape;
import java.util.List;

/**
 * A primitive's shape rule: the shape of its result from its operands' shapes and its attributes,
 * as Calcite's return-type inference and JAX's abstract evaluation give them. The checker applies
 * it to every call and never special-cases a primitive; {@link Signatures} has the few rules every
 * entry is built from.
 */
@FunctionalInterface
public interface Signature {
    /** The result's shape, or null after telling {@code problems} why the operands do not fit. */
    Shape result(List<Shape> operands, Attributes attributes, Problems problems);

    /** Where a rule reports what does not fit; the checker turns each into a diagnostic at its place. */
    interface Problems {
        /**
         * The operands do not fit: what the function expects ({@code "two vectors"}), at operand
         * {@code at} (-1: the call), with the function shown as {@code shownAs} (null: its name).
         */
        void expected(int at, String shownAs, String expects);

        /** Two operands do not broadcast (as an operator: {@code '+' cannot combine shapes …}). */
        void mismatch(Shape a, Shape b);

        /** Attribute {@code index} is not a value the operands allow: what it must be. */
        void badAttribute(int index, String expects);
    }
}
