package dev.lossc.check;

import java.util.ArrayList;
import java.util.List;

/**
 * An integer index: a constant plus terms with integer coefficients, each a loop variable or (version
 * 2) an integer datum read at run time: an int input, or an element of an int vector input at an
 * affine position ({@code toks[t]}). A datum's range is checked when the generated method is
 * called, against {@code limit}, the size of the axis it indexes.
 */
public record Affine(int constant, List<Term> terms) {
    /** {@code coefficient * loop}, or {@code coefficient * data[at]} ({@code at} null for a scalar input). */
    public record Term(Symbol.Loop loop, int coefficient, Symbol.Input data, Affine at, int limit) {
        public Term(Symbol.Loop loop, int coefficient) {
            this(loop, coefficient, null, null, 0);
        }

        public boolean isData() {
            return data != null;
        }

        Term scaled(int c) {
            return new Term(loop, c, data, at, limit);
        }

        /** Same variable: the same loop, or the same datum at the same position. */
        boolean sameVariable(Term o) {
            return isData() ? o.isData() && data == o.data && java.util.Objects.equals(at, o.at) : loop == o.loop;
        }

        long low() {
            return isData() ? 0 : loop.from();
        }

        long high() {
            return isData() ? limit - 1 : loop.to() - 1;
        }

        String variable() {
            return isData() ? data.name() + (at == null ? "" : "[" + at + "]") : loop.name();
        }
    }

    /** The datum {@code data} (or {@code data[at]}) as an index into an axis of {@code limit} elements. */
    public static Affine datum(Symbol.Input data, Affine at, int limit) {
        return new Affine(0, List.of(new Term(null, 1, data, at, limit)));
    }

    public Affine {
        terms = List.copyOf(terms);
    }

    public static Affine of(int constant) {
        return new Affine(constant, List.of());
    }

    public Affine plus(Affine other, int sign) {
        List<Term> merged = new ArrayList<>(terms);
        for (Term t : other.terms) {
            boolean found = false;
            for (int i = 0; i < merged.size(); i++) {
                if (merged.get(i).sameVariable(t)) {
                    merged.set(i, merged.get(i).scaled(merged.get(i).coefficient() + sign * t.coefficient()));
                    found = true;
                }
            }
            if (!found) {
                merged.add(t.scaled(sign * t.coefficient()));
            }
        }
        merged.removeIf(t -> t.coefficient() == 0);
        return new Affine(constant + sign * other.constant, merged);
    }

    public Affine negate() {
        return Affine.of(0).plus(this, -1);
    }

    public Affine times(int k) {
        List<Term> scaled = new ArrayList<>();
        for (Term t : terms) {
            scaled.add(t.scaled(t.coefficient() * k));
        }
        scaled.removeIf(t -> t.coefficient() == 0);
        return new Affine(constant * k, scaled);
    }

    public long min() {
        long v = constant;
        for (Term t : terms) {
            v += t.coefficient() > 0 ? t.coefficient() * t.low() : t.coefficient() * t.high();
        }
        return v;
    }

    public long max() {
        long v = constant;
        for (Term t : terms) {
            v += t.coefficient() > 0 ? t.coefficient() * t.high() : t.coefficient() * t.low();
        }
        return v;
    }

    public boolean isConstant() {
        return terms.isEmpty();
    }

    /** True if it reads integer data (known only at run time). */
    public boolean readsData() {
        return terms.stream().anyMatch(Term::isData);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Term t : terms) {
            if (s.length() > 0) {
                s.append(t.coefficient() < 0 ? " - " : " + ");
            } else if (t.coefficient() < 0) {
                s.append('-');
            }
            int c = Math.abs(t.coefficient());
            s.append(c == 1 ? "" : c + " * ").append(t.variable());
        }
        if (s.length() == 0) {
            return Integer.toString(constant);
        }
        if (constant != 0) {
            s.append(constant < 0 ? " - " : " + ").append(Math.abs(constant));
        }
        return s.toString();
    }
}
