package dev.lossc.prim;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The scalar functions rules may call. Each is evaluated here (for constant folding) and named in
 * Java: a {@code java.lang.Math} method, or a private static helper of the generated class whose
 * source is {@link #helperSource()}, emitted only when a rule that calls it is used. The helpers
 * are written once, in {@link Helpers}: folding calls them, and their source text is emitted. A
 * test compiles every emitted helper and checks it agrees with {@link #apply} bit for bit.
 */
public enum ScalarFn {
    EXP(1, "Math.exp"),
    EXPM1(1, "Math.expm1"),
    LOG(1, "Math.log"),
    LOG1P(1, "Math.log1p"),
    TANH(1, "Math.tanh"),
    SQRT(1, "Math.sqrt"),
    SIN(1, "Math.sin"),
    COS(1, "Math.cos"),
    ABS(1, "Math.abs"),
    POW(2, "Math.pow"),
    MAX(2, "Math.max"),
    MIN(2, "Math.min"),
    SIGMOID(1, "sigmoid"),
    SOFTPLUS(1, "softplus"),
    ERF(1, "erf");

    private final int arity;
    private final String java;

    ScalarFn(int arity, String java) {
        this.arity = arity;
        this.java = java;
    }

    public int arity() {
        return arity;
    }

    /** How generated code calls it. */
    public String java() {
        return java;
    }

    /** True if its Java method has a {@code float} overload ({@code Math.abs}, {@code max}, {@code min}): called on floats, it returns a float. */
    public boolean keepsFloat() {
        return this == ABS || this == MAX || this == MIN;
    }

    /** True if the generated class needs a helper method for it. */
    public boolean isHelper() {
        return !java.startsWith("Math.");
    }

    public double apply(double... v) {
        return switch (this) {
            case EXP -> Math.exp(v[0]);
            case EXPM1 -> Math.expm1(v[0]);
            case LOG -> Math.log(v[0]);
            case LOG1P -> Math.log1p(v[0]);
            case TANH -> Math.tanh(v[0]);
            case SQRT -> Math.sqrt(v[0]);
            case SIN -> Math.sin(v[0]);
            case COS -> Math.cos(v[0]);
            case ABS -> Math.abs(v[0]);
            case POW -> Math.pow(v[0], v[1]);
            case MAX -> Math.max(v[0], v[1]);
            case MIN -> Math.min(v[0], v[1]);
            case SIGMOID -> Helpers.sigmoid(v[0]);
            case SOFTPLUS -> Helpers.softplus(v[0]);
            case ERF -> Helpers.erf(v[0]);
        };
    }

    /**
     * The body of the helper ({@code double name(double x)}), statements at the left margin, or
     * null for a Math method.
     */
    public String helperBody() {
        return isHelper() ? HelperSources.BODIES.get(java) : null;
    }

    /** The helper as a private static method's source text, or null for a Math method. */
    public String helperSource() {
        if (!isHelper()) {
            return null;
        }
        StringBuilder s = new StringBuilder("private static double ").append(java).append("(double x) {\n");
        for (String line : helperBody().split("\n")) {
            s.append(line.isEmpty() ? "" : "    " + line).append('\n');
        }
        return s.append("}\n").toString();
    }

    /**
     * The body of each method of {@link Helpers}, by name, read once from the copy of its source
     * the build puts in the jar. Every helper is {@code static double NAME(double x)}: one line
     * opens it, its body is indented one level more, and a line {@code "    }"} closes it.
     */
    private static final class HelperSources {
        static final Map<String, String> BODIES = read();
        private static final String OPENS = "    static double ";
        private static final String PARAMETER = "(double x) {";

        private static Map<String, String> read() {
            String file;
            try (InputStream in = ScalarFn.class.getResourceAsStream("Helpers.java")) {
                if (in == null) {
                    throw new IllegalStateException("dev/lossc/prim/Helpers.java is missing from the compiler's resources");
                }
                file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> out = new HashMap<>();
            String[] lines = file.split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].startsWith(OPENS)) {
                    continue;
                }
                if (!lines[i].endsWith(PARAMETER)) {
                    throw new IllegalStateException("a helper must be static double NAME(double x): " + lines[i]);
                }
                String name = lines[i].substring(OPENS.length(), lines[i].length() - PARAMETER.length());
                StringBuilder body = new StringBuilder();
                while (!lines[++i].equals("    }")) {
                    body.append(lines[i].isEmpty() ? "" : lines[i].substring(8)).append('\n');
                }
                out.put(name, body.toString());
            }
            return out;
        }
    }
}
