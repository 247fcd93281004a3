package dev.lossc.codegen;

import dev.lossc.check.Affine;
import dev.lossc.check.Symbol;
import dev.lossc.ir.Value;
import dev.lossc.types.Precision;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every value lives in the generated class, and how to read one element of it. Params and
 * their gradient live in two flat arrays ({@code params}, {@code grad}) at per-param offsets;
 * inputs are the caller's arrays, held for the duration of a call; temps and vars are fields
 * (a {@code double} for a scalar outside loops, else a {@code double[]} with one slot per loop
 * iteration; {@code float} and {@code float[]} with {@code --precision float}); adjoints are
 * {@code d_}-prefixed fields with one iteration's worth of room.
 */
final class Layout {
    static final String PARAMS = dev.lossc.check.ClassMembers.PARAMS;
    static final String GRAD = dev.lossc.check.ClassMembers.GRAD;
    static final String STATES = dev.lossc.check.ClassMembers.STATES;

    private final JavaNames names;
    private final Map<Value, String> primal = new IdentityHashMap<>();
    private final Map<Value, String> adjoint = new IdentityHashMap<>();
    private final Map<Value, String> offsets = new IdentityHashMap<>();
    private final Map<Symbol.Loop, String> loopNames = new LinkedHashMap<>();

    private final java.util.Set<Value> keptPerIteration;
    /** The fields holding a derivative call's direction (the params' tangent) and where the Hessian-vector product goes (their gradient's). */
    String direction;
    String tangentOut;
    private final Precision precision;

    /** {@code readByBackward}: loop values in it keep one slot per iteration; others are overwritten (derived from the backward IR). */
    Layout(JavaNames names, java.util.Set<Value> readByBackward, Precision precision) {
        this.names = names;
        this.keptPerIteration = readByBackward;
        this.precision = precision;
    }

    /** The element type of every value (and of the parameter and gradient arrays). */
    Precision precision() {
        return precision;
    }

    String nameParamOffset(Value param) {
        return offsets.computeIfAbsent(param, p -> names.allocate(p.name() + "_OFFSET"));
    }

    String offsetOf(Value param) {
        return offsets.get(param);
    }

    String namePrimal(Value v, String hint) {
        String name = primal.computeIfAbsent(v, x -> names.allocate(hint));
        if (v.kind() == Value.Kind.INPUT) {
            inputs.put(v.name(), name);
        }
        return name;
    }

    /** Inputs' Java names by source name: what an index read from integer data prints. */
    private final Map<String, String> inputs = new java.util.HashMap<>();

    String nameAdjoint(Value v) {
        return adjoint.computeIfAbsent(v, x -> names.allocate("d_" + primal.get(x)));
    }

    String primalName(Value v) {
        return primal.get(v);
    }

    String adjointName(Value v) {
        return adjoint.get(v);
    }

    /** Java names of the dims that vary per call: the fields holding their actual sizes during a call. */
    private final Map<String, String> dims = new java.util.HashMap<>();

    void nameDim(String dim, String javaName) {
        dims.put(dim, javaName);
    }

    /** The Java expression of an axis's extent in this call: its size, or the field with a varying dim's actual size. */
    String extent(dev.lossc.types.Shape.Axis a) {
        if (!a.varies()) {
            return Integer.toString(a.size());
        }
        String name = dims.get(a.dim());
        if (name == null) {
            throw new IllegalStateException("no field for dim " + a.dim());
        }
        // The rows of a tensor's leading axes (version 3): the batch's actual size times the rest.
        return a.factor() == 1 ? name : name + " * " + a.factor();
    }

    /** The number of elements of {@code s} in this call, as a Java expression ({@code B * 3}, {@code B}, {@code 12}). */
    String count(dev.lossc.types.Shape s) {
        if (!s.varies()) {
            return Integer.toString(s.size());
        }
        String rows = extent(s.rowAxis());
        String cols = extent(s.colAxis());
        return rows.equals("1") ? cols : cols.equals("1") ? rows : rows + " * " + cols;
    }

