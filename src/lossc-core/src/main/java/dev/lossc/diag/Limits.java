package dev.lossc.diag;

/**
 * The documented limits of the compiler (docs/language.md, "Limits"). Inputs beyond them get a
 * diagnostic at the position where the limit is crossed, in time linear in the input; they never
 * reach a phase that could take unbounded time, memory or stack.
 */
public final class Limits {
    private Limits() {}

    /** The largest {@code .loss} file read, in bytes (64 MiB). */
    public static final long MAX_SOURCE_BYTES = 64L << 20;

    /** The largest values file ({@code eval --values}) read, in bytes (256 MiB). */
    public static final long MAX_VALUES_BYTES = 256L << 20;

    /**
     * The largest CSV file {@code lossc train} reads, in bytes (1 GiB). It is streamed, never held
     * whole: the numbers take 8 bytes each (16 for a moment while they are joined into one array).
     */
    public static final long MAX_DATA_BYTES = 1L << 30;

    /**
     * The largest safetensors, npz or npy parameter file read, in bytes (16 GiB): it is streamed into
     * the model's own arrays, which hold at most 2,147,483,639 numbers.
     */
    public static final long MAX_PARAMS_BYTES = 16L << 30;

    /**
     * The deepest expression nesting: each parenthesis, call, index bracket, unary minus and
     * power exponent opens one level.
     */
    public static final int MAX_NESTING = 256;

    /**
     * The longest identifier, in characters. With {@code .java} and a trailing underscore added
     * to a Java keyword, a model name stays inside the 255-byte file names of common file
     * systems; every generated Java name stays far inside the JVM's 65,535-byte limit.
     */
    public static final int MAX_IDENTIFIER = 200;

    /** The largest program, in operations after inlining functions: one Java class must hold its fields. */
    public static final int MAX_OPERATIONS = 10_000;

    /** After this many errors in one file, further errors are counted, not reported. */
    public static final int MAX_ERRORS = 100;

    /** A diagnostic quotes at most this many characters of its source line, around the column. */
    public static final int MAX_QUOTED_LINE = 100;
}
