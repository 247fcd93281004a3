package dev.lossc.ir;

import dev.lossc.types.Shape;
import dev.lossc.check.Affine;
import dev.lossc.check.Symbol;
import java.util.List;

/**
 * A value of the IR. Temps are single-assignment; inside a loop they get one slot per iteration
 * (so the backward pass can read every iteration's value). Vars are mutable buffers, read only
 * through {@code COPY} snapshots. Views are rows or elements of another value, at an offset
 * that may depend on loop variables; they own no storage.
 */
public final class Value {
    public enum Kind { INPUT, PARAM, STATE, TEMP, VAR, CONST, LOOP_INDEX, VIEW, ADJOINT, COUNT, TANGENT }

    private final int id;
    private String name;
    private final Shape shape;
    private final Shape logical;
    private final Kind kind;
    private final double constant;
    private final Symbol.Loop loop;
    private final Value viewOf;
    private final Affine viewOffset;
    private final List<Symbol.Loop> loops;
    private final int index;
    private final Value primal;

    private Value(int id, String name, Shape shape, Kind kind, double constant, Symbol.Loop loop, Value viewOf,
                  Affine viewOffset, List<Symbol.Loop> loops, int index) {
        this(id, name, shape, kind, constant, loop, viewOf, viewOffset, loops, index, null);
    }

    private Value(int id, String name, Shape shape, Kind kind, double constant, Symbol.Loop loop, Value viewOf,
                  Affine viewOffset, List<Symbol.Loop> loops, int index, Value primal) {
        this.primal = primal;
        this.id = id;
        this.name = name;
        // The IR sees a tensor as the matrix it is stored as; its axes are only the API's.
        this.shape = shape.storage();
        this.logical = shape;
        this.kind = kind;
        this.constant = constant;
        this.loop = loop;
        this.viewOf = viewOf;
        this.viewOffset = viewOffset;
        this.loops = List.copyOf(loops);
        this.index = index;
    }

    static Value input(int id, String name, Shape shape, int index) {
        return new Value(id, name, shape, Kind.INPUT, 0, null, null, null, List.of(), index);
    }

    /**
     * An int input (version 2): labels or token ids, never differentiated. {@code limit} is the
     * exclusive upper bound of its values, checked when a generated method is called (the size of
     * the smallest axis it indexes), or 0 if nothing bounds it.
     */
    static Value intInput(int id, String name, Shape shape, int index, int limit) {
        Value v = new Value(id, name, shape, Kind.INPUT, 0, null, null, null, List.of(), index);
        v.integer = true;
        v.limit = limit;
        return v;
    }

    private boolean integer;
    private int limit;

    /** An int input. */
    public boolean isInteger() {
        return integer;
    }

    /** For an int input, the exclusive bound of its values (0: unbounded, but still non-negative is not required). */
    public int limit() {
        return limit;
    }

    /** A state (version 3): storage of the class, written only by a training call's running update. */
    static Value state(int id, String name, Shape shape, int index) {
        return new Value(id, name, shape, Kind.STATE, 0, null, null, null, List.of(), index);
    }

    static Value param(int id, String name, Shape shape, int index) {
        return new Value(id, name, shape, Kind.PARAM, 0, null, null, null, List.of(), index);
    }

    static Value temp(int id, String name, Shape shape, List<Symbol.Loop> loops) {
        return new Value(id, name, shape, Kind.TEMP, 0, null, null, null, loops, -1);
    }

    /**
     * The seed of a reverse sweep over an output (its Jacobian, row by row): an array of the
     * output's shape the generated method sets, read as the output's adjoint.
     */
    public static Value seed(int id, String name, Shape shape) {
        return new Value(id, name, shape, Kind.INPUT, 0, null, null, null, List.of(), -1);
    }

    /** An intermediate a derivative transformation adds (forward mode's row sums), computed and read in one iteration. */
    public static Value scratch(int id, Shape shape) {
        return temp(id, null, shape, List.of());
    }

    static Value var(int id, String name, Shape shape) {
        return new Value(id, name, shape, Kind.VAR, 0, null, null, null, List.of(), -1);
    }

    static Value constant(int id, double value) {
        return new Value(id, null, Shape.SCALAR, Kind.CONST, value, null, null, null, List.of(), -1);
    }

    /**
     * {@code numerator / (factor * the actual sizes of dims)}, read at run time (version 2): what
     * {@code mean} and the batch losses scale by when a size varies per call. The same division a
     * fixed size folds into a constant, so results match a class compiled for that size to the bit.
     * Never differentiated.
     */
    static Value count(int id, double numerator, int factor, List<String> dims) {
        return count(id, numerator, factor, dims, 0);
    }

    /** {@code numerator / (factor * the actual sizes of dims - less)}: {@code batch_norm}'s unbiased variance takes {@code less = 1}. */
    static Value count(int id, double numerator, int factor, List<String> dims, int less) {
        Value v = new Value(id, null, Shape.SCALAR, Kind.COUNT, numerator, null, null, null, List.of(), -1);
        v.countDims = List.copyOf(dims);
        v.countFactor = factor;
        v.countLess = less;
        return v;
    }

