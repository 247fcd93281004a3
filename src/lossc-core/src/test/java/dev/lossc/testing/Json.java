package dev.lossc.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the examples' VALUES.json files (numbers, arrays, arrays of arrays) into flat arrays. */
public final class Json {
    private Json() {}

    public static Map<String, double[]> values(String text) {
        Parser p = new Parser(text);
        Map<String, double[]> out = new LinkedHashMap<>();
        p.expect('{');
        while (p.peek() != '}') {
            String key = p.string();
            p.expect(':');
            List<Double> flat = new ArrayList<>();
            p.value(flat);
            double[] v = new double[flat.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = flat.get(i);
            }
            out.put(key, v);
            if (p.peek() == ',') {
                p.expect(',');
            }
        }
        return out;
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        char peek() {
            while (Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return s.charAt(i);
        }

        void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected " + c + " at " + i);
            }
            i++;
        }

        String string() {
            expect('"');
            int start = i;
            while (s.charAt(i) != '"') {
                i++;
            }
            return s.substring(start, i++);
        }

        void value(List<Double> out) {
            if (peek() == '[') {
                expect('[');
                while (peek() != ']') {
                    value(out);
                    if (peek() == ',') {
                        expect(',');
                    }
                }
                expect(']');
            } else {
                int start = i;
                while (i < s.length() && "+-.0123456789eE".indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                out.add(Double.parseDouble(s.substring(start, i)));
            }
        }
    }
}
