package dev.lossc.check;

import java.util.ArrayList;
import java.util.List;

/** An integer index: a constant plus loop variables with integer coefficients. */
public record Affine(int constant, List<Term> terms) {
    public record Term(Symbol.Loop loop, int coefficient) {}

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
                if (merged.get(i).loop() == t.loop()) {
                    merged.set(i, new Term(t.loop(), merged.get(i).coefficient() + sign * t.coefficient()));
                    found = true;
                }
            }
            if (!found) {
                merged.add(new Term(t.loop(), sign * t.coefficient()));
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
            scaled.add(new Term(t.loop(), t.coefficient() * k));
        }
        scaled.removeIf(t -> t.coefficient() == 0);
        return new Affine(constant * k, scaled);
    }

    public long min() {
        long v = constant;
        for (Term t : terms) {
            v += t.coefficient() > 0 ? (long) t.coefficient() * t.loop().from() : (long) t.coefficient() * (t.loop().to() - 1);
        }
        return v;
    }

    public long max() {
        long v = constant;
        for (Term t : terms) {
            v += t.coefficient() > 0 ? (long) t.coefficient() * (t.loop().to() - 1) : (long) t.coefficient() * t.loop().from();
        }
        return v;
    }

    public boolean isConstant() {
        return terms.isEmpty();
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
            s.append(c == 1 ? "" : c + " * ").append(t.loop().name());
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
