package dev.lossc.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The literals and names a generated class's element type gives, double and float. */
class PrecisionLiteralsTest {
    @Test
    void doubleLiteralsAreJavasDoubleLiterals() {
        assertEquals("0.5", Precision.DOUBLE.literal(0.5));
        assertEquals("(-2.0)", Precision.DOUBLE.literal(-2.0));
        assertEquals("(-0.0)", Precision.DOUBLE.literal(-0.0));
        assertEquals("0.1", Precision.DOUBLE.literal(0.1));
        assertEquals("1.0E-300", Precision.DOUBLE.literal(1e-300));
        assertEquals("Double.NaN", Precision.DOUBLE.literal(Double.NaN));
        assertEquals("Double.NEGATIVE_INFINITY", Precision.DOUBLE.literal(Double.NEGATIVE_INFINITY));
        assertEquals("0.0", Precision.DOUBLE.zero());
    }

    @Test
    void floatLiteralsAreTheNearestFloat() {
        assertEquals("0.5f", Precision.FLOAT.literal(0.5));
        assertEquals("(-2.0f)", Precision.FLOAT.literal(-2.0));
        assertEquals("(-0.0f)", Precision.FLOAT.literal(-0.0));
        // 0.1 rounds to the float nearest it, which Java writes as 0.1f again.
        assertEquals("0.1f", Precision.FLOAT.literal(0.1));
        assertEquals("0.33333334f", Precision.FLOAT.literal(1.0 / 3));
        assertEquals("Float.NaN", Precision.FLOAT.literal(Double.NaN));
        // Beyond float's range: an infinity; below its smallest subnormal: zero, as (float) gives.
        assertEquals("Float.POSITIVE_INFINITY", Precision.FLOAT.literal(1e300));
        assertEquals("Float.NEGATIVE_INFINITY", Precision.FLOAT.literal(-1e39));
        assertEquals("0.0f", Precision.FLOAT.literal(1e-50));
        assertEquals("1.4E-45f", Precision.FLOAT.literal(Float.MIN_VALUE));
        assertEquals("0.0f", Precision.FLOAT.zero());
    }

    @Test
    void callsReturningDoubleAreCastInFloat() {
        assertEquals("Math.exp(x)", Precision.DOUBLE.narrow("Math.exp(x)"));
        assertEquals("(float) Math.exp(x)", Precision.FLOAT.narrow("Math.exp(x)"));
    }

    @Test
    void namesAreTheJavaTypes() {
        assertEquals(Precision.FLOAT, Precision.named("float"));
        assertEquals(Precision.DOUBLE, Precision.named("DOUBLE"));
        assertNull(Precision.named("half"));
        assertEquals("float", Precision.FLOAT.type());
        assertEquals("Double", Precision.DOUBLE.boxed());
    }
}
