package dev.lossc.diag;

/** Text from the user's files, quoted in a message. */
public final class Quoted {
    private Quoted() {}

    /**
     * At most {@code max} characters of {@code s} for a message, with control characters shown as
     * '?' and "…" where it is cut: a cell of 100 MB is quoted in 100 characters.
     */
    public static String of(CharSequence s, int max) {
        StringBuilder out = new StringBuilder();
        int n = Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (s.length() > max) {
            if (Character.isHighSurrogate(out.charAt(out.length() - 1))) {
                out.setLength(out.length() - 1);
            }
            out.append('\u2026');
        }
        return out.toString();
    }
}
