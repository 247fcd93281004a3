package dev.lossc.check;

import dev.lossc.diag.Pos;
import dev.lossc.prim.Attributes;
import dev.lossc.prim.Prim;
import dev.lossc.types.Shape;
import java.util.List;

/**
 * The checked program: names resolved to symbols, every expression shaped, defs inlined,
 * constant scalar expressions folded. This is what the lowering to IR consumes.
 */
public final class Typed {
    private Typed() {}

    public sealed interface Expr {
        /** The kinds of checked expression. */
        enum Kind { CONST, REF, INT_REF, LOOP_INDEX, APPLY, DERIVED, INDEX, SLICE, BLOCK, CUSTOM }

        /** Which kind this is: switch on it in a switch expression (no default), which fails to compile when a kind is added. */
        Kind kind();

        Shape shape();

        Pos pos();
    }

    /** A folded scalar constant. */
    public record Const(double value, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.CONST;
        }

        public Shape shape() {
            return Shape.SCALAR;
        }
    }

    /** A read of an input, param, let or var. */
    public record Ref(Symbol symbol, Shape shape, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.REF;
        }
    }

    /**
     * An int input where one may stand (version 2): the indices of a gather, the class labels of
     * {@code cross_entropy}. Never a real value. {@code at} is null for the whole input; else, for a
     * scalar, the element's position, and for a vector (a row {@code toks[i]} or a column
     * {@code toks[.., t]} of an int matrix, version 3) its first element's, its elements
     * {@code stride} apart.
     */
    public record IntRef(Symbol.Input input, Affine at, int stride, Shape shape, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.INT_REF;
        }

        public IntRef(Symbol.Input input, Shape shape, Pos pos) {
            this(input, null, 1, shape, pos);
        }

        public IntRef(Symbol.Input input, Affine at, Shape shape, Pos pos) {
            this(input, at, 1, shape, pos);
        }
    }

    /** A loop variable used as a value. */
    public record LoopIndex(Symbol.Loop loop, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.LOOP_INDEX;
        }

        public Shape shape() {
            return Shape.SCALAR;
        }
    }

    /** A primitive applied (an operator or built-in), with its constant attributes. */
    public record Apply(Prim prim, List<Expr> args, Attributes attributes, Shape shape, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.APPLY;
        }

        public Apply {
            args = List.copyOf(args);
        }
    }

    /** A derived built-in ({@code mean}, {@code mse}, …) applied; the lowering rewrites it into primitives. */
    public record Derived(dev.lossc.check.Derived function, List<Expr> args, Shape shape, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.DERIVED;
        }

        public Derived {
            args = List.copyOf(args);
        }
    }

    /** Indexing: one index per leading axis consumed. */
    public record Index(Expr base, List<Affine> indexes, Shape shape, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.INDEX;
        }

        public Index {
            indexes = List.copyOf(indexes);
        }
    }

    /**
     * A slice (version 2): the block of {@code base} from row {@code row} and column {@code col},
     * {@code height} rows by {@code width} columns (a vector base: row 0, height 1). {@code shape}
     * is the result: a matrix, or a vector when one axis was a single index (or, for {@code row}
     * and {@code column}, the same elements seen as {@code [1, n]} or {@code [m, 1]}).
     */
    public record Slice(Expr base, Affine row, Affine col, int height, int width, Shape shape, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.SLICE;
        }

        /** The block's elements are adjacent in the base's storage (whole rows, or part of one). */
        public boolean contiguous() {
            return height == 1 || width == base.shape().cols();
        }
    }

    /** An inlined def call: its parameters and body lets, then its result. */
    public record Block(List<Stmt> lets, Expr result, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.BLOCK;
        }

        public Block {
            lets = List.copyOf(lets);
        }

        public Shape shape() {
            return result.shape();
        }
    }

    /**
     * An inlined call of a def that states its own derivative (version 3). {@code lets} bind
     * {@code params} to the arguments, then the body's own copies of them to their
     * {@code stop_gradient} (so the body is never differentiated), then run the body; {@code body}
     * is its value. The rules read {@code params}, {@code result} (the call's value) and their own
     * names: {@code grads} (one per parameter, each of its shape) read {@code dy}, the result's
     * adjoint; {@code jvp} (null without a jvp rule) reads {@code tangents}, one per parameter.
     */
    public record Custom(String function, List<Stmt> lets, Expr body, List<Symbol.Let> params, Symbol.Let result, Symbol.Let dy,
                         List<Expr> grads, List<Symbol.Let> tangents, Expr jvp, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.CUSTOM;
        }

        public Custom {
            lets = List.copyOf(lets);
            params = List.copyOf(params);
            grads = List.copyOf(grads);
            tangents = List.copyOf(tangents);
        }

        public Shape shape() {
            return body.shape();
        }
    }

    public sealed interface Stmt {
        /** The kinds of checked statement. */
        enum Kind { LET, OUTPUT, VAR_DECL, ASSIGN, FOR }

        /** Which kind this is: switch on it in a switch expression (no default), which fails to compile when a kind is added. */
        Kind kind();

        Pos pos();
    }

    public record Let(Symbol.Let symbol, Expr value, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.LET;
        }
    }

    /** {@code output NAME = value;}: bound like a let, and given a method of its own. */
    public record Output(Symbol.Let symbol, Expr value, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.OUTPUT;
        }
    }

    public record VarDecl(Symbol.Var symbol, Expr value, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.VAR_DECL;
        }
    }

    public record Assign(Symbol.Var symbol, Expr value, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.ASSIGN;
        }
    }

    public record For(Symbol.Loop loop, List<Stmt> body, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.FOR;
        }

        public For {
            body = List.copyOf(body);
        }
    }

    /** The whole checked model. */
    public record Program(
            String file,
            String className,
            List<Symbol.Dim> dims,
            List<Symbol.Input> inputs,
            List<Symbol.Param> params,
            List<Symbol.State> states,
            List<Stmt> statements,
            Expr loss,
            Pos lossPos,
            java.util.Map<Symbol.Input, Integer> indexLimits) {
        public Program {
            indexLimits = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(indexLimits));
            dims = List.copyOf(dims);
            inputs = List.copyOf(inputs);
            params = List.copyOf(params);
            states = List.copyOf(states);
            statements = List.copyOf(statements);
        }
    }
}
