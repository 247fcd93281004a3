package dev.lossc.prim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * How {@link Prim}'s entries are written and kept: a builder per entry ({@link #elementwise},
 * {@link #structured}), and the registry every phase looks primitives up in, by table name and by
 * the name programs call them by.
 */
final class Table {
    private Table() {}

    /** Every primitive by name, in definition order. */
    private static final Map<String, Prim> ALL = new LinkedHashMap<>();

    /** Adds an entry to the table. */
    static Prim define(Builder b) {
        Prim p = b.build();
        synchronized (ALL) {
            if (ALL.putIfAbsent(p.name, p) != null) {
                throw new IllegalArgumentException("primitive " + p.name + " is already defined");
            }
        }
        return p;
    }

    static Prim defineElementwise(String name, String forward, String... derivatives) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("a primitive's name is a lower-case identifier: " + name);
        }
        return define(elementwise(name.toUpperCase(Locale.ROOT), name, forward, derivatives).callable(true));
    }

    static void remove(Prim p) {
        synchronized (ALL) {
            ALL.remove(p.name, p);
        }
    }

    static List<Prim> all() {
        synchronized (ALL) {
            return List.copyOf(ALL.values());
        }
    }

    static Prim named(String name) {
        synchronized (ALL) {
            Prim p = ALL.get(name);
            if (p == null) {
                throw new IllegalArgumentException("no primitive " + name);
            }
            return p;
        }
    }

    static List<Prim> callable(String name) {
        List<Prim> out = new ArrayList<>();
        for (Prim p : all()) {
            if (name.equals(p.callName)) {
                out.add(p);
            }
        }
        return out;
    }

    /** An elementwise entry: its forward rule and one derivative rule per operand ({@link Scalar} text). */
    static Builder elementwise(String name, String spelling, String forward, String... derivatives) {
        Builder b = new Builder(name, spelling, derivatives.length);
        b.forward = forward;
        b.derivatives = derivatives;
        b.signature = derivatives.length == 1 ? Signatures.SAME : Signatures.BROADCAST;
        return b;
    }

    /** A structured entry, emitted by {@code kernel}. */
    static Builder structured(String name, String spelling, Prim.Kernel kernel, int arity) {
        Builder b = new Builder(name, spelling, arity);
        b.kernel = kernel;
        b.signature = Signatures.product(kernel);
        return b;
    }

    /** A contribution written out: to operand {@code operand}, {@code prim} of {@code args} with {@code attributes}. */
    static Prim.Contribution rule(int operand, String prim, Attributes attributes, String... args) {
        return new Prim.Contribution(operand, named(prim), refs(args), attributes);
    }

    private static List<Prim.Ref> refs(String... args) {
        List<Prim.Ref> refs = new ArrayList<>();
        for (String a : args) {
            refs.add(Prim.Ref.valueOf(a.toUpperCase(Locale.ROOT)));
        }
        return List.copyOf(refs);
    }

    /** One entry being written. */
    static final class Builder {
        private final String name;
        private final String spelling;
        private final int arity;
        private String forward;
        private String[] derivatives;
        private Prim.Kernel kernel;
        private Signature signature;
        private final List<AttributeSpec> attributes = new ArrayList<>();
        private final Rules rules;
        private boolean callable;
        private boolean reserved;
        private Prim.Mode mode = Prim.Mode.SAME;

        private Builder(String name, String spelling, int arity) {
            this.name = name;
            this.spelling = spelling;
            this.arity = arity;
            this.rules = new Rules(arity);
        }

        Builder attributes(AttributeSpec... specs) {
            attributes.addAll(List.of(specs));
            return this;
        }

        /** How it differs between a training call and an output method. */
        Builder mode(Prim.Mode m) {
            this.mode = m;
            return this;
        }

        Builder signature(Signature s) {
            this.signature = s;
            return this;
        }

        /** Programs call it by its spelling; {@code reserved}: no declaration may take the name. */
        Builder callable(boolean reserved) {
            this.callable = true;
            this.reserved = reserved;
            return this;
        }

        /** {@code d[operand] += prim(args)}, with the application's attributes (a slice's stride is its adjoint's too). */
        Builder adjoint(int operand, String prim, String... args) {
            rules.set(operand, applied -> new Prim.Contribution(operand, named(prim), refs(args), applied));
            return this;
        }

        /** {@code d[operand] += prim(args; attributes)}: the contribution's own attributes. */
        Builder adjoint(int operand, String prim, Attributes attributes, String... args) {
            rules.set(operand, applied -> new Prim.Contribution(operand, named(prim), refs(args), attributes));
            return this;
        }

        /** A contribution that depends on the application's attributes (a reduction's axis). */
        Builder adjoint(int operand, Function<Attributes, Prim.Contribution> rule) {
            rules.set(operand, rule);
            return this;
        }

        /** Operand {@code operand} has no adjoint (integer data, or a kernel whose derivative is built around it). */
        Builder noAdjoint(int operand) {
            rules.set(operand, applied -> new Prim.Contribution(operand, null, List.of(), applied));
            rules.without(operand);
            return this;
        }

        Prim build() {
            List<String> names = new ArrayList<>();
            attributes.forEach(a -> names.add(a.name()));
            Scalar fwd = null;
            List<Scalar> ders = List.of();
            if (forward != null) {
                fwd = Scalar.parse(forward, names);
                List<Scalar> parsed = new ArrayList<>();
                for (String d : derivatives) {
                    parsed.add(Scalar.parse(d, names));
                }
                ders = Collections.unmodifiableList(parsed);
            }
            return new Prim(name, spelling, arity, attributes, signature, fwd, ders, kernel, rules, callable ? spelling : null, reserved, mode);
        }
    }

    /** A structured entry's rules, one per operand, resolved against the table when first applied. */
    static final class Rules {
        private final List<Function<Attributes, Prim.Contribution>> perOperand;
        private final boolean[] none;

        Rules(int arity) {
            perOperand = new ArrayList<>(Collections.nCopies(arity, null));
            none = new boolean[arity];
        }

        void without(int operand) {
            none[operand] = true;
        }

        void set(int operand, Function<Attributes, Prim.Contribution> rule) {
            perOperand.set(operand, rule);
        }

        boolean complete() {
            return perOperand.stream().allMatch(r -> r != null);
        }

        Prim.Contribution contribution(int k, Attributes applied) {
            Function<Attributes, Prim.Contribution> r = perOperand.get(k);
            if (r == null) {
                throw new IllegalStateException("no derivative rule for operand " + k);
            }
            return r.apply(applied);
        }

        boolean differentiable() {
            for (int k = 0; k < perOperand.size(); k++) {
                if (hasAdjoint(k)) {
                    return true;
                }
            }
            return false;
        }

        /** True if operand {@code k} was declared without an adjoint ({@code stop_gradient}'s). */
        boolean detached(int k) {
            return none[k];
        }

        /** Whether operand {@code k} has a rule that gives it an adjoint (fixed by the entry, whatever the attributes). */
        boolean hasAdjoint(int k) {
            return perOperand.get(k) != null && !none[k];
        }
    }
}
