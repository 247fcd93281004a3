package dev.lossc.prim;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    TANH(1, "tanh"),
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

    /**
     * How a class of {@code float}s ({@code single}) or of doubles calls it: a float class's
     * {@code tanh} is {@code tanhFloat}, whose result rounded to float is {@code tanh}'s rounded
     * to float, bit for bit, and which is faster.
     */
    public String java(boolean single) {
        return single && this == TANH ? "tanhFloat" : java;
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
            case TANH -> Helpers.tanh(v[0]);
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

    /**
     * The methods the generated class carries for this function: its helper, then the helpers that
     * one calls (each {@code static double NAME(double x)} of {@link Helpers}, in the order first
     * called); empty for a Math method.
     */
    public List<String> helperMethods() {
        return helperMethods(false);
    }

    /** {@link #helperMethods()} of a class of {@code float}s ({@code single}) or of doubles ({@link #java(boolean)}). */
    public List<String> helperMethods(boolean single) {
        if (!isHelper()) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        HelperSources.collect(java(single), out);
        return List.copyOf(out);
    }

    /** The static final fields the helpers of {@link #helperMethods()} read, in the order first read. */
    public List<HelperField> helperFields() {
        return helperFields(false);
    }

    /** {@link #helperFields()} of a class of {@code float}s ({@code single}) or of doubles. */
    public List<HelperField> helperFields(boolean single) {
        List<HelperField> out = new ArrayList<>();
        for (String m : helperMethods(single)) {
            for (HelperField f : HelperSources.FIELDS.values()) {
                if (!out.contains(f) && HelperSources.mentions(HelperSources.BODIES.get(m), f.name())) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /** The body of the helper method {@code name} (one of some function's {@link #helperMethods()}). */
    public static String helperMethodBody(String name) {
        String body = HelperSources.BODIES.get(name);
        if (body == null) {
            throw new IllegalArgumentException("no helper " + name);
        }
        return body;
    }

    /** Every name a helper may add to a generated class, methods and fields: no other member may take one. */
    public static List<String> helperMemberNames() {
        List<String> out = new ArrayList<>(HelperSources.BODIES.keySet());
        out.addAll(HelperSources.FIELDS.keySet());
        return out;
    }

    /** A {@code private static final} field a helper reads: its type, name and initializer, as Java source. */
    public record HelperField(String type, String name, String initializer) {}

    /**
     * The helper as the source text of private static members (its fields, its method, the methods
     * it calls), or null for a Math method.
     */
    public String helperSource() {
        if (!isHelper()) {
            return null;
        }
        StringBuilder s = new StringBuilder();
        for (HelperField f : helperFields()) {
            s.append("private static final ").append(f.type()).append(' ').append(f.name()).append(" = ").append(f.initializer()).append(";\n");
        }
        for (String m : helperMethods()) {
            s.append("private static double ").append(m).append("(double x) {\n");
            for (String line : helperMethodBody(m).split("\n")) {
                s.append(line.isEmpty() ? "" : "    " + line).append('\n');
            }
            s.append("}\n");
        }
        return s.toString();
    }

    /**
     * The body of each method of {@link Helpers}, by name, and its fields, read once from the copy
     * of its source the build puts in the jar. Every helper method is {@code static double
     * NAME(double x)}: one line opens it, its body is indented one level more, and a line
     * {@code "    }"} closes it. A field is one line, {@code static final TYPE NAME = INITIALIZER;}.
     */
    private static final class HelperSources {
        static final Map<String, String> BODIES = new LinkedHashMap<>();
        static final Map<String, HelperField> FIELDS = new LinkedHashMap<>();
        private static final String OPENS = "    static double ";
        private static final String PARAMETER = "(double x) {";
        private static final Pattern FIELD = Pattern.compile("    static final (\\w+) (\\w+) = (.*);");

        static {
            read();
        }

        /** Adds {@code name} and, after it, every helper method its body calls, each once. */
        static void collect(String name, Set<String> out) {
            if (!out.add(name)) {
                return;
            }
            for (String other : BODIES.keySet()) {
                if (BODIES.get(name).contains(other + "(") && mentions(BODIES.get(name), other)) {
                    collect(other, out);
                }
            }
        }

        /** True if {@code body} has {@code name} as a whole word outside its comments. */
        static boolean mentions(String body, String name) {
            Pattern word = Pattern.compile("(?<![\\w.])" + Pattern.quote(name) + "(?!\\w)");
            for (String line : body.split("\n")) {
                int comment = line.indexOf("//");
                if (word.matcher(comment < 0 ? line : line.substring(0, comment)).find()) {
                    return true;
                }
            }
            return false;
        }

        private static void read() {
            String file;
            try (InputStream in = ScalarFn.class.getResourceAsStream("Helpers.java")) {
                if (in == null) {
                    throw new IllegalStateException("dev/lossc/prim/Helpers.java is missing from the compiler's resources");
                }
                file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String[] lines = file.split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                Matcher field = FIELD.matcher(lines[i]);
                if (field.matches()) {
                    FIELDS.put(field.group(2), new HelperField(field.group(1), field.group(2), field.group(3)));
                    continue;
                }
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
                BODIES.put(name, body.toString());
            }
        }
    }
}