    /** The end of a loop: a constant, or the actual size of the varying dim it runs to. */
    String loopEnd(Symbol.Loop l) {
        return l.toDim() == null ? Integer.toString(l.to()) : extent(new dev.lossc.types.Shape.Axis(l.to(), l.toDim()));
    }

    String loop(Symbol.Loop loop) {
        return loopNames.computeIfAbsent(loop, l -> names.allocate(l.name()));
    }

    /**
     * The loops whose every iteration keeps its own copy of {@code v}: those around its definition
     * when the backward pass reads it, none otherwise (each iteration overwrites the last).
     */
    List<Symbol.Loop> slotLoops(Value v) {
        if (!keptPerIteration.contains(v)) {
            return List.of();
        }
        if (checkpointed.isEmpty()) {
            return v.loops();
        }
        return v.loops().stream().filter(l -> !checkpointed.contains(l)).toList();
    }

    /** The checkpointed loops a driver runs: their values keep one slot, whatever reads them (see {@link Checkpoints}). */
    java.util.Set<Symbol.Loop> checkpointed = java.util.Set.of();

    /** Stored as an array (a vector or matrix, or anything with a slot per iteration). */
    boolean isArray(Value v) {
        return v.shape().size() > 1 || !slotLoops(v).isEmpty();
    }

    int storageLength(Value v) {
        long n = v.shape().size();
        for (Symbol.Loop l : slotLoops(v)) {
            n *= Math.max(1, l.trips());
        }
        return (int) n;
    }

    /** The element {@code idx} (a Java int expression) of value {@code v}: a primal value or an adjoint. */
    String at(Value v, String idx) {
        return address(v, false).at(idx);
    }

    /** The element {@code idx} (a Java int expression) of value {@code v}, or of its adjoint. */
    String at(Value v, boolean ofAdjoint, String idx) {
        return address(v, ofAdjoint).at(idx);
    }

    /**
     * Where a value's elements are: element {@code i} is {@code array[offset + i]}; a value not
     * stored in an array (a local, a constant, a loop index) is one Java expression whatever the
     * element.
     */
    record Address(String array, String offset, String expression, int stride) {
        static Address inArray(String array, String offset) {
            return new Address(array, offset, null, 1);
        }

        static Address single(String expression) {
            return new Address(null, null, expression, 1);
        }

        boolean isArray() {
            return array != null;
        }

        /** Element {@code idx}. */
        String at(String idx) {
            return array == null ? expression : array + "[" + add(offset, mul(idx, stride)) + "]";
        }

        /** The address {@code more} elements further on. */
        Address plus(String more) {
            return array == null ? this : new Address(array, add(offset, mul(more, stride)), null, stride);
        }

        /** Every {@code n}th element (a column of int data). */
        Address every(int n) {
            return array == null || n == 1 ? this : new Address(array, offset, null, stride * n);
        }
    }

