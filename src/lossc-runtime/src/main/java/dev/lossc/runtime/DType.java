package dev.lossc.runtime;

/**
 * The element types of tensor files that lossc reads: safetensors' {@code F64}, {@code F32},
 * {@code F16} and {@code BF16}, NumPy's {@code <f8}, {@code <f4} and {@code <f2}. Each converts
 * to a double exactly; into a float class's {@code float[]}, an {@code F64} value is rounded to the
 * nearest float (as {@code tensor.float()} does) and the others are exact.
 */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The type safetensors names {@code name}, or null for one lossc does not read (integers, booleans, 8-bit floats). */
    static DType ofSafetensors(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Element {@code i} of {@code buffer} (little-endian, positioned at the tensor's first byte). */
    double get(java.nio.ByteBuffer buffer, int at) {
        switch (this) {
            case F64:
                return buffer.getDouble(at);
            case F32:
                return buffer.getFloat(at);
            case F16:
                return halfToFloat(buffer.getShort(at));
            case BF16:
                return Float.intBitsToFloat((buffer.getShort(at) & 0xFFFF) << 16);
            default:
                throw new IllegalStateException(name());
        }
    }

    /** IEEE 754 binary16 to float, exactly (Java 8 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal: mantissa * 2^-24.
            float v = mantissa * 5.9604644775390625E-8f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
