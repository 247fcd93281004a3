package dev.lossc.codegen;

import java.util.HashSet;
import java.util.Set;

/**
 * Gives every generated identifier a name that is valid Java, unique within the class, and as
 * close to the .loss name as possible: a Java keyword gets a trailing underscore ({@code class} →
 * {@code class_}), a clash gets {@code _2}, {@code _3}, … Allocation order is fixed by the
 * program, so names are deterministic.
 */
final class JavaNames {
    static final Set<String> KEYWORDS = Set.of(
            "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
            "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float",
            "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native",
            "new", "package", "private", "protected", "public", "return", "short", "static", "strictfp",
            "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void",
            "volatile", "while", "true", "false", "null", "_", "var", "record", "yield", "sealed", "permits");

    private final Set<String> used = new HashSet<>();

    /** Names the generated code uses itself (locals, helpers, java.lang types it names). */
    void reserve(String... names) {
        for (String n : names) {
            used.add(n);
        }
    }

    String allocate(String hint) {
        String base = hint;
        if (KEYWORDS.contains(base)) {
            base = base + "_";
        }
        if (used.add(base)) {
            return base;
        }
        for (int i = 2; ; i++) {
            String candidate = base + "_" + i;
            if (used.add(candidate)) {
                return candidate;
            }
        }
    }

    /** A class name for {@code name}: keywords and restricted type names get a trailing underscore. */
    static String className(String name) {
        return KEYWORDS.contains(name) ? name + "_" : name;
    }

    static boolean isValidPackage(String pkg) {
        if (pkg.isEmpty()) {
            return true;
        }
        for (String part : pkg.split("\\.", -1)) {
            if (part.isEmpty() || KEYWORDS.contains(part) || !Character.isJavaIdentifierStart(part.charAt(0))) {
                return false;
            }
            for (int i = 1; i < part.length(); i++) {
                if (!Character.isJavaIdentifierPart(part.charAt(i))) {
                    return false;
                }
            }
        }
        return true;
    }
}
