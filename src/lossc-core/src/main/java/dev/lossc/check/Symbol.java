package dev.lossc.check;

import dev.lossc.ast.Stmt;
import dev.lossc.diag.Pos;
import dev.lossc.types.Shape;
import java.util.Map;

/** What a name stands for once resolved. Symbols are compared by identity. */
public sealed interface Symbol {
    String name();

    Pos declared();

    /** A word for messages: "dim", "param", … */
    String kind();

    /** A dim; {@code varying} (version 2, {@code dim B <= 64}): chosen per call, {@code value} is its maximum. */
    record Dim(String name, int value, boolean varying, Pos declared) implements Symbol {
        public String kind() {
            return "dim";
        }
    }

    record Const(String name, double value, Pos declared) implements Symbol {
        public String kind() {
            return "const";
        }
    }

    /**
     * A data argument of the generated methods; {@code index} is its position among inputs;
     * {@code integer} for an int input (labels, token ids: never differentiated).
     */
    record Input(String name, Shape shape, int index, boolean integer, Pos declared) implements Symbol {
        public String kind() {
            return integer ? "int input" : "input";
        }
    }

    /** A param; {@code key} is its name in a state dict ({@code as "fc1.weight"}), its own name when none is given. */
    /** What a param and a state (version 3) share: flat storage in the class, an initializer and a name in a state dict. */
    sealed interface Stored extends Symbol {
        Shape shape();

        int index();

        Initializer init();

        String key();
    }

    record Param(String name, Shape shape, int index, Initializer init, Pos declared, String key) implements Stored {
        public Param(String name, Shape shape, int index, Initializer init, Pos declared) {
            this(name, shape, index, init, declared, name);
        }

        public String kind() {
            return "param";
        }
    }

    /**
     * A state (version 3): non-trained values the training calls update ({@code batch_norm}'s
     * running statistics) and the output methods read; {@code key} as a param's.
     */
    record State(String name, Shape shape, int index, Initializer init, Pos declared, String key) implements Stored {
        public String kind() {
            return "state";
        }
    }

    /**
     * A name bound to a value of a shape: compared by identity, since one {@code let} in an
     * inlined def or a loop stands for a different value at each place it is expanded.
     */
    abstract sealed class Binding implements Symbol permits Let, Var {
        private final String name;
        private final Shape shape;
        private final Pos declared;

        Binding(String name, Shape shape, Pos declared) {
            this.name = name;
            this.shape = shape;
            this.declared = declared;
        }

        public String name() {
            return name;
        }

        public Shape shape() {
            return shape;
        }

        public Pos declared() {
            return declared;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A {@code let}, a def parameter or a def-body {@code let}: an immutable value. */
    final class Let extends Binding {
        public Let(String name, Shape shape, Pos declared) {
            super(name, shape, declared);
        }

        public String kind() {
            return "let";
        }
    }

    /** A {@code var}: a mutable value of a fixed shape. */
    final class Var extends Binding {
        public Var(String name, Shape shape, Pos declared) {
            super(name, shape, declared);
        }

        public String kind() {
            return "var";
        }
    }

    /**
     * A {@code for} variable, running {@code from … to - 1}; a loop may end at a dim that varies per
     * call ({@code toDim}), and then {@code to} is that dim's maximum.
     */
    final class Loop implements Symbol {
        private final String name;
        private final int from;
        private final int to;
        private final String toDim;
        private final Pos declared;

        public Loop(String name, int from, int to, Pos declared) {
            this(name, from, to, null, declared);
        }

        public Loop(String name, int from, int to, String toDim, Pos declared) {
            this(name, from, to, toDim, 0, declared);
        }

        /** With {@code snapshots} above 0, a checkpointed loop that keeps that many snapshots of its state. */
        public Loop(String name, int from, int to, String toDim, int snapshots, Pos declared) {
            this.name = name;
            this.from = from;
            this.to = to;
            this.toDim = toDim;
            this.snapshots = snapshots;
            this.declared = declared;
        }

        private final int snapshots;

        /**
         * For a checkpointed loop, the snapshots of its state its backward pass keeps (at most one
         * per iteration); 0 for a loop that keeps every iteration's values.
         */
        public int snapshots() {
            return snapshots;
        }

        /** The varying dim the loop ends at, or null for a constant end. */
        public String toDim() {
            return toDim;
        }

        public String name() {
            return name;
        }

        public int from() {
            return from;
        }

        public int to() {
            return to;
        }

        /** Iterations (for a varying end, at most). */
        public int trips() {
            return to - from;
        }

        public Pos declared() {
            return declared;
        }

        public String kind() {
            return "loop variable";
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A {@code def}: its body is checked and inlined at each call, in the scope it was declared in. */
    record Def(String name, Stmt.Def def, Map<String, Symbol> scope, Pos declared) implements Symbol {
        public String kind() {
            return "function";
        }
    }

    /** How {@code initParameters} fills a parameter (docs/language.md section 7). */
    record Initializer(Kind kind, double a, double b) {
        public enum Kind { ZEROS, ONES, UNIFORM, NORMAL, XAVIER, HE }

        public static Initializer defaultFor(Shape shape) {
            return new Initializer(shape.isMatrix() ? Kind.XAVIER : Kind.ZEROS, 0, 0);
        }

        public String describe() {
            return switch (kind) {
                case UNIFORM -> "uniform(" + a + ", " + b + ")";
                case NORMAL -> "normal(" + a + ", " + b + ")";
                default -> kind.name().toLowerCase(java.util.Locale.ROOT);
            };
        }
    }

    /** Stands for a name whose declaration failed, so that its uses report nothing more. */
    record Poisoned(String name, Pos declared) implements Symbol {
        public String kind() {
            return "name";
        }
    }
}