    /** Where {@code v}'s elements (or its adjoint's) are. */
    Address address(Value v, boolean ofAdjoint) {
        return switch (v.kind()) {
            case ADJOINT -> address(v.primal(), true);
            case CONST -> Address.single(literal(v.constant()));
            case COUNT -> {
                String n = String.join(" * ", v.countDims().stream().map(d -> extent(new dev.lossc.types.Shape.Axis(1, d))).toList());
                if (v.countFactor() != 1) {
                    n = n + " * " + v.countFactor();
                }
                if (v.countLess() != 0) {
                    n = n + " - " + v.countLess();
                }
                yield Address.single("(" + literal(v.constant()) + " / " + (n.contains(" ") ? "(" + n + ")" : n) + ")");
            }
            case LOOP_INDEX -> Address.single("((" + precision.type() + ") " + loop(v.loop()) + ")");
            case VIEW -> address(v.root(), ofAdjoint).plus(affine(v.viewOffset())).every(v.viewStride());
            case PARAM -> Address.inArray(ofAdjoint ? GRAD : PARAMS, offsets.get(v));
            case STATE -> {
                if (ofAdjoint) {
                    throw new IllegalStateException("a state has no adjoint: " + v.label());
                }
                yield Address.inArray(STATES, offsets.get(v));
            }
            case INPUT -> v.shape().isScalar() ? Address.single(primal.get(v)) : Address.inArray(primal.get(v), "0");
            case TANGENT -> {
                Value of = v.primal();
                if (of.kind() == Value.Kind.PARAM) {
                    yield Address.inArray(direction, offsets.get(of));
                }
                if (of.kind() == Value.Kind.ADJOINT && of.primal().kind() == Value.Kind.PARAM) {
                    yield Address.inArray(tangentOut, offsets.get(of.primal()));
                }
                yield isArray(v) ? Address.inArray(primal.get(v), iterationBase(v)) : Address.single(primal.get(v));
            }
            case TEMP, VAR -> {
                if (ofAdjoint) {
                    yield v.shape().size() == 1 ? Address.single(adjoint.get(v)) : Address.inArray(adjoint.get(v), "0");
                }
                yield isArray(v) ? Address.inArray(primal.get(v), iterationBase(v)) : Address.single(primal.get(v));
            }
        };
    }

    /** The address of a value stored in an array (a product's operand). */
    Address base(Value v) {
        Address a = address(v, false);
        if (!a.isArray()) {
            throw new IllegalStateException(v.label() + " is not stored in an array");
        }
        return a;
    }

    /** The first slot of the current iteration: {@code ((t - lo) * trips2 + (u - lo2)) * size}. */
    private String iterationBase(Value v) {
        if (slotLoops(v).isEmpty()) {
            return "0";
        }
        String flat = null;
        for (Symbol.Loop l : slotLoops(v)) {
            String term = l.from() == 0 ? loop(l) : "(" + loop(l) + " - " + l.from() + ")";
            flat = flat == null ? term : "(" + flat + ") * " + l.trips() + " + " + term;
        }
        int size = v.shape().size();
        if (size == 1) {
            return flat;
        }
        return (flat.contains(" ") ? "(" + flat + ")" : flat) + " * " + size;
    }

    String affine(Affine a) {
        StringBuilder s = new StringBuilder();
        for (Affine.Term t : a.terms()) {
            String name = t.isData() ? inputs.get(t.data().name()) + (t.at() == null ? "" : "[" + affine(t.at()) + "]") : loop(t.loop());
            int c = t.coefficient();
            if (s.length() == 0) {
                s.append(c == 1 ? name : c == -1 ? "-" + name : name + " * " + c);
            } else {
                s.append(c < 0 ? " - " : " + ").append(Math.abs(c) == 1 ? name : name + " * " + Math.abs(c));
            }
        }
        if (s.length() == 0) {
            return Integer.toString(a.constant());
        }
        if (a.constant() != 0) {
            s.append(a.constant() < 0 ? " - " : " + ").append(Math.abs(a.constant()));
        }
        return s.toString();
    }

    static String add(String a, String b) {
        if (a.equals("0")) {
            return b;
        }
        if (b.equals("0")) {
            return a;
        }
        return a + " + " + b;
    }

    static String mul(String a, int n) {
        if (a.equals("0") || n == 1) {
            return a;
        }
        if (a.matches("[0-9]{1,5}")) {
            return Integer.toString(Integer.parseInt(a) * n);
        }
        return (a.contains(" ") ? "(" + a + ")" : a) + " * " + n;
    }

    String literal(double v) {
        return precision.literal(v);
    }

    List<String> loopNames(List<Symbol.Loop> loops) {
        return loops.stream().map(this::loop).toList();
    }
}