    private int countLess;

    /** For a count, what its denominator subtracts from the product (0, or 1 for an unbiased variance). */
    public int countLess() {
        return countLess;
    }

    private int countFactor = 1;

    /** For a count, the fixed factor of its denominator ({@link #constant()} is the numerator). */
    public int countFactor() {
        return countFactor;
    }

    private List<String> countDims = List.of();

    /** For a count, the dims whose actual sizes its denominator multiplies. */
    public List<String> countDims() {
        return countDims;
    }

    static Value loopIndex(int id, Symbol.Loop loop) {
        return new Value(id, loop.name(), Shape.SCALAR, Kind.LOOP_INDEX, 0, loop, null, null, List.of(), -1);
    }

    /**
     * The adjoint of a param, input, temp or var ({@code d} of it): storage of the same shape, one
     * iteration's worth for a value computed in a loop. A param's adjoint is its gradient.
     */
    public static Value adjointOf(int id, Value primal) {
        if (primal.kind() == Kind.VIEW || primal.kind() == Kind.ADJOINT || primal.kind() == Kind.CONST || primal.kind() == Kind.COUNT) {
            throw new IllegalArgumentException("no adjoint of " + primal.label());
        }
        return new Value(id, null, primal.shape(), Kind.ADJOINT, 0, null, null, null, List.of(), -1, primal);
    }

    /**
     * The tangent of a value (forward mode): storage like its primal's, the same loops for a value
     * computed in a loop (one slot per iteration when the backward pass reads it), one iteration's
     * worth for an adjoint's. A param's tangent is the caller's direction; a param gradient's, the
     * Hessian-vector product.
     */
    public static Value tangentOf(int id, Value primal) {
        if (primal.kind() == Kind.VIEW || primal.kind() == Kind.TANGENT || primal.kind() == Kind.CONST || primal.kind() == Kind.COUNT) {
            throw new IllegalArgumentException("no tangent of " + primal.label());
        }
        return new Value(id, null, primal.logicalShape(), Kind.TANGENT, 0, null, null, null, primal.loops(), -1, primal);
    }

    /** For an adjoint or a tangent, the value it is the adjoint or tangent of. */
    public Value primal() {
        return primal;
    }

    /** A view of {@code root} (never itself a view) at an element offset. */
    public static Value view(int id, Value root, Affine offset, Shape shape) {
        return new Value(id, null, shape, Kind.VIEW, 0, null, root, offset, List.of(), -1);
    }

    /**
     * A vector read from int data every {@code stride} elements from an offset (version 3): a
     * column {@code toks[.., t]} of an int matrix. Only int data have such views: they are read,
     * never written, never differentiated.
     */
    public static Value stridedView(int id, Value root, Affine offset, Shape shape, int stride) {
        if (!root.isInteger() || !shape.isVector()) {
            throw new IllegalArgumentException("a strided view is a vector of int data, not " + root.label() + " " + shape);
        }
        Value v = view(id, root, offset, shape);
        v.viewStride = stride;
        return v;
    }

    private int viewStride = 1;

    /** For a view, the distance between its consecutive elements in the root (1 but for a column of int data). */
    public int viewStride() {
        return viewStride;
    }

    public int id() {
        return id;
    }

    /** The source name this value was bound to, or null for an anonymous intermediate. */
    public String name() {
        return name;
    }

    void nameIfAnonymous(String name) {
        if (this.name == null && kind == Kind.TEMP) {
            this.name = name;
        }
    }

    public Shape shape() {
        return shape;
    }

    /** The shape as declared: a tensor's axes (version 3), which {@link #shape()} stores as a matrix. */
    public Shape logicalShape() {
        return logical;
    }

    public Kind kind() {
        return kind;
    }

    public double constant() {
        return constant;
    }

    public Symbol.Loop loop() {
        return loop;
    }

    /** For a view, the value that owns the storage; otherwise this value. */
    public Value root() {
        return kind == Kind.VIEW ? viewOf : this;
    }

    public Affine viewOffset() {
        return viewOffset;
    }

    /** The loops around a temp's definition, outermost first: it has one slot per iteration. */
    public List<Symbol.Loop> loops() {
        return loops;
    }

    /** Position among inputs or params. */
    public int index() {
        return index;
    }

    /** How the value reads in dumps: {@code %3:h}, {@code 0.5}, {@code V[t]}. */
    public String label() {
        return switch (kind) {
            case CONST -> Double.toString(constant);
            case COUNT -> constant + " / (" + String.join(" * ", countDims) + (countFactor == 1 ? "" : " * " + countFactor)
                    + (countLess == 0 ? "" : " - " + countLess) + ")";
            case LOOP_INDEX -> loop.name();
            case VIEW -> viewOf.label() + "[+" + viewOffset + (viewStride == 1 ? "" : ", every " + viewStride) + "]";
            case ADJOINT -> "d[" + primal.label() + "]";
            case TANGENT -> "t[" + primal.label() + "]";
            case INPUT, PARAM, STATE -> name;
            default -> "%" + id + (name == null ? "" : ":" + name);
        };
    }

    @Override
    public String toString() {
        return label();
    }
}
