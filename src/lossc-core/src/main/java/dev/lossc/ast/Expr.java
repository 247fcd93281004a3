package dev.lossc.ast;

import dev.lossc.diag.Pos;
import java.util.List;

/** Expressions of the .loss language, as written (no names resolved, no shapes). */
public sealed interface Expr {
    /** The kinds of expression. */
    enum Kind { NUM, NAME, CALL, NEG, BINARY, POW, INDEX, RANGE, TUPLE }

    /** Which kind this is: switch on it in a switch expression (no default), which fails to compile when a kind is added. */
    Kind kind();

    Pos pos();

    /** A numeric literal; {@code text} is the spelling in the source. */
    record Num(double value, String text, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.NUM;
        }
    }

    /** A reference to a dim, const, input, param, let, var, loop variable or def parameter. */
    record Name(Ident id) implements Expr {
        @Override
        public Kind kind() {
            return Kind.NAME;
        }

        public Pos pos() {
            return id.pos();
        }
    }

    /**
     * {@code f(args…, name = value…)}: a built-in or a def, its positional arguments, then its
     * named ones (constants: {@code elu(x, alpha = 0.5)}).
     */
    record Call(Ident function, List<Expr> args, List<NamedArg> named) implements Expr {
        @Override
        public Kind kind() {
            return Kind.CALL;
        }

        public Call {
            args = List.copyOf(args);
            named = List.copyOf(named);
        }

        public Call(Ident function, List<Expr> args) {
            this(function, args, List.of());
        }

        public Pos pos() {
            return function.pos();
        }
    }

    /** {@code name = value} in a call. */
    record NamedArg(Ident name, Expr value) {}

    /** Unary minus. */
    record Neg(Expr operand, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.NEG;
        }
    }

    /** {@code a op b} for {@code + - * / @}; {@code pos} is the operator's. */
    record Binary(BinaryOp op, Expr left, Expr right, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.BINARY;
        }
    }

    /** {@code base ^ exponent}; the exponent must be constant. */
    record Pow(Expr base, Expr exponent, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.POW;
        }
    }

    /** {@code base[i]} or {@code base[i, j]}. */
    record Index(Expr base, List<Expr> indexes, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.INDEX;
        }

        public Index {
            indexes = List.copyOf(indexes);
        }
    }

    /**
     * A range as an index (version 2): {@code from..to} (rows or elements {@code from} to
     * {@code to - 1}), or {@code ..} (the whole axis) with both null. Only ever an index.
     */
    record Range(Expr from, Expr to, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.RANGE;
        }

        public boolean whole() {
            return from == null;
        }
    }

    /**
     * {@code (a, b, …)}, two or more values (version 3): only ever a block def's result, the
     * def's several results; a call of such a def can only be unpacked ({@link Stmt.Unpack}).
     */
    record Tuple(List<Expr> items, Pos pos) implements Expr {
        @Override
        public Kind kind() {
            return Kind.TUPLE;
        }

        public Tuple {
            items = List.copyOf(items);
        }
    }

    enum BinaryOp {
        ADD("+"), SUB("-"), MUL("*"), DIV("/"), MATMUL("@"),
        /** Comparisons (version 2): masks of 1.0 and 0.0. */
        LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!=");

        public final String symbol;

        BinaryOp(String symbol) {
            this.symbol = symbol;
        }
    }
}
