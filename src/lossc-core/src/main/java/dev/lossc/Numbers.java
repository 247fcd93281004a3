package dev.lossc;

/**
 * How lossc reads numbers written as text outside a {@code .loss} file: CSV cells by JSON's number
 * grammar ({@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}), command-line values by the
 * grammar of the language's literals with an optional sign ({@code 12}, {@code 0.5}, {@code .5},
 * {@code -1e-3}, {@code +2.5E+4}). Neither accepts what {@link Double#parseDouble} also takes:
 * {@code 1d}, {@code 2f}, hexadecimal, {@code NaN}, {@code Infinity}, padding. A number too large for
 * a double is refused, never read as an infinity; one too small is zero, as in Java and Python.
 */
public final class Numbers {
    private Numbers() {}

    /** Why a text is not a number, in words a message can end with. */
    public static final class NotANumber extends Exception {
        NotANumber(String message) {
            super(message, null, false, false);
        }
    }

    /** A CSV cell or JSON number: JSON's grammar. */
    public static double json(CharSequence s) throws NotANumber {
        int i = 0;
        int n = s.length();
        if (i < n && s.charAt(i) == '-') {
            i++;
        }
        int digits = digits(s, i);
        if (digits == 0) {
            throw notANumber(s);
        }
        if (s.charAt(i) == '0' && digits > 1) {
            throw new NotANumber("is not a number (a leading zero)");
        }
        i += digits;
        i = fractionAndExponent(s, i, true);
        if (i != n) {
            throw notANumber(s);
        }
        return finite(s);
    }

    /** A command-line value: the language's literal grammar with an optional sign. */
    public static double literal(CharSequence s) throws NotANumber {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            i++;
        }
        int whole = digits(s, i);
        i += whole;
        if (whole == 0 && !(i < n && s.charAt(i) == '.')) {
            throw notANumber(s);
        }
        i = fractionAndExponent(s, i, whole > 0);
        if (i != n) {
            throw notANumber(s);
        }
        return finite(s);
    }

    private static int fractionAndExponent(CharSequence s, int i, boolean hadDigits) throws NotANumber {
        int n = s.length();
        if (i < n && s.charAt(i) == '.') {
            int fraction = digits(s, i + 1);
            if (fraction == 0) {
                throw notANumber(s);
            }
            i += 1 + fraction;
        } else if (!hadDigits) {
            throw notANumber(s);
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponent = digits(s, i);
            if (exponent == 0) {
                throw notANumber(s);
            }
            i += exponent;
        }
        return i;
    }

    private static int digits(CharSequence s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i - from;
    }

    private static double finite(CharSequence s) throws NotANumber {
        double v = Double.parseDouble(s.toString());
        if (Double.isInfinite(v)) {
            throw new NotANumber("is out of range for a double (the largest is 1.7976931348623157E308)");
        }
        return v;
    }

    private static NotANumber notANumber(CharSequence s) {
        String t = s.toString().trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("nan") || t.equals("-nan") || t.equals("+nan")) {
            return new NotANumber("is not a number: NaN is not accepted, only finite numbers");
        }
        if (t.matches("[-+]?(inf|infinity)")) {
            return new NotANumber("is not a number: infinities are not accepted, only finite numbers");
        }
        if (s.length() == 0) {
            return new NotANumber("is empty, not a number");
        }
        return new NotANumber("is not a number");
    }

    /** {@link dev.lossc.diag.Quoted#of}: at most {@code max} characters of {@code s}, for a message. */
    public static String quote(CharSequence s, int max) {
        return dev.lossc.diag.Quoted.of(s, max);
    }
}
